"""Eco-friendly energy (gwangju.solar): the rooftop solar potential of every building."""
