"""check_model: every model the native loader would abort on, or that shows nothing, is
refused with a ValueError naming the file and the fault; good models pass."""

from __future__ import annotations

import base64
import copy

import numpy as np
import pytest
from model_builders import EMPTY_SCENE, bam_bytes, box_gltf, write_gltf

from gwangju_twin.plugins import gltf, models
from gwangju_twin.plugins.models import ModelFormat, check_model


def _box(edit=None):
    doc = copy.deepcopy(box_gltf())
    if edit is not None:
        edit(doc)
    return doc


@pytest.mark.parametrize("suffix", [".gltf", ".glb"])
def test_a_good_gltf_passes_in_either_container(tmp_path, suffix):
    path = write_gltf(tmp_path / f"box{suffix}", box_gltf())
    assert check_model(path) == ModelFormat(suffix)


@pytest.mark.parametrize("suffix", [".gltf", ".glb"])
def test_the_empty_scene_that_aborts_the_loader_is_refused(tmp_path, suffix):
    path = write_gltf(tmp_path / f"empty{suffix}", EMPTY_SCENE)
    with pytest.raises(ValueError, match=rf"empty{suffix}: its scene shows no mesh"):
        check_model(path)


def _set(path, value):
    def edit(doc):
        *head, last = path
        target = doc
        for key in head:
            target = target[key]
        target[last] = value
    return edit


# Each of these aborted (or crashed) Panda3D 1.10's loader in a child process when written.
@pytest.mark.parametrize(("edit", "expected"), [
    (_set(["scenes"], [{"nodes": []}, {"nodes": [0]}]), "its scene shows no mesh"),
    (lambda d: d.pop("scenes"), "has no scene"),
    (_set(["scene"], 3), "'scene' refers to scene 3, but the file has 1"),
    (_set(["nodes", 0], {"name": "empty"}), "its scene shows no mesh"),
    (_set(["scenes", 0, "nodes"], [3]), "scenes[0].nodes refers to node 3"),
    (_set(["nodes", 0, "mesh"], 5), "nodes[0] refers to mesh 5"),
    (_set(["nodes", 0, "children"], [0]), "nodes[0] has two parents or is its own child"),
    (_set(["meshes", 0, "primitives"], []), "meshes[0] has no primitives"),
    (_set(["meshes", 0, "primitives", 0, "attributes"], {}), "has no POSITION attribute"),
    (_set(["meshes", 0, "primitives", 0, "attributes", "POSITION"], 7),
     "attributes.POSITION refers to accessor 7, but the file has 2"),
    (_set(["accessors", 0, "bufferView"], 9), "accessors[0] refers to bufferView 9"),
    (_set(["accessors", 1, "count"], 100_000), "accessors[1] reads 1200000 bytes of a 96-byte"),
    (_set(["asset", "version"], "1.0"), "glTF version 1.0; the viewer reads glTF 2.0"),
    (_set(["accessors", 0, "count"], 35), "draws 35 vertices, not a multiple of 3"),
    (lambda d: (d["meshes"][0]["primitives"][0].pop("indices"),
                _set(["accessors", 1, "count"], 7)(d)), "draws 7 vertices, not a multiple of 3"),
    (_set(["accessors", 1, "byteOffset"], -12),
     "accessors[1].byteOffset is -12; expected a whole number of 0 or more"),
])
def test_gltf_faults_that_abort_the_loader_are_refused(tmp_path, edit, expected):
    path = write_gltf(tmp_path / "bad.gltf", _box(edit))
    with pytest.raises(ValueError, match=r"^bad\.gltf: ") as caught:
        check_model(path)
    assert expected in str(caught.value)


def test_a_glb_whose_first_buffer_is_not_its_binary_chunk_is_refused(tmp_path):
    # Panda3D's assimp aborted on this one too (data.IsValid() in ImportMeshes).
    path = write_gltf(tmp_path / "uri.glb", box_gltf(), chunk=False)
    with pytest.raises(ValueError, match="the first buffer must be the file's binary chunk"):
        check_model(path)


def test_an_index_past_the_last_vertex_is_refused(tmp_path):
    doc = box_gltf()
    faces = np.arange(36, dtype=np.uint32)
    faces[5] = 1000
    doc["buffers"][0]["uri"] = ("data:application/octet-stream;base64,"
                                + base64.b64encode(faces.tobytes()).decode())
    with pytest.raises(ValueError, match="indices name vertex 1000 of 8"):
        check_model(write_gltf(tmp_path / "bad.gltf", doc))


@pytest.mark.parametrize(("edit", "expected"), [
    (_set(["buffers", 0, "uri"], "missing.bin"), "names 'missing.bin', which is missing"),
    (_set(["buffers", 0, "uri"], "../outside.bin"), "outside the model's folder"),
    (_set(["buffers", 1, "byteLength"], 1000), "buffers[1] says 1000 bytes but holds 96"),
    (_set(["buffers", 1, "uri"], "data:application/octet-stream;base64,@@@"), "not valid base64"),
    (_set(["bufferViews", 1, "byteOffset"], 64), "bufferViews[1] reaches past the end"),
    (_set(["extensionsRequired"], ["KHR_draco_mesh_compression"]), "no Draco"),
    (_set(["meshes", 0, "primitives", 0, "material"], 4), "refers to material 4"),
    (_set(["accessors", 1, "componentType"], 1), "which glTF 2.0 does not define"),
    (_set(["accessors"], "not a list"), "not a readable glTF file"),
    (_set(["accessors", 1, "type"], "VEC2"), "POSITION is VEC2; expected VEC3"),
    (lambda d: (d["accessors"].append({"bufferView": 1, "componentType": 5126, "count": 3,
                                       "type": "VEC3"}),
                _set(["meshes", 0, "primitives", 0, "attributes", "NORMAL"], 2)(d)),
     "attribute(s) NORMAL do not have one value per vertex (8)"),
    (_set(["accessors", 1, "sparse"], {"count": 1, "indices": {"bufferView": 9,
                                                               "componentType": 5125},
                                       "values": {"bufferView": 9}}),
     "accessors[1].sparse refers to bufferView 9"),
    (_set(["bufferViews", 1, "byteStride"], 2), "byteStride is 2; expected 4-252"),
    (_set(["bufferViews", 1, "byteStride"], 4), "byteStride 4 is less than one element"),
    (_set(["nodes", 0, "mesh"], "zero"), "not a readable glTF file"),
])
def test_broken_buffers_missing_files_and_bad_references_are_refused(tmp_path, edit, expected):
    (tmp_path / "outside.bin").write_bytes(b"\x00" * 144)
    (tmp_path / "model").mkdir()
    path = write_gltf(tmp_path / "model" / "bad.gltf", _box(edit))
    with pytest.raises(ValueError, match=r"^bad\.gltf: ") as caught:
        check_model(path)
    assert expected in str(caught.value)


def test_a_missing_texture_is_refused_and_one_beside_the_model_passes(tmp_path):
    def textured(doc):
        doc["images"] = [{"uri": "wall.png"}]
        doc["textures"] = [{"source": 0}]
        doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
        doc["meshes"][0]["primitives"][0]["material"] = 0
    path = write_gltf(tmp_path / "wall.gltf", _box(textured))
    with pytest.raises(ValueError, match=r"images\[0\] names 'wall\.png', which is missing"):
        check_model(path)
    (tmp_path / "wall.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert check_model(path) == ModelFormat.GLTF


def test_external_buffers_beside_the_model_are_read_and_counted(tmp_path, monkeypatch):
    doc = box_gltf()
    for n, buffer in enumerate(doc["buffers"]):
        (tmp_path / f"b{n}.bin").write_bytes(base64.b64decode(buffer["uri"].split(",")[1]))
        buffer["uri"] = f"b{n}.bin"
    path = write_gltf(tmp_path / "box.gltf", doc)
    assert check_model(path) == ModelFormat.GLTF
    # The file alone fits; with its two buffers (144 + 96 bytes) it does not.
    monkeypatch.setattr(models, "MAX_MODEL_BYTES", path.stat().st_size + 200)
    with pytest.raises(ValueError, match="with its buffers and images, more than"):
        check_model(path)


@pytest.mark.parametrize(("data", "expected"), [
    (b"{not json", "not a readable glTF file"),
    (b"glTF\x02\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 20, "not a readable glTF file"),
])
def test_files_that_are_not_gltf_are_refused(tmp_path, data, expected):
    path = tmp_path / ("x.glb" if data.startswith(b"glTF") else "x.gltf")
    path.write_bytes(data)
    with pytest.raises(ValueError, match=expected):
        check_model(path)


def test_absurd_sizes_are_refused(tmp_path, monkeypatch):
    path = write_gltf(tmp_path / "box.gltf", box_gltf())
    monkeypatch.setattr(gltf, "MAX_VERTICES", 7)
    with pytest.raises(ValueError, match="8 vertices, more than the 7"):
        check_model(path)
    monkeypatch.setattr(models, "MAX_MODEL_BYTES", 100)
    with pytest.raises(ValueError, match="more than the 0 MiB a model may have"):
        check_model(path)
    doc = box_gltf()
    doc["nodes"] = [{"children": [1]}] + [{"children": [n + 2]} for n in range(200)] + [
        {"mesh": 0}]
    monkeypatch.setattr(models, "MAX_MODEL_BYTES", 2**20)
    monkeypatch.setattr(gltf, "MAX_VERTICES", 100)
    with pytest.raises(ValueError, match="nest deeper than 128 levels"):
        check_model(write_gltf(tmp_path / "deep.gltf", doc))


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("ok.bam", bam_bytes(), None),
    ("cut.bam", bam_bytes()[:-3], "truncated"),
    ("cut2.bam", bam_bytes()[:-10], "truncated"),
    ("header.bam", bam_bytes(records=0)[:6], "holds no model"),
    ("text.bam", b"hello world" * 10, "not a Panda3D .bam file"),
    ("old.bam", bam_bytes(minor=2), "version 6.2"),
    ("other.bam", bam_bytes(major=5), "version 5.44"),
    ("ok.egg", b"<Group> g { }\n", None),
    ("binary.egg", b"<Group>\x00\xff", "an .egg is text"),
    ("latin.egg", "<Comment> { caf\xe9 }".encode("latin-1"), "not UTF-8 text"),
    ("empty.egg", b"", "the model file is empty"),
    ("model.obj", b"v 0 0 0\n", "models must be .gltf, .glb, .bam, .egg files"),
])
def test_bam_and_egg_files_are_framed_and_sized(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    if expected is None:
        assert check_model(path) == ModelFormat(path.suffix)
    else:
        with pytest.raises(ValueError, match=expected):
            check_model(path)


def test_a_missing_or_oversized_file_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="no such model file"):
        check_model(tmp_path / "gone.glb")
    path = tmp_path / "big.bam"
    path.write_bytes(bam_bytes(records=4))
    monkeypatch.setattr(models, "MAX_MODEL_BYTES", 32)
    with pytest.raises(ValueError, match="is more than the 0 MiB a model may have"):
        check_model(path)
