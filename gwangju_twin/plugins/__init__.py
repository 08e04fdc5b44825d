"""The pavilion plugin API: the one module exhibitors' plugins import.

A plugin is a folder (or an installed package) with a ``pavilion.toml`` manifest and a Python
module whose entry class implements some of the hooks of ``PavilionDemo``. Each hook receives
a ``PavilionContext``: the plugin's node, panel, read-only district data, timers, logger,
asset folder and (API 1.2) the scene's sun, read-only. docs/plugins.md is the guide;
``gwangju-twin plugins new`` scaffolds a plugin.

The API is versioned: ``API_VERSION`` is what this host implements, and a plugin whose
manifest asks for an ``api_version`` the host does not support is refused, not run.
"""

from gwangju_twin.plugins.api import (
    HOOKS,
    Buildings,
    DistrictData,
    Features,
    PavilionInfo,
)
from gwangju_twin.plugins.camera import DemoCamera
from gwangju_twin.plugins.clicks import ClickEvent
from gwangju_twin.plugins.context import FRAME_BUDGET_MS, PavilionContext, Timers
from gwangju_twin.plugins.demo import PavilionDemo
from gwangju_twin.plugins.manifest import API_VERSION, SUPPORTED_API_VERSIONS, Manifest
from gwangju_twin.plugins.panel import Panel, PanelButton, PanelLine
from gwangju_twin.plugins.roads import RoadGraph, RoadPoint, Route
from gwangju_twin.plugins.storage import PluginStorage, StorageTable

# isort: split
# API 1.1: the panel's items (kept apart from the lines above so additions merge cleanly).
from gwangju_twin.plugins.panel import (
    ChartKind,
    LegendEntry,
    PanelChart,
    PanelGauge,
    PanelImage,
    PanelLegend,
)

__all__ = [
    "API_VERSION",
    "FRAME_BUDGET_MS",
    "HOOKS",
    "SUPPORTED_API_VERSIONS",
    "Buildings",
    "ClickEvent",
    "DemoCamera",
    "DistrictData",
    "Features",
    "Manifest",
    "Panel",
    "PanelButton",
    "PanelLine",
    "PavilionContext",
    "PavilionDemo",
    "PavilionInfo",
    "PluginStorage",
    "RoadGraph",
    "RoadPoint",
    "Route",
    "StorageTable",
    "Timers",
]
__all__ += ["ChartKind", "LegendEntry", "PanelChart", "PanelGauge", "PanelImage", "PanelLegend"]

# isort: split
# API 1.2: the scene's clock and sun, read-only (ctx.sun).
from gwangju_twin.plugins.sunview import SunView  # noqa: E402
from gwangju_twin.sun import SunPosition  # noqa: E402

__all__ += ["SunPosition", "SunView"]
