"""The interface text catalogue: the shipped file is complete and consistent, the loader
refuses broken files with a one-line error, and the code only asks for keys that exist
(tests/stage/test_catalogue_font.py: the shipped font draws every text)."""

from __future__ import annotations

import ast
import string
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from render_helpers import REPO, panda3d_loaded_by

from gwangju_twin.controls import CAMERA_MODES, CONTROLS, SECTIONS
from gwangju_twin.errors import InputError
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue, load_catalogue

#: Catalogue methods that take a key as first argument, plus the widgets' shorthand
#: ``_t(key, ...)`` (gwangju_twin/ui/theme.py), which only forwards to ``text``.
KEY_METHODS = {"text": 2, "both": 1, "get": 3, "_t": 1}  # name -> positional args before values
#: Keyword arguments of those methods that are not placeholder values.
NOT_VALUES = {"language", "default"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


# -- the shipped catalogue -------------------------------------------------------------------


def test_shipped_catalogue_is_complete(catalogue: Catalogue) -> None:
    assert len(catalogue.keys) > 100
    for key, texts in catalogue.entries.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(t.strip() for t in texts.values()), key
        assert fields(texts["ko"]) == fields(texts["en"]), key
        assert key.count(".") >= 1, f"{key}: every key lives in a section"


def test_text_fills_placeholders(catalogue: Catalogue) -> None:
    assert catalogue.text("toast.entered", "en", name="Solar") == "Entered: Solar"
    assert catalogue.both("app.title") == ("광주 트윈", "Gwangju Twin")
    assert catalogue.get("use.no-such-use", "en", "fallback") == "fallback"
    assert catalogue.get("use.house", "ko", "fallback") == "단독주택"
    with pytest.raises(KeyError):
        catalogue.text("no.such.key", "ko")
    with pytest.raises(ValueError, match="'fr'"):
        catalogue.text("app.title", "fr")


def test_every_control_has_help_and_keys(catalogue: Catalogue) -> None:
    missing = [f"{kind}.{c.name}" for c in CONTROLS for kind in ("help", "keys")
               if f"{kind}.{c.name}" not in catalogue.keys]
    missing += [f"help.section.{s}" for s in SECTIONS if f"help.section.{s}" not in catalogue.keys]
    missing += [f"camera.{m}" for m in CAMERA_MODES if f"camera.{m}" not in catalogue.keys]
    assert missing == []
    assert {c.section for c in CONTROLS} <= set(SECTIONS)


# -- the loader refuses broken catalogues ----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[a.b]\nko = "{n}개"\nen = "{count} items"\n', "'a.b' uses different placeholders"),
        ('[a.b]\nko = "가"\n', "'a.b.en' is None; expected non-empty text"),
        ('[a.b]\nen = "A"\n', "'a.b.ko' is None"),
        ('[a.b]\nko = "가"\nen = "   "\n', "'a.b.en' is '   '; expected non-empty text"),
        ('[a.b]\nko = "가"\nen = 3\n', "'a.b.en' is 3; expected non-empty text"),
        ('a = "text"\n', "'a' is 'text'; expected a table"),
        ('[a]\nb = 3\n', "'a.b' is not a language"),
        ('[a.b]\nko = "가"\nen = "A"\nja = "あ"\n', "'a.b.ja' is not a language"),
        ('[a.b]\nko = "가 {"\nen = "A {"\n', "'a.b' has a broken placeholder"),
        ('[a.b]\nko = "가 }"\nen = "A"\n', "'a.b' has a broken placeholder"),
        ('[a.b\nko = "가"\n', "not valid TOML"),
    ],
    ids=["placeholders-differ", "no-en", "no-ko", "empty", "not-text", "not-a-table",
         "bad-subtable", "unknown-language", "open-brace", "lone-close-brace", "not-toml"],
)
def test_loader_rejects_a_broken_catalogue(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "text.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_loader_rejects_a_missing_or_binary_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="text catalogue not found"):
        load_catalogue(tmp_path / "none.toml")
    path = tmp_path / "text.toml"
    path.write_bytes(b"[a.b]\nko = \"\xff\"\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_catalogue(path)


def test_loader_accepts_texts_and_sections_side_by_side(tmp_path: Path) -> None:
    path = tmp_path / "text.toml"
    path.write_text('[a]\nko = "가"\nen = "A"\n[a.b]\nko = "{n} 나"\nen = "{n} B"\n',
                    encoding="utf-8")
    cat = load_catalogue(path)
    assert cat.keys == {"a", "a.b"}
    assert cat.text("a.b", "en", n=2) == "2 B"
    assert cat.source == str(path)


# -- the code asks only for keys that exist --------------------------------------------------


def key_uses(tree: ast.AST, sections: set[str]) -> Iterator[tuple[int, str, set[str] | None]]:
    """(line, key, keyword names or None when ``**values`` is passed) of every call
    ``<x>.text|both|get|_t("<section>.<...>", ...)`` with a literal key (or a choice of two)
    of a catalogue section. Keys built at run time (f-strings, variables) cannot be checked
    this way."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in KEY_METHODS and node.args):
            continue
        names = {k.arg for k in node.keywords}
        for key in literal_strings(node.args[0]):
            if "." in key and key.split(".")[0] in sections:
                yield node.lineno, key, None if None in names else names - NOT_VALUES


def literal_strings(node: ast.expr) -> list[str]:
    """The strings an argument can be: a literal, or both branches of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return literal_strings(node.body) + literal_strings(node.orelse)
    return []


def code_key_uses(sections: set[str]) -> list[tuple[str, str, set[str] | None]]:
    uses = []
    for path in sorted((REPO / "gwangju_twin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(REPO).as_posix()
        uses += [(f"{where}:{line}", key, names) for line, key, names in key_uses(tree, sections)]
    return uses


def test_the_key_scan_finds_what_it_should() -> None:
    code = textwrap.dedent("""
        cat.text("menu.title", "en")
        self._catalogue.both("toast.entered", name=n)
        cat.get("use.house", lang, "House")
        self._t("help.title")
        cat.text(f"camera.{mode}", "ko")     # built at run time: not checkable
        cat.text(key, "ko")                  # a variable: not checkable
        props.get("height")                  # no dot
        props.get("building.levels")         # not a catalogue section
        cat.text("toast.left", lang, **values)
        cat.text("toast.invert_on" if on else "toast.invert_off", lang)
    """)
    found = [(key, names) for _, key, names in key_uses(ast.parse(code), {"menu", "toast",
                                                                           "use", "help"})]
    assert found == [("menu.title", set()), ("toast.entered", {"name"}), ("use.house", set()),
                     ("help.title", set()), ("toast.left", None), ("toast.invert_on", set()),
                     ("toast.invert_off", set())]


def test_every_key_the_code_uses_exists(catalogue: Catalogue) -> None:
    sections = {key.split(".")[0] for key in catalogue.keys}
    uses = code_key_uses(sections)
    assert uses, "no catalogue use found: is the scan still looking at the right calls?"
    missing = [f"{where}: {key}" for where, key, _ in uses if key not in catalogue.keys]
    assert missing == []


def test_every_literal_key_gets_exactly_its_placeholders(catalogue: Catalogue) -> None:
    """``text`` fills placeholders only when values are given, so a forgotten value would
    show a raw ``{name}`` on screen instead of failing."""
    sections = {key.split(".")[0] for key in catalogue.keys}
    wrong = []
    for where, key, names in code_key_uses(sections):
        if key not in catalogue.keys or names is None:
            continue  # a missing key is the test above; **values cannot be checked here
        expected = fields(catalogue.entries[key]["en"])
        if names != expected:
            wrong.append(f"{where}: {key} given {sorted(names)}, uses {sorted(expected)}")
    assert wrong == []


# -- no Panda3D --------------------------------------------------------------------------------


def test_catalogue_imports_without_panda3d() -> None:
    code = ("import gwangju_twin.ui.catalogue, gwangju_twin.controls\n"
            "gwangju_twin.ui.catalogue.load_catalogue()\n")
    assert panda3d_loaded_by(code) == []
