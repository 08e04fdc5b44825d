"""The panel's items (plugin API 1.1): legend, chart, gauge and image as plain data, their
validation on the call, and the text they add to ``Panel.text``."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from gwangju_twin.plugins import (
    ChartKind,
    LegendEntry,
    Panel,
    PanelChart,
    PanelGauge,
    PanelImage,
    PanelLegend,
)
from gwangju_twin.plugins.panel import MAX_ITEMS, format_number


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid one-colour RGB PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG_1X1 = png_bytes(1, 1, (200, 30, 30))
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"

RED, BLUE = (0.9, 0.1, 0.1), (0.1, 0.2, 0.9, 0.5)


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    folder = tmp_path / "plugin" / "assets"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "line.png").write_bytes(PNG_1X1)
    (folder / "photo.jpg").write_bytes(JPEG_HEAD + b"\x00" * 32)
    (folder / "fake.png").write_bytes(b"GIF89a not a png")
    (tmp_path / "plugin" / "secret.png").write_bytes(PNG_1X1)
    return folder


@pytest.fixture
def panel(assets: Path) -> Panel:
    return Panel("제조 관", "Manufacturing", assets=assets)


# -- each item ------------------------------------------------------------------------------


def test_legend_keeps_its_entries_and_titles(panel: Panel) -> None:
    panel.set_legend("sun", [(RED, "많음", "plenty"), (BLUE, "적음", "little")],
                     "일조", "Sunlight")
    (item,) = panel.items
    assert item == PanelLegend("sun", (LegendEntry((0.9, 0.1, 0.1, 1.0), "많음", "plenty"),
                                       LegendEntry(BLUE, "적음", "little")), "일조", "Sunlight")
    assert panel.text("ko")[-1] == "일조: 많음, 적음"
    assert panel.text("en")[-1] == "Sunlight: plenty, little"


def test_legend_without_english_shows_korean(panel: Panel) -> None:
    panel.set_legend("k", [(RED, "병원"), (BLUE, "응급실", "")])
    assert panel.text("en")[-1] == "병원, 응급실"


def test_chart_keeps_values_labels_kind_and_unit(panel: Panel) -> None:
    panel.set_chart("out", np.array([3, 2.5, 1250.0]), ["1월", "2월", "3월"],
                    ["Jan", "Feb", "Mar"], kind="line", title_ko="발전량", title_en="Output",
                    unit="kWh")
    (item,) = panel.items
    assert isinstance(item, PanelChart)
    assert item.values == (3.0, 2.5, 1250.0) and item.kind is ChartKind.LINE
    assert item.labels("en") == ("Jan", "Feb", "Mar") and item.labels("ko")[0] == "1월"
    assert panel.text("ko")[-1] == "발전량: 1월 3 kWh, 2월 2.5 kWh, 3월 1,250 kWh"
    assert panel.text("en")[-1] == "Output: Jan 3 kWh, Feb 2.5 kWh, Mar 1,250 kWh"


def test_chart_defaults_to_bars_and_korean_labels(panel: Panel) -> None:
    panel.set_chart("c", [1, 2], ["가", "나"])
    (item,) = panel.items
    assert isinstance(item, PanelChart)
    assert item.kind == "bar" and item.labels_en == ("가", "나")
    assert panel.text("en")[-1] == "가 1, 나 2"


def test_gauge_keeps_value_range_and_mark(panel: Panel) -> None:
    panel.set_gauge("oee", 72.4, 0, 100, "설비종합효율", "OEE", mark=85, unit="%")
    (item,) = panel.items
    assert item == PanelGauge("oee", 72.4, 0.0, 100.0, "설비종합효율", "OEE", 85.0, "%")
    assert isinstance(item, PanelGauge) and item.fraction == pytest.approx(0.724)
    assert panel.text("ko")[-1] == "설비종합효율: 72.4 % (0–100 %, 기준 85)"
    assert panel.text("en")[-1] == "OEE: 72.4 % (0–100 %, mark 85)"


def test_a_gauge_value_off_its_range_is_written_but_drawn_at_the_end(panel: Panel) -> None:
    panel.set_gauge("g", 130, 0, 100, "부하", "Load")
    panel.set_gauge("h", -5, 0, 100, "부하", "Load")
    over, under = panel.items
    assert isinstance(over, PanelGauge) and isinstance(under, PanelGauge)
    assert (over.fraction, under.fraction) == (1.0, 0.0)
    assert panel.text("en")[-2] == "Load: 130 (0–100)"


def test_image_from_the_asset_folder(panel: Panel, assets: Path) -> None:
    panel.set_image("line", "img/line.png")
    panel.set_image("photo", assets / "photo.jpg")  # an absolute path inside is fine too
    line, photo = panel.items
    assert line == PanelImage("line", (assets / "img" / "line.png").resolve())
    assert isinstance(photo, PanelImage) and photo.path.name == "photo.jpg"
    assert panel.text("en")[-2:] == ["[image line.png]", "[image photo.jpg]"]
    assert panel.text("ko")[-1] == "[이미지 photo.jpg]"


# -- order, replacing, removing -------------------------------------------------------------


def test_items_follow_the_lines_in_first_set_order(panel: Panel) -> None:
    panel.set_line("a", "첫 줄", "first line")
    panel.set_gauge("g", 1, 0, 2, "게이지", "gauge")
    panel.set_legend("l", [(RED, "빨강", "red")])
    panel.set_line("b", "둘째 줄", "second line")
    panel.set_gauge("g", 1.5, 0, 2, "게이지", "gauge")  # replaced in place
    assert [i.key for i in panel.items] == ["g", "l"]
    assert panel.text("en") == ["Manufacturing", "first line", "second line",
                                "gauge: 1.5 (0–2)", "red"]


def test_revision_moves_only_on_a_change(panel: Panel) -> None:
    panel.set_chart("c", [1, 2], ["가", "나"], ["a", "b"])
    before = panel.revision
    panel.set_chart("c", (1.0, 2.0), ("가", "나"), ("a", "b"))  # the same data again
    assert panel.revision == before
    panel.set_chart("c", [1, 3], ["가", "나"], ["a", "b"])
    assert panel.revision == before + 1
    panel.remove_item("c")
    assert panel.items == () and panel.revision == before + 2
    panel.remove_item("c")  # harmless, no redraw
    assert panel.revision == before + 2


def test_clear_removes_items_too(panel: Panel) -> None:
    panel.set_line("a", "가")
    panel.set_gauge("g", 1, 0, 2, "게이지")
    panel.clear()
    assert panel.items == () and panel.text("ko") == ["제조 관"]


def test_a_panel_holds_a_limited_number_of_items(panel: Panel) -> None:
    for i in range(MAX_ITEMS):
        panel.set_gauge(f"g{i}", i, 0, 10, "게이지")
    panel.set_gauge("g0", 5, 0, 10, "게이지")  # replacing is always fine
    with pytest.raises(ValueError, match=f"at most {MAX_ITEMS} items"):
        panel.set_legend("one-more", [(RED, "빨강")])


# -- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("entries", "message"), [
    ([], "a legend holds 1 to 12 entries, got 0"),
    ([(RED, "가")] * 13, "a legend holds 1 to 12 entries, got 13"),
    ([((255, 0, 0), "빨강")], r"must lie in 0..1 \(not 0..255\)"),
    ([((1, 0), "빨강")], "a colour is 3 or 4 numbers"),
    ([("red", "빨강")], "a colour is 3 or 4 numbers"),
    ([((1, 0, math.nan), "빨강")], "must be a finite number"),
    ([(RED,)], r"must be \(rgba, ko, en\)"),
    (["빨강"], r"must be \(rgba, ko, en\)"),
])
def test_bad_legends_are_refused(panel: Panel, entries: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        panel.set_legend("l", entries)
    assert panel.items == ()


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([], [], []), {}, "a chart holds 1 to 24 values, got 0"),
    (([1] * 25, ["x"] * 25, None), {}, "a chart holds 1 to 24 values, got 25"),
    (([1, 2, 3], ["a", "b"], ["a", "b", "c"]), {},
     "one label per value: 3 values but 2 labels_ko"),
    (([1, 2], ["a", "b"], ["a"]), {}, "one label per value: 2 values but 1 labels_en"),
    (([1, math.inf], ["a", "b"], None), {}, r"chart values\[1\] must be a finite number"),
    (([1, "many"], ["a", "b"], None), {}, r"chart values\[1\] must be a number"),
    (([[1, 2]], ["a"], None), {}, r"chart values\[0\] must be a number"),
    (("12", ["a", "b"], None), {}, "chart values must be numbers"),
    (([1, 2], "ab", None), {}, "labels_ko must be a list of labels"),
    (([1], ["a"], None), {"kind": "pie"}, "chart kind is 'pie'; expected 'bar' or 'line'"),
])
def test_bad_charts_are_refused(panel: Panel, args: tuple, kwargs: dict, message: str
                                ) -> None:
    with pytest.raises(ValueError, match=message):
        panel.set_chart("c", *args, **kwargs)
    assert panel.items == ()


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((50, 100, 0), {}, "a gauge needs lo < hi, got lo=100, hi=0"),
    ((50, 1, 1), {}, "a gauge needs lo < hi"),
    ((math.nan, 0, 100), {}, "gauge value must be a finite number"),
    ((50, 0, math.inf), {}, "gauge hi must be a finite number"),
    ((None, 0, 100), {}, "gauge value must be a number"),
    ((50, 0, 100), {"mark": 120}, "the gauge mark 120 lies outside its range 0..100"),
    ((50, 0, 100), {"mark": math.nan}, "gauge mark must be a finite number"),
])
def test_bad_gauges_are_refused(panel: Panel, args: tuple, kwargs: dict, message: str
                                ) -> None:
    with pytest.raises(ValueError, match=message):
        panel.set_gauge("g", *args, "게이지", "gauge", **kwargs)
    assert panel.items == ()


@pytest.mark.parametrize(("path", "message"), [
    ("missing.png", "no such image file in the asset folder"),
    ("img", "no such image file"),  # a folder
    ("fake.png", "not a PNG or JPEG file"),
    ("../secret.png", "images must come from the plugin's asset folder"),
])
def test_bad_images_are_refused(panel: Panel, path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        panel.set_image("i", path)
    assert panel.items == ()


def test_an_image_needs_an_asset_folder() -> None:
    with pytest.raises(ValueError, match="no asset folder"):
        Panel("가", "a").set_image("i", "x.png")


def test_a_plugins_context_panel_takes_images_from_its_assets(tmp_path: Path) -> None:
    from plugin_builders import write_plugin

    from gwangju_twin.plugins.manifest import read_manifest

    folder = write_plugin(tmp_path, "acme.panel", "manufacturing")
    manifest = read_manifest(folder)
    (manifest.assets_dir).mkdir(exist_ok=True)
    (manifest.assets_dir / "logo.png").write_bytes(PNG_1X1)
    from gwangju_twin.plugins.context import PavilionContext

    ctx = PavilionContext(manifest, None, None, None, None)  # type: ignore[arg-type]
    ctx.panel.set_image("logo", "logo.png")
    assert ctx.panel.items[0] == PanelImage("logo", manifest.assets_dir / "logo.png")


@pytest.mark.parametrize(("value", "text"), [
    (85, "85"), (85.0, "85"), (72.44, "72.4"), (0.03125, "0.0312"), (1250, "1,250"),
    (12345.6, "12,346"), (-3.5, "-3.5"), (0, "0"),
])
def test_numbers_are_written_short(value: float, text: str) -> None:
    assert format_number(value) == text
