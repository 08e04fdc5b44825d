"""The mesh room (pure numpy): District -> MeshBatch arrays, merged per material and tile."""

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.district import DistrictMesh, build_district_mesh
from gwangju_twin.mesh.prism import extrude

__all__ = ["DistrictMesh", "MeshBatch", "build_district_mesh", "extrude"]
