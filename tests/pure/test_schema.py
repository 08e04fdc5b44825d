"""The declarative schema of the TOML files: the walk itself, and the docs held to the schemas
(docs/kiosk.toml, docs/scenes.md, docs/plugins.md and docs/touring.md describe every key with
the unit, range and default the readers use, and no key the readers do not know)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
import tomli_w
from render_helpers import REPO, modules_loaded_by

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.config import KIOSK, KioskConfig, parse_kiosk_config
from gwangju_twin.kiosk.pin import CORNERS, Corner
from gwangju_twin.language import LANGUAGES, Language
from gwangju_twin.plugins.manifest import MANIFEST
from gwangju_twin.scene.pavilions import PAVILION
from gwangju_twin.scene.scenefile import SCENE
from gwangju_twin.scene.sectors import SECTOR_IDS, SectorId
from gwangju_twin.scene.tour import tour_table
from gwangju_twin.schema import CheckError, Key, Spot, Table, Wording, accepts, walk
from gwangju_twin.settings import SETTINGS, Settings, load_settings
from gwangju_twin.tomlfile import UnreadableError, parse_toml, show_value

DOCS = REPO / "docs"
HERE = Path("f.toml")


def _problem(doc: dict[str, Any], table: Table, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        walk(doc, table, HERE, **kwargs)
    message = str(caught.value)
    assert message.startswith("f.toml: ") and "\n" not in message
    return message.removeprefix("f.toml: ")


# -- the walk ---------------------------------------------------------------------------------

PLAIN = Table((
    Key("count", "int", default=2, range=(1, 9)),
    Key("speed", "number", default=1.0, unit="metres", range=(0.5, 10)),
    Key("open", "bool", default=False),
    Key("name", "str", required=True, field="title"),
    Key("mode", "choice", default="a", choices=("a", "b", "c")),
    Key("side", "choice", default="l", choices=("l", "r")),
    Key("tags", "list", default=()),
))


def test_values_come_back_by_field_with_defaults_and_numbers_as_floats() -> None:
    values = walk({"name": "x", "speed": 3}, PLAIN, HERE)
    assert values == {"count": 2, "speed": 3.0, "open": False, "title": "x", "mode": "a",
                      "side": "l", "tags": ()}
    assert isinstance(values["speed"], float)


@pytest.mark.parametrize(("doc", "message"), [
    ({"name": "x", "cuont": 1}, "unknown key 'cuont'; expected one of count, mode, name, open, "
                                "side, speed, tags"),
    ({}, "missing key 'name'"),
    ({"name": 5}, "'name' is 5; expected a string"),
    ({"name": "x", "count": True}, "'count' is true; expected a whole number"),
    ({"name": "x", "count": 1.0}, "'count' is 1.0; expected a whole number"),
    ({"name": "x", "count": 10}, "'count' is 10; expected 1 to 9"),
    ({"name": "x", "speed": True}, "'speed' is true; expected a number"),
    ({"name": "x", "speed": "fast"}, "'speed' is 'fast'; expected a number"),
    ({"name": "x", "speed": 0.1}, "'speed' is 0.1; expected 0.5 to 10 metres"),
    ({"name": "x", "speed": float("nan")}, "'speed' is nan; expected 0.5 to 10 metres"),
    ({"name": "x", "speed": 10**400}, "expected 0.5 to 10 metres"),
    ({"name": "x", "open": 1}, "'open' is 1; expected true or false"),
    ({"name": "x", "mode": "d"}, "'mode' is 'd'; expected one of a, b, c"),
    ({"name": "x", "side": 1}, "'side' is 1; expected l or r"),
    ({"name": "x", "tags": "a"}, "'tags' is 'a'; expected an array"),
])
def test_each_kind_of_mistake_is_one_line_naming_the_key(doc: dict[str, Any],
                                                        message: str) -> None:
    assert message in _problem(doc, PLAIN)


def test_an_open_range_and_the_reader_s_own_error() -> None:
    table = Table((Key("api", "int", range=(1, None)),))
    assert walk({"api": 10**30}, table, HERE) == {"api": 10**30}
    with pytest.raises(ValueError, match=r"^f\.toml: 'api' is 0; expected 1 or more$"):
        walk({"api": 0}, table, HERE, error=ValueError)


def _even(value: int, spot: Spot) -> int:
    if value % 2:
        raise CheckError("an even number")
    if value == 4:
        raise CheckError(message=f"{spot.where} is unlucky")
    return value // 2


def test_checks_convert_and_word_their_own_rules() -> None:
    table = Table((Key("n", "int", check=_even), Key("m", "int", expected="a small number",
                                                      range=(0, 3))))
    assert walk({"n": 6}, table, HERE) == {"n": 3, "m": None}
    assert _problem({"n": 3}, table) == "'n' is 3; expected an even number"
    assert _problem({"n": 4}, table) == "'n' is unlucky"
    assert _problem({"m": 5}, table) == "'m' is 5; expected a small number"
    # A check sees values of its key's kind only.
    assert _problem({"n": "6"}, table) == "'n' is '6'; expected a whole number"


INNER = Table((Key("x", "number", required=True), Key("y", "number", default=0.0)),
              check=lambda values, spot: (values["x"], values["y"]))


def test_sub_tables_are_named_by_dotted_keys_and_absent_ones_take_their_default() -> None:
    table = Table((Key("at", "table", table=INNER), Key("box", "table", default={},
                                                          table=INNER)))
    assert walk({"box": {"x": 1}}, table, HERE) == {"at": None, "box": (1.0, 0.0)}
    assert _problem({"box": {"x": "a"}}, table) == "'box.x' is 'a'; expected a number"
    assert _problem({"box": {"z": 1}}, table) == "unknown key 'box.z'; expected one of x, y"
    assert _problem({"box": 3}, table) == "'box' is 3; expected a table"
    # An absent table with a default is checked as written empty: its required keys show.
    assert _problem({}, table) == "missing key 'box.x'"


def _no_twins(rows: list[dict[str, Any]], spot: Spot) -> list[dict[str, Any]]:
    if len({row["id"] for row in rows}) != len(rows):
        raise CheckError(message=f"{spot.where} repeats an id")
    return rows


ROWS = Table((Key("row", "tables", default=(), check=_no_twins, table=Table(
    (Key("id", "str", required=True), Key("size", "int", default=1, range=(1, 5))),
    first=("id",), title=lambda values: values["id"])),))


def test_rows_of_an_array_of_tables_are_numbered_and_titled() -> None:
    assert walk({}, ROWS, HERE) == {"row": []}
    rows = walk({"row": [{"id": "a"}, {"id": "b", "size": 2}]}, ROWS, HERE)["row"]
    assert rows == [{"id": "a", "size": 1}, {"id": "b", "size": 2}]
    assert _problem({"row": [{"id": "a"}, {"size": 2}]}, ROWS) == "missing key 'row[1].id'"
    # After its first keys, a row is named by its title.
    assert _problem({"row": [{"id": "a", "size": 9}]}, ROWS) == \
        "'row[0] (a).size' is 9; expected 1 to 5"
    assert _problem({"row": [{"id": "a"}, {"id": "a"}]}, ROWS) == "'row' repeats an id"
    assert _problem({"row": [1]}, ROWS) == "'row' is [1]; expected an array of tables"


def test_unknown_keys_come_first_then_missing_ones_then_the_rest_in_the_file_s_order() -> None:
    assert _problem({"open": 1, "name": 5, "x": 1}, PLAIN).startswith("unknown key 'x'")
    assert _problem({"open": 1, "count": 0}, PLAIN) == "missing key 'name'"
    assert _problem({"open": 1, "name": 5}, PLAIN).startswith("'open' is 1")
    assert _problem({"name": 5, "open": 1}, PLAIN).startswith("'name' is 5")


def test_collecting_problems_keeps_going_with_defaults() -> None:
    problems: list[str] = []
    values = walk({"count": 0, "open": True, "x": 1, "speed": "fast"}, PLAIN, HERE,
                  problems=problems)
    assert values == {"count": 2, "speed": 1.0, "open": True, "title": None, "mode": "a",
                      "side": "l", "tags": ()}
    assert problems == ["f.toml: unknown key 'x'; expected one of count, mode, name, open, "
                        "side, speed, tags",
                        "f.toml: missing key 'name'",
                        "f.toml: 'count' is 0; expected 1 to 9",
                        "f.toml: 'speed' is 'fast'; expected a number"]


def test_a_wording_rewords_every_message() -> None:
    class Shouting(Wording):
        def where(self, table: str, key: str) -> str:
            return f"<{key.upper()}>"

        def missing(self, spot: Spot) -> str:
            return f"{spot.where} IS MISSING"

    assert _problem({}, PLAIN, wording=Shouting()) == "<NAME> IS MISSING"
    assert _problem({"name": "x", "open": 2}, PLAIN, wording=Shouting()) == \
        "<OPEN> is 2; expected true or false"


def test_accepts_answers_for_one_value() -> None:
    speed = PLAIN["speed"]
    assert accepts(speed, 2) and accepts(speed, 10.0)
    assert not accepts(speed, 11) and not accepts(speed, True) and not accepts(speed, "2")


def test_the_schema_imports_nothing_from_the_rooms() -> None:
    loaded = modules_loaded_by("import gwangju_twin.schema", ("gwangju_twin", "panda3d"))
    assert loaded == ["gwangju_twin", "gwangju_twin.errors", "gwangju_twin.schema"]


# -- tomlfile: one parse, one way of showing a value ------------------------------------------

@pytest.mark.parametrize(("text", "trouble"), [
    ("x = [", "syntax"),
    ("x = " + "[" * 5000 + "]" * 5000, "nested"),
    (".".join(["a"] * 40) + " = 1", "long key"),
    ("[" + ".".join(["a"] * 20) + "]\n" + ".".join(["b"] * 20) + " = 1\n", "deep"),
    ("x = " + "9" * 5000, "long number"),
])
def test_parse_toml_names_the_trouble(text: str, trouble: str) -> None:
    with pytest.raises(UnreadableError) as caught:
        parse_toml(text)
    assert caught.value.trouble == trouble


def test_a_settings_file_nested_too_deep_after_parsing_is_set_aside(tmp_path: Path) -> None:
    """Settings now get read_toml's depth guard too (it used to parse such a file)."""
    path = tmp_path / "settings.toml"
    path.write_text("[" + ".".join(["a"] * 20) + "]\n" + ".".join(["b"] * 20) + " = 1\n",
                    encoding="utf-8")
    loaded = load_settings(path)
    [problem] = loaded.problems
    assert loaded.settings == Settings()
    assert "levels deep" in problem and "kept it as" in problem
    assert path.with_name("settings.toml.corrupt").exists()


@pytest.mark.parametrize(("value", "toml", "scene"), [
    (True, "true", "true"), (0, "0", "0.0"), (2.5, "2.5", "2.5"), ("a", '"a"', "'a'"),
    ([1], "an array", "an array"), ({"a": 1}, "a table", "a table"),
    (10**30, str(10**30), "100000000000... (31 digits)"), ("x" * 100, '"' + "x" * 100 + '"',
                                                           "'" + "x" * 76 + "..."),
])
def test_show_value_in_both_styles(value: Any, toml: str, scene: str) -> None:
    assert show_value(value) == toml
    assert show_value(value, "scene") == scene


# -- the schemas agree with the readers' types and defaults ------------------------------------

def test_modes_are_literal_types_of_the_same_values() -> None:
    assert get_args(SectorId) == SECTOR_IDS
    assert get_args(Corner) == CORNERS == KIOSK["operator"].table["corner"].choices
    assert get_args(Language) == LANGUAGES == KIOSK["kiosk"].table["language"].choices
    assert SETTINGS["language"].choices == LANGUAGES
    assert PAVILION["sector"].choices == SECTOR_IDS == MANIFEST["sector"].choices


def test_schema_defaults_are_the_dataclass_defaults() -> None:
    assert parse_kiosk_config({}, HERE) == KioskConfig(path=HERE)
    assert Settings(**walk({}, SETTINGS, HERE)) == Settings()
    assert [k.name for k in SETTINGS.keys] == list(Settings.__dataclass_fields__)


# -- the docs describe the schemas ------------------------------------------------------------

def _ranges(comment: str, joiner: str) -> set[tuple[float, float]]:
    """Every "LOW .. HIGH" (or "LOW to HIGH") range a comment states, as numbers."""
    pattern = rf"(-?\d[\d.]*)\s*{joiner}\s*(-?\d[\d.]*\d|-?\d)"
    return {(float(a), float(b)) for a, b in re.findall(pattern, comment)}


def _kiosk_sample() -> list[tuple[str, str, str, str, bool]]:
    """(table, key, value as written, the comment above it, commented out) per sample key."""
    found = []
    table, block = "", []
    for line in (DOCS / "kiosk.toml").read_text(encoding="utf-8").splitlines():
        header = re.fullmatch(r"\[(\w+)\]", line)
        key = re.fullmatch(r"(# )?(\w+) = (.+)", line)
        if header:
            table, block = header[1], []
        elif key:
            found.append((table, key[2], key[3], " ".join(block), bool(key[1])))
            block = []
        elif line.startswith("#"):
            block.append(line.lstrip("# "))
        else:
            block = []
    return found


def _kiosk_number(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() else str(int(value))


def test_the_kiosk_sample_documents_every_key_with_its_unit_range_and_default() -> None:
    sample = _kiosk_sample()
    documented = {(t, k) for t, k, *_ in sample}
    schema = {(t.name, k.name) for t in KIOSK.keys for k in t.table.keys}  # type: ignore[union-attr]
    assert documented == schema
    values = parse_toml((DOCS / "kiosk.toml").read_text(encoding="utf-8"))
    walked = walk(values, KIOSK, DOCS / "kiosk.toml")
    for table, name, written, comment, commented in sample:
        key = KIOSK[table].table[name]  # type: ignore[union-attr]
        where = f"[{table}] {name}"
        if key.range is not None:
            low, high = key.range
            assert (low, high) in _ranges(comment, "to"), where
            assert _ranges(comment, "to") == {(low, high)}, where
            assert key.unit in comment.lower(), where
        for choice in key.choices:
            assert json.dumps(choice) in comment, where
        if key.default is None:  # a place or a secret, not a value: described, left out
            assert commented and "Default:" in comment, where
            continue
        assert not commented and walked[table][key.field or name] == key.default, where
        if written.startswith("["):
            continue  # the allow list's default is described in words
        shown = written if not written[0].isdigit() else _kiosk_number(float(written))
        assert f"Default {shown}." in comment, where


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", text, re.DOTALL)


def _comments(block: str) -> dict[str, str]:
    """Each key's comment in a documentation block, by dotted name (rows without an index):
    the comment on its line and the indented comment lines that follow; a table's comment
    under its own name."""
    comments: dict[str, list[str]] = {}
    table = current = ""
    for line in block.splitlines():
        code, _, comment = line.partition("#")
        header = re.match(r"\[\[?([\w.]+)\]\]?", code.strip())
        key = re.match(r"(\w+)\s*=", code.strip())
        if header:
            table = current = header[1]
        elif key and not code.startswith(" "):
            current = f"{table}.{key[1]}" if table else key[1]
        comments.setdefault(current, []).append(comment.strip())
    return {name: " ".join(parts).strip() for name, parts in comments.items() if name}


def _documented_keys(blocks: list[str]) -> dict[str, str]:
    comments: dict[str, str] = {}
    for block in blocks:
        for name, comment in _comments(block).items():
            comments[name] = f"{comments.get(name, '')} {comment}".strip()
    return comments


def _schema_keys(table: Table, prefix: str = "") -> dict[str, Key]:
    """Every key of ``table`` by dotted name, sub-tables and rows included."""
    found = {}
    for key in table.keys:
        name = f"{prefix}{key.name}"
        found[name] = key
        if key.table is not None:
            found.update(_schema_keys(key.table, f"{name}."))
    return found


def _check_comment(name: str, key: Key, comment: str, joiner: str) -> None:
    assert ("required" in comment) == key.required, name
    ranges = _ranges(comment.replace("..", " .. "), joiner)
    assert ranges == ({key.range} if key.range else set()), name
    defaults = re.findall(r"default (-?\d[\d.]*(?: x \d+)?)", comment)
    if isinstance(key.default, (int, float)) and not isinstance(key.default, bool):
        assert defaults == [f"{key.default:g}"], name
    elif isinstance(key.default, tuple):
        assert defaults == [" x ".join(f"{v:g}" for v in key.default)], name
    else:
        assert defaults == [], name


def test_the_scene_docs_document_every_key_with_its_range_and_default() -> None:
    schema = _schema_keys(SCENE)
    # [tour] has its own table, built with the scene's pavilions.
    schema.update(_schema_keys(tour_table([]), "tour."))
    documented = _documented_keys(_toml_blocks((DOCS / "scenes.md").read_text("utf-8")))
    sections = {k.name for k in SCENE.keys}
    assert set(documented) == set(schema), set(documented) ^ set(schema)
    for name, key in schema.items():
        if name in sections:
            assert "required" not in documented[name], name  # sections are all optional
            continue
        _check_comment(name, key, documented[name], r"\.\.")
    # The layers are shown at their defaults.
    [block] = [b for b in _toml_blocks((DOCS / "scenes.md").read_text("utf-8"))
               if "[layers]" in b]
    layers = SCENE["layers"].table
    assert layers is not None
    assert parse_toml(block)["layers"] == {k.name: k.default for k in layers.keys}


def test_the_plugin_guide_documents_every_manifest_key() -> None:
    guide = (DOCS / "plugins.md").read_text("utf-8")
    block = _toml_blocks(guide.split("## The manifest", 1)[1])[0]
    documented = _comments(block)
    schema = _schema_keys(MANIFEST)
    assert set(documented) == set(schema), set(documented) ^ set(schema)
    for name, key in schema.items():
        comment = documented[name]
        assert ("required" in comment) == key.required, name
        if key.range is not None:
            assert f"({key.range[0]} or more)" in comment, name
        if isinstance(key.default, str) and key.default:
            assert f'default "{key.default}"' in comment, name
    for sector in SECTOR_IDS:
        assert f"| `{sector}` |" in guide, sector


def test_the_touring_guide_documents_every_setting() -> None:
    guide = (DOCS / "touring.md").read_text("utf-8")
    block = _toml_blocks(guide.split("## Settings", 1)[1])[0]
    documented, values = _comments(block), parse_toml(block)
    assert list(values) == [k.name for k in SETTINGS.keys]
    for key in SETTINGS.keys:
        assert values[key.name] == key.default, key.name  # the block shows the defaults
        comment = documented[key.name]
        assert _ranges(comment, r"\.\.") == ({key.range} if key.range else set()), key.name
        for choice in key.choices:
            assert json.dumps(choice) in comment, key.name


def test_the_documented_samples_are_valid(tmp_path: Path) -> None:
    """Every documentation block reads without error once its file names exist."""
    source = (REPO / "assets" / "sangmu.geojson").as_posix()
    for block in _toml_blocks((DOCS / "scenes.md").read_text("utf-8")):
        doc = parse_toml(block)
        doc.setdefault("district", {})["source"] = source
        if "boundaries" in doc:  # any existing file will do: the walk only checks it is one
            doc["boundaries"]["source"] = source
        doc.get("plugins", {}).pop("folder", None)
        pavilions = doc.get("pavilion", []) or [{"sector": "energy", "at": {"x": 0, "y": 0}}]
        ids = [p.get("id", p["sector"]) for p in pavilions]
        doc["pavilion"] = pavilions + [{"sector": s, "at": {"x": 300.0 * n, "y": 0}}
                                       for n, s in enumerate(SECTOR_IDS, 1) if s not in ids]
        path = tmp_path / "scene.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        walk(doc, SCENE, path)
    guide = (DOCS / "plugins.md").read_text("utf-8")
    walk(parse_toml(_toml_blocks(guide.split("## The manifest", 1)[1])[0]), MANIFEST, HERE)
