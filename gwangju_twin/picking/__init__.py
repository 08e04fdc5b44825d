"""Picking (pure numpy): which building or pavilion a ray meets, and what to tell about it."""

from gwangju_twin.picking.facts import BuildingFacts, building_facts
from gwangju_twin.picking.index import Hit, Picker, PickIndex, ground_point

__all__ = ["BuildingFacts", "Hit", "PickIndex", "Picker", "building_facts", "ground_point"]
