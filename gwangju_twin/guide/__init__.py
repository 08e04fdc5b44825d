"""The guide room (pure, no Panda3D): the guided tour, place search and pavilion presence.

The shell drives these with plain numbers and acts on what they return; nothing here draws.
"""

from gwangju_twin.guide.presence import Presence
from gwangju_twin.guide.search import Gazetteer, Place
from gwangju_twin.guide.tour import GuidedTour, TourEvent
from gwangju_twin.scene.tour import TourStop

__all__ = ["Gazetteer", "GuidedTour", "Place", "Presence", "TourEvent", "TourStop"]
