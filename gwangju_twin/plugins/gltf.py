"""glTF 2.0 files (.gltf and .glb) checked before Panda3D's assimp loader reads them.

Parsed with pygltflib; then every index, byte range and file the document names is checked
against what is there, with the rules whose breach made assimp abort (or crash) when tried:
an empty scene, an index out of range, a node cycle, a last triangle missing corners, a
negative offset, a .glb whose first buffer is not its binary chunk. ``models.check_model``
calls ``check_gltf``; errors are ValueErrors naming the file.
"""

from __future__ import annotations

import base64
import binascii
import struct
import warnings
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

#: The most vertices one model may have (a whole detailed building is well under this).
MAX_VERTICES = 2_000_000
#: The most nodes a glTF may have, and the deepest nesting of them; assimp walks the
#: hierarchy recursively, so a deep chain would overflow its stack.
MAX_NODES = 20_000
MAX_DEPTH = 128

#: glTF extensions the loader can do without, or reads: a file that *requires* any other
#: (Draco or meshopt compression, say) would load wrong or not at all.
KNOWN_EXTENSIONS = frozenset({
    "KHR_materials_unlit", "KHR_texture_transform", "KHR_materials_emissive_strength",
    "KHR_lights_punctual", "KHR_materials_pbrSpecularGlossiness", "KHR_mesh_quantization",
})

_COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
_INDEX_DTYPES = {5121: np.uint8, 5123: np.uint16, 5125: np.uint32}
_TYPE_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}


def check_gltf(path: Path, size: int, limit: int) -> None:
    """Refuse glTF ``path`` (``size`` bytes) unless assimp can load it safely and it shows
    a mesh; ``limit`` caps the file with the buffers and images it names, in bytes."""
    _GltfCheck(path, size, limit).run()


class _GltfCheck:
    """One glTF file's checks; ``fail`` raises the ValueError naming the file."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        self.path = path
        self.total = size
        self.limit = limit
        self.doc: Any = None
        self.buffers: list[bytes] = []

    def fail(self, why: str) -> NoReturn:
        raise ValueError(f"{self.path.name}: {why}")

    def run(self) -> None:
        self.doc = self.parse()
        try:
            self.check()
        except (TypeError, AttributeError, KeyError, IndexError) as exc:
            # A value of the wrong JSON type (a string where a list belongs, say).
            self.fail(f"not a valid glTF 2.0 file ({type(exc).__name__}: {exc})")

    def parse(self) -> Any:
        import pygltflib

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                doc = pygltflib.GLTF2().load(str(self.path))
        except (ValueError, struct.error, TypeError, KeyError, AttributeError,
                RecursionError, UnicodeDecodeError, OSError) as exc:
            self.fail(f"not a readable glTF file ({type(exc).__name__}: {exc})")
        if doc is None:
            self.fail("not a readable glTF file")
        return doc

    def ref(self, index: Any, items: list[Any], what: str, where: str) -> Any:
        if not isinstance(index, int) or isinstance(index, bool) or not (
                0 <= index < len(items)):
            self.fail(f"{where} refers to {what} {index!r}, but the file has {len(items)}")
        return items[index]

    def check(self) -> None:
        doc = self.doc
        version = str(getattr(doc.asset, "version", "") or "")
        if not version.startswith("2."):
            self.fail(f"glTF version {version or '(none)'}; the viewer reads glTF 2.0")
        unknown = sorted(set(doc.extensionsRequired or []) - KNOWN_EXTENSIONS)
        if unknown:
            self.fail(f"requires glTF extension(s) {', '.join(unknown)}, which the loader "
                      "cannot read; export without them (no Draco or meshopt compression)")
        if len(doc.nodes) > MAX_NODES:
            self.fail(f"{len(doc.nodes)} nodes, more than the {MAX_NODES} a model may have")
        if self.path.suffix.lower() == ".glb" and doc.buffers and doc.buffers[0].uri is not None:
            # assimp reads a .glb's first buffer from its binary chunk whatever it says.
            self.fail("in a .glb the first buffer must be the file's binary chunk, not a uri; "
                      "export it again (or save it as .gltf)")
        self.buffers = [self.buffer_bytes(i, b) for i, b in enumerate(doc.buffers)]
        for i, view in enumerate(doc.bufferViews):
            data = self.ref(view.buffer, self.buffers, "buffer", f"bufferViews[{i}]")
            start = self.natural(view.byteOffset or 0, f"bufferViews[{i}].byteOffset")
            length = self.natural(view.byteLength, f"bufferViews[{i}].byteLength")
            if view.byteStride is not None and self.natural(
                    view.byteStride, f"bufferViews[{i}].byteStride") not in range(4, 253):
                self.fail(f"bufferViews[{i}].byteStride is {view.byteStride}; expected 4-252")
            if start + length > len(data):
                self.fail(f"bufferViews[{i}] reaches past the end of its buffer (a broken "
                          "or truncated buffer)")
        for i, acc in enumerate(doc.accessors):
            self.check_accessor(i, acc)
        for i, image in enumerate(doc.images):
            if image.bufferView is not None:
                self.ref(image.bufferView, doc.bufferViews, "bufferView", f"images[{i}]")
            elif image.uri:
                self.uri_bytes(image.uri, f"images[{i}]")
            else:
                self.fail(f"images[{i}] has neither a uri nor a bufferView")
        for i, tex in enumerate(doc.textures):
            if tex.source is not None:
                self.ref(tex.source, doc.images, "image", f"textures[{i}]")
            if tex.sampler is not None:
                self.ref(tex.sampler, doc.samplers, "sampler", f"textures[{i}]")
        for i, material in enumerate(doc.materials):
            self.check_material(i, material)
        vertices = sum(self.check_mesh(i, mesh) for i, mesh in enumerate(doc.meshes))
        if vertices > MAX_VERTICES:
            self.fail(f"{vertices} vertices, more than the {MAX_VERTICES} a model may have; "
                      "simplify it")
        self.check_others()
        self.check_scene()

    def buffer_bytes(self, i: int, buffer: Any) -> bytes:
        if buffer.uri is None:
            blob = self.doc.binary_blob() if i == 0 else None
            if blob is None:
                self.fail(f"buffers[{i}] has no uri and there is no binary chunk (.glb)")
            data = bytes(blob)
        else:
            data = self.uri_bytes(buffer.uri, f"buffers[{i}]")
        if not isinstance(buffer.byteLength, int) or buffer.byteLength > len(data):
            self.fail(f"buffers[{i}] says {buffer.byteLength} bytes but holds {len(data)} "
                      "(a broken or truncated buffer)")
        return data

    def uri_bytes(self, uri: str, where: str) -> bytes:
        data = self.read_uri(uri, where)
        self.total += len(data)
        # Counted as each file is read, so a model naming many large files stops early.
        if self.total > self.limit:
            self.fail(f"{self.total / 2**20:.0f} MiB with its buffers and images, more than "
                      f"the {self.limit // 2**20} MiB a model may have")
        return data

    def read_uri(self, uri: str, where: str) -> bytes:
        if uri.startswith("data:"):
            head, _, body = uri.partition(",")
            if not head.endswith(";base64"):
                self.fail(f"{where}: only base64 data URIs are read")
            try:
                return base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                self.fail(f"{where}: its data URI is not valid base64")
        from urllib.parse import unquote

        folder = self.path.parent.resolve()
        target = (folder / unquote(uri)).resolve()
        # The loader would follow "../" anywhere on the machine: a plugin ships its files.
        if folder != target and folder not in target.parents:
            self.fail(f"{where} names {uri!r}, outside the model's folder")
        if not target.is_file():
            self.fail(f"{where} names {uri!r}, which is missing; put it beside the model")
        if target.stat().st_size > self.limit:
            self.fail(f"{where} names {uri!r}, larger than a model may be")
        return target.read_bytes()

    def natural(self, value: Any, where: str) -> int:
        """``value`` if it is a whole number of 0 or more (a negative offset crashes the
        loader)."""
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{where} is {value!r}; expected a whole number of 0 or more")
        return value

    def check_accessor(self, i: int, acc: Any) -> None:
        where = f"accessors[{i}]"
        offset = self.natural(acc.byteOffset or 0, f"{where}.byteOffset")
        width = _COMPONENT_BYTES.get(acc.componentType)
        parts = _TYPE_SIZES.get(acc.type)
        if width is None or parts is None:
            self.fail(f"{where} has component type {acc.componentType!r} and type "
                      f"{acc.type!r}, which glTF 2.0 does not define")
        if not isinstance(acc.count, int) or acc.count < 1:
            self.fail(f"{where} has count {acc.count!r}; expected at least 1")
        sparse = acc.sparse
        if sparse is not None:
            for part in (sparse.indices, sparse.values):
                if part is not None:
                    self.ref(part.bufferView, self.doc.bufferViews, "bufferView",
                             f"{where}.sparse")
        if acc.bufferView is None:
            return  # all zeros (or sparse): nothing to read past
        view = self.ref(acc.bufferView, self.doc.bufferViews, "bufferView", where)
        element = width * parts
        stride = view.byteStride or element
        if stride < element:
            self.fail(f"{where}: its bufferView's byteStride {stride} is less than one "
                      f"element ({element} bytes)")
        end = offset + stride * (acc.count - 1) + element
        if end > view.byteLength:
            self.fail(f"{where} reads {end} bytes of a {view.byteLength}-byte bufferView (its "
                      "count or offset is wrong)")

    def check_material(self, i: int, material: Any) -> None:
        slots = [material.normalTexture, material.occlusionTexture, material.emissiveTexture]
        pbr = material.pbrMetallicRoughness
        if pbr is not None:
            slots += [pbr.baseColorTexture, pbr.metallicRoughnessTexture]
        for slot in slots:
            if slot is not None:
                self.ref(slot.index, self.doc.textures, "texture", f"materials[{i}]")

    def check_mesh(self, i: int, mesh: Any) -> int:
        doc = self.doc
        if not mesh.primitives:
            self.fail(f"meshes[{i}] has no primitives")
        vertices = 0
        for j, prim in enumerate(mesh.primitives):
            where = f"meshes[{i}].primitives[{j}]"
            attributes = {k: v for k, v in _fields(prim.attributes).items() if v is not None}
            if "POSITION" not in attributes:
                self.fail(f"{where} has no POSITION attribute (no vertices)")
            for name, index in attributes.items():
                self.ref(index, doc.accessors, "accessor", f"{where}.attributes.{name}")
            for target in prim.targets or []:
                for name, index in _fields(target).items():
                    if index is not None:
                        self.ref(index, doc.accessors, "accessor", f"{where}.targets.{name}")
            if prim.material is not None:
                self.ref(prim.material, doc.materials, "material", where)
            if prim.mode not in (None, 0, 1, 2, 3, 4, 5, 6):
                self.fail(f"{where} has mode {prim.mode!r}; glTF 2.0 modes are 0-6")
            position = doc.accessors[attributes["POSITION"]]
            if position.type != "VEC3":
                self.fail(f"{where}.attributes.POSITION is {position.type}; expected VEC3")
            count = position.count
            # Fewer normals or UVs than vertices send the loader reading past their data.
            short = sorted(n for n, a in attributes.items() if doc.accessors[a].count != count)
            if short:
                self.fail(f"{where}: attribute(s) {', '.join(short)} do not have one value per "
                          f"vertex ({count})")
            vertices += count
            drawn = count
            if prim.indices is not None:
                self.check_indices(where, prim.indices, count)
                drawn = doc.accessors[prim.indices].count
            self.check_shape(where, 4 if prim.mode is None else prim.mode, drawn)
        return vertices

    def check_shape(self, where: str, mode: int, count: int) -> None:
        # assimp asserts on a last triangle (or line) that is missing corners.
        if (mode == 4 and count % 3) or (mode == 1 and count % 2):
            per = 3 if mode == 4 else 2
            self.fail(f"{where} draws {count} vertices, not a multiple of {per} "
                      f"({'triangles' if mode == 4 else 'lines'})")
        least = {0: 1, 1: 2, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3}[mode]
        if count < least:
            self.fail(f"{where} draws {count} vertices; its mode needs at least {least}")

    def check_indices(self, where: str, index: int, vertices: int) -> None:
        acc = self.ref(index, self.doc.accessors, "accessor", f"{where}.indices")
        dtype = _INDEX_DTYPES.get(acc.componentType)
        if dtype is None or acc.type != "SCALAR":
            self.fail(f"{where}.indices must be unsigned SCALAR integers")
        if acc.bufferView is None:
            return
        view = self.doc.bufferViews[acc.bufferView]
        start = (view.byteOffset or 0) + (acc.byteOffset or 0)
        values = np.frombuffer(self.buffers[view.buffer], dtype=np.dtype(dtype).newbyteorder("<"),
                               count=acc.count, offset=start)
        if values.size and int(values.max()) >= vertices:
            self.fail(f"{where}.indices name vertex {int(values.max())} of {vertices} (an "
                      "index past the end)")

    def check_others(self) -> None:
        doc = self.doc
        for i, skin in enumerate(doc.skins):
            for joint in skin.joints or []:
                self.ref(joint, doc.nodes, "node", f"skins[{i}].joints")
            if skin.inverseBindMatrices is not None:
                self.ref(skin.inverseBindMatrices, doc.accessors, "accessor", f"skins[{i}]")
        for i, animation in enumerate(doc.animations):
            for sampler in animation.samplers:
                self.ref(sampler.input, doc.accessors, "accessor", f"animations[{i}].samplers")
                self.ref(sampler.output, doc.accessors, "accessor", f"animations[{i}].samplers")
            for channel in animation.channels:
                self.ref(channel.sampler, animation.samplers, "sampler",
                         f"animations[{i}].channels")
                if channel.target is not None and channel.target.node is not None:
                    self.ref(channel.target.node, doc.nodes, "node", f"animations[{i}].channels")
        parents: dict[int, int] = {}
        for i, node in enumerate(doc.nodes):
            where = f"nodes[{i}]"
            for child in node.children or []:
                if child in parents or child == i:
                    self.fail(f"nodes[{child}] has two parents or is its own child; glTF "
                              "nodes form a tree")
                parents[child] = i
            if node.mesh is not None:
                self.ref(node.mesh, doc.meshes, "mesh", where)
            if node.skin is not None:
                self.ref(node.skin, doc.skins, "skin", where)
            if node.camera is not None:
                self.ref(node.camera, doc.cameras, "camera", where)
            for child in node.children or []:
                self.ref(child, doc.nodes, "node", f"{where}.children")

    def check_scene(self) -> None:
        doc = self.doc
        if not doc.scenes:
            self.fail("has no scene: nothing to draw (the loader would abort on it)")
        scene = self.ref(doc.scene if doc.scene is not None else 0, doc.scenes, "scene",
                         "'scene'")
        for i, other in enumerate(doc.scenes):
            for root in other.nodes or []:
                self.ref(root, doc.nodes, "node", f"scenes[{i}].nodes")
        # The hierarchy must be a forest: a node reached twice is a cycle or a shared child,
        # and the loader recurses through it forever.
        seen: set[int] = set()
        stack = [(root, 1) for root in scene.nodes or []]
        drawn = False
        while stack:
            index, depth = stack.pop()
            if index in seen:
                self.fail(f"nodes[{index}] is reached twice from the scene (a cycle, or a "
                          "node with two parents)")
            if depth > MAX_DEPTH:
                self.fail(f"nodes nest deeper than {MAX_DEPTH} levels")
            seen.add(index)
            node = doc.nodes[index]
            drawn = drawn or node.mesh is not None
            stack.extend((child, depth + 1) for child in node.children or [])
        if not drawn:
            self.fail("its scene shows no mesh: nothing to draw (the loader would abort on it)")


def _fields(value: Any) -> dict[str, Any]:
    """A glTF object's members: pygltflib gives a dataclass, or a dict for one it did not type."""
    if isinstance(value, dict):
        return value
    return dict(vars(value)) if hasattr(value, "__dict__") else {}
