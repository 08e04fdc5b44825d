"""Eco-friendly autonomous driving (gwangju.shuttles): electric shuttles between pavilions."""
