"""Gwangju Twin: a city-twin viewer for Gwangju's AI-metaverse expo.

The package is split into rooms that hand plain data one way:
``geo`` (GeoJSON -> District + LoadReport) -> ``mesh`` (District -> MeshBatch arrays)
-> ``render`` (MeshBatch -> Panda3D nodes) -> ``app`` (the viewer).
"""

__version__ = "0.1.0"
#: The distribution's and the command's name; also the per-user folders' (platformdirs).
APP_NAME = "gwangju-twin"
