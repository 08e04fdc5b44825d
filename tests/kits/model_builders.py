"""Model files for tests: a small glTF box (data URIs, no side files), the glTF that aborts
Panda3D's loader, and .bam framing, made by hand so the pure tier needs no Panda3D."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

#: A valid glTF 2.0 document whose only scene is empty: assimp's RemoveRedundantMaterials
#: asserts on it and Panda3D 1.10's loader aborts the process (exit 134).
EMPTY_SCENE: dict[str, Any] = {"asset": {"version": "2.0"}, "scenes": [{"nodes": []}],
                               "scene": 0}


def _data_uri(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def box_gltf(size: float = 4.0) -> dict[str, Any]:
    """A closed box of ``size`` metres as one indexed triangle mesh."""
    h = size / 2
    corners = np.array([[x, y, z] for z in (0, size) for y in (-h, h) for x in (-h, h)],
                       np.float32)
    faces = np.array([0, 2, 1, 1, 2, 3, 4, 5, 6, 5, 7, 6, 0, 1, 4, 1, 5, 4,
                      2, 6, 3, 3, 6, 7, 0, 4, 2, 2, 4, 6, 1, 3, 5, 3, 7, 5], np.uint32)
    return {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"name": "box", "mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 1}, "indices": 0, "mode": 4}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5125, "count": len(faces), "type": "SCALAR"},
            {"bufferView": 1, "componentType": 5126, "count": len(corners), "type": "VEC3",
             "min": corners.min(0).tolist(), "max": corners.max(0).tolist()},
        ],
        "bufferViews": [{"buffer": 0, "byteLength": faces.nbytes},
                        {"buffer": 1, "byteLength": corners.nbytes}],
        "buffers": [{"uri": _data_uri(faces.tobytes()), "byteLength": faces.nbytes},
                    {"uri": _data_uri(corners.tobytes()), "byteLength": corners.nbytes}],
    }


def write_gltf(path: Path, doc: dict[str, Any], chunk: bool = True) -> Path:
    """``doc`` as ``path``: JSON text for .gltf; for .glb the binary container, its first
    buffer moved from a data URI into the binary chunk (unless ``chunk`` is False)."""
    binary = b""
    if path.suffix == ".glb" and chunk and doc.get("buffers"):
        doc = {**doc, "buffers": [dict(b) for b in doc["buffers"]]}
        binary = base64.b64decode(doc["buffers"][0].pop("uri").split(",", 1)[1])
        binary += b"\x00" * (-len(binary) % 4)
    text = json.dumps(doc).encode()
    if path.suffix == ".glb":
        text += b" " * (-len(text) % 4)
        body = struct.pack("<II", len(text), 0x4E4F534A) + text
        if binary:
            body += struct.pack("<II", len(binary), 0x004E4942) + binary
        path.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body)
    else:
        path.write_bytes(text)
    return path


def bam_bytes(major: int = 6, minor: int = 44, records: int = 1) -> bytes:
    """A .bam file's framing: the header, the version record and ``records`` empty objects."""
    def record(payload: bytes) -> bytes:
        return struct.pack("<I", len(payload)) + payload

    version = record(struct.pack("<HHBB", major, minor, 1, 0))
    return b"pbj\x00\n\r" + version + b"".join(record(b"\x00" * 8) for _ in range(records))
