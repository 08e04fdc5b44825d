"""Panel: the board a plugin fills while a visitor is in its pavilion: text lines, buttons
and (API 1.1) keyed items: a colour legend, a bar or line chart, a gauge and an image.

The panel is plain data; the viewer draws it (gwangju_twin.ui.panel) and redraws whenever
``revision`` changes. All text comes in Korean and English; the viewer shows the visitor's
language. Items are checked when they are set, so a bad call fails in the plugin's own hook
with a ValueError that says what was wrong, never later inside the viewer's drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gwangju_twin.modes import Mode

#: The most lines and buttons a panel holds: a panel is a caption, not a document.
MAX_LINES = 12
MAX_BUTTONS = 6
MAX_TEXT = 120
#: The most items (legends, charts, gauges, images) a panel holds.
MAX_ITEMS = 6
#: A legend's entries and a chart's values: more would not read at the panel's width.
LEGEND_ENTRIES = (1, 12)
CHART_VALUES = (1, 24)
#: The first bytes of the image files the viewer draws.
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}

RGBA = tuple[float, float, float, float]


@dataclass(frozen=True)
class PanelLine:
    """One line of text, addressed by ``key`` so a plugin can update it in place."""

    key: str
    ko: str
    en: str


@dataclass(frozen=True)
class PanelButton:
    """A button; ``on_click`` runs inside the plugin's fault isolation."""

    key: str
    ko: str
    en: str
    on_click: Callable[[], None]


class ChartKind(Mode):
    """How a chart draws its values."""

    BAR = "bar"
    LINE = "line"


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: a colour swatch (RGBA, 0..1) and what the colour means."""

    rgba: RGBA
    ko: str
    en: str


@dataclass(frozen=True)
class PanelLegend:
    """A colour legend: swatches with their labels, under an optional title."""

    key: str
    entries: tuple[LegendEntry, ...]
    title_ko: str = ""
    title_en: str = ""

    def text(self, language: str = "ko") -> str:
        """The legend as one line of text: "title: label, label, ..."."""
        en = language == "en"
        labels = ", ".join(e.en if en else e.ko for e in self.entries)
        return _titled(self.title_en if en else self.title_ko, labels)


@dataclass(frozen=True)
class PanelChart:
    """A bar or line chart: one value per label, with an optional title and unit."""

    key: str
    values: tuple[float, ...]
    labels_ko: tuple[str, ...]
    labels_en: tuple[str, ...]
    kind: ChartKind = ChartKind.BAR
    title_ko: str = ""
    title_en: str = ""
    unit: str = ""

    def labels(self, language: str = "ko") -> tuple[str, ...]:
        """The value labels in ``language``."""
        return self.labels_en if language == "en" else self.labels_ko

    def text(self, language: str = "ko") -> str:
        """The chart as one line of text: "title: label value unit, ..."."""
        title = self.title_en if language == "en" else self.title_ko
        pairs = ", ".join(f"{label} {_with_unit(v, self.unit)}"
                          for label, v in zip(self.labels(language), self.values, strict=True))
        return _titled(title, pairs)


@dataclass(frozen=True)
class PanelGauge:
    """A gauge: one value on the range lo..hi, with an optional mark (a target line)."""

    key: str
    value: float
    lo: float
    hi: float
    label_ko: str
    label_en: str
    mark: float | None = None
    unit: str = ""

    @property
    def fraction(self) -> float:
        """Where the value sits on the range, 0 at ``lo`` and 1 at ``hi`` (clamped)."""
        return min(1.0, max(0.0, (self.value - self.lo) / (self.hi - self.lo)))

    def text(self, language: str = "ko") -> str:
        """The gauge as one line of text: "label: value unit (lo–hi, mark m)"."""
        en = language == "en"
        scale = f"{format_number(self.lo)}–{_with_unit(self.hi, self.unit)}"
        if self.mark is not None:
            scale += f", {'mark' if en else '기준'} {format_number(self.mark)}"
        label = self.label_en if en else self.label_ko
        return f"{label}: {_with_unit(self.value, self.unit)} ({scale})"


@dataclass(frozen=True)
class PanelImage:
    """A picture from the plugin's asset folder (PNG or JPEG), fitted to the panel's width."""

    key: str
    path: Path  # resolved, inside the asset folder

    def text(self, language: str = "ko") -> str:
        """The image as one line of text: its file name."""
        return f"[{'image' if language == 'en' else '이미지'} {self.path.name}]"


#: Anything a panel shows after its lines.
PanelItem = PanelLegend | PanelChart | PanelGauge | PanelImage


class Panel:
    """A plugin's panel: a title, up to 12 keyed lines, up to 6 keyed items (legends,
    charts, gauges, images) shown after the lines in the order they were first set, and up
    to 6 buttons.

    Every setter takes Korean text first and English second; leaving out ``en`` shows the
    Korean text in both languages. Text longer than 120 characters is cut with an ellipsis.
    ``assets`` is the plugin's asset folder, where ``set_image`` finds its files.
    """

    def __init__(self, title_ko: str = "", title_en: str = "",
                 assets: Path | None = None) -> None:
        self.title_ko = title_ko
        self.title_en = title_en or title_ko
        self.accent: tuple[float, float, float] = (0.3, 0.3, 0.3)
        self.assets = assets
        self._lines: dict[str, PanelLine] = {}
        self._items: dict[str, PanelItem] = {}
        self._buttons: dict[str, PanelButton] = {}
        self.notice: PanelLine | None = None  # set by the host, e.g. "demo unavailable"
        self.revision = 0

    @property
    def lines(self) -> tuple[PanelLine, ...]:
        """The lines in the order they were first set."""
        return tuple(self._lines.values())

    @property
    def items(self) -> tuple[PanelItem, ...]:
        """The legends, charts, gauges and images in the order they were first set."""
        return tuple(self._items.values())

    @property
    def buttons(self) -> tuple[PanelButton, ...]:
        """The buttons in the order they were added."""
        return tuple(self._buttons.values())

    def set_title(self, ko: str, en: str | None = None) -> None:
        """Set the panel's title (defaults to the plugin's title from its manifest)."""
        self.title_ko, self.title_en = _clip(ko), _clip(ko if en is None else en)
        self.revision += 1

    def set_line(self, key: str, ko: str, en: str | None = None) -> None:
        """Add the line ``key`` or replace its text; at most 12 lines (ValueError beyond)."""
        line = PanelLine(str(key), _clip(ko), _clip(ko if en is None else en))
        if self._lines.get(line.key) == line:
            return  # unchanged text costs no redraw
        if line.key not in self._lines and len(self._lines) >= MAX_LINES:
            raise ValueError(f"a panel holds at most {MAX_LINES} lines")
        self._lines[line.key] = line
        self.revision += 1

    def remove_line(self, key: str) -> None:
        """Remove the line ``key`` if there is one."""
        if self._lines.pop(str(key), None) is not None:
            self.revision += 1

    def add_button(
        self, key: str, ko: str, en: str | None, on_click: Callable[[], None]
    ) -> None:
        """Add (or replace) the button ``key``; at most 6 buttons (ValueError beyond)."""
        if not callable(on_click):
            raise TypeError("on_click must be callable with no arguments")
        if str(key) not in self._buttons and len(self._buttons) >= MAX_BUTTONS:
            raise ValueError(f"a panel holds at most {MAX_BUTTONS} buttons")
        self._buttons[str(key)] = PanelButton(
            str(key), _clip(ko), _clip(ko if en is None else en), on_click
        )
        self.revision += 1

    def remove_button(self, key: str) -> None:
        """Remove the button ``key`` if there is one."""
        if self._buttons.pop(str(key), None) is not None:
            self.revision += 1

    # -- items (API 1.1) --------------------------------------------------------------------

    def set_legend(self, key: str, items: Iterable[Sequence[object]], title_ko: str = "",
                   title_en: str = "") -> None:
        """Add the colour legend ``key`` or replace it: ``items`` is 1 to 12 entries
        ``(rgba, ko, en)``, ``rgba`` three or four numbers in 0..1 (alpha defaults to 1)."""
        rows = list(items)
        _count("a legend", "entries", len(rows), LEGEND_ENTRIES)
        entries = []
        for i, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or len(row) not in (2, 3):
                raise ValueError(f"legend entry {i} must be (rgba, ko, en) or (rgba, ko), "
                                 f"got {row!r}")
            rgba, ko = row[0], str(row[1])
            en = str(row[2]) if len(row) == 3 and row[2] else ko
            entries.append(LegendEntry(_rgba(rgba, f"legend entry {i}"), _clip(ko), _clip(en)))
        self._put(PanelLegend(str(key), tuple(entries), *_titles(title_ko, title_en)))

    def set_chart(self, key: str, values: Iterable[float], labels_ko: Iterable[str],
                  labels_en: Iterable[str] | None = None, kind: ChartKind | str = "bar",
                  title_ko: str = "", title_en: str = "", unit: str = "") -> None:
        """Add the chart ``key`` or replace it: 1 to 24 finite ``values``, one Korean and
        one English label each (``labels_en`` None: the Korean ones), drawn as a ``kind``
        "bar" or "line" chart with the ``unit`` on its axis."""
        nums = _numbers(values, "chart values")
        _count("a chart", "values", len(nums), CHART_VALUES)
        ko = tuple(_clip(t) for t in _texts(labels_ko, "labels_ko"))
        en = ko if labels_en is None else tuple(_clip(t) for t in _texts(labels_en, "labels_en"))
        for name, labels in (("labels_ko", ko), ("labels_en", en)):
            if len(labels) != len(nums):
                raise ValueError(f"a chart needs one label per value: {len(nums)} values "
                                 f"but {len(labels)} {name}")
        try:
            chart_kind = ChartKind(kind)
        except ValueError:
            raise ValueError(f"chart kind is {kind!r}; expected 'bar' or 'line'") from None
        self._put(PanelChart(str(key), nums, ko, en, chart_kind, *_titles(title_ko, title_en),
                             _clip(unit)))

    def set_gauge(self, key: str, value: float, lo: float, hi: float, label_ko: str,
                  label_en: str | None = None, mark: float | None = None,
                  unit: str = "") -> None:
        """Add the gauge ``key`` or replace it: ``value`` on the range ``lo`` < ``hi``
        (a value outside is drawn at the nearer end, and written as it is), with an
        optional ``mark`` inside the range, e.g. a target or a world-class line."""
        v, low, high = (_number(x, name) for x, name in ((value, "gauge value"),
                                                         (lo, "gauge lo"), (hi, "gauge hi")))
        if not low < high:
            raise ValueError(f"a gauge needs lo < hi, got lo={low:g}, hi={high:g}")
        m = None if mark is None else _number(mark, "gauge mark")
        if m is not None and not low <= m <= high:
            raise ValueError(f"the gauge mark {m:g} lies outside its range {low:g}..{high:g}")
        ko, en = _titles(label_ko, label_en or "")
        self._put(PanelGauge(str(key), v, low, high, ko, en, m, _clip(unit)))

    def set_image(self, key: str, path: str | Path) -> None:
        """Add the image ``key`` or replace it: a PNG or JPEG file in the plugin's asset
        folder (``path`` relative to it), drawn at the panel's width with its aspect kept."""
        if self.assets is None:
            raise ValueError("this panel has no asset folder to take images from")
        root = Path(self.assets).resolve()
        full = (root / path).resolve()
        if root not in full.parents:
            raise ValueError(f"{path}: images must come from the plugin's asset folder")
        if not full.is_file():
            raise ValueError(f"{path}: no such image file in the asset folder {root}")
        with full.open("rb") as f:
            head = f.read(8)
        if not any(head.startswith(magic) for magic in _MAGIC):
            raise ValueError(f"{path}: not a PNG or JPEG file")
        self._put(PanelImage(str(key), full))

    def remove_item(self, key: str) -> None:
        """Remove the item ``key`` (legend, chart, gauge or image) if there is one."""
        if self._items.pop(str(key), None) is not None:
            self.revision += 1

    def _put(self, item: PanelItem) -> None:
        if self._items.get(item.key) == item:
            return  # unchanged data costs no redraw
        if item.key not in self._items and len(self._items) >= MAX_ITEMS:
            raise ValueError(f"a panel holds at most {MAX_ITEMS} items")
        self._items[item.key] = item
        self.revision += 1

    def clear(self) -> None:
        """Remove every line, item and button (the title stays)."""
        self._lines.clear()
        self._items.clear()
        self._buttons.clear()
        self.revision += 1

    def text(self, language: str = "ko") -> list[str]:
        """The title, notice, lines and items (one line each) as shown in ``language``
        ("ko" or "en")."""
        en = language == "en"
        out = [self.title_en if en else self.title_ko]
        if self.notice is not None:
            out.append(self.notice.en if en else self.notice.ko)
        out += [line.en if en else line.ko for line in self._lines.values()]
        out += [item.text(language) for item in self._items.values()]
        return out


def format_number(value: float) -> str:
    """A value as a panel writes it: whole numbers without decimals, thousands grouped,
    others to three significant digits (1,250; 85; 72.4; 0.0312)."""
    if value == int(value) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _clip(text: str) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _titles(ko: str, en: str) -> tuple[str, str]:
    return _clip(ko), _clip(en or ko)


def _titled(title: str, body: str) -> str:
    return f"{title}: {body}" if title else body


def _with_unit(value: float, unit: str) -> str:
    number = format_number(value)
    return f"{number} {unit}" if unit else number


def _number(value: object, name: str) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


def _numbers(values: Iterable[float], name: str) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be numbers, got {values!r}")
    return tuple(_number(v, f"{name}[{i}]") for i, v in enumerate(values))


def _texts(labels: Iterable[str], name: str) -> tuple[str, ...]:
    if isinstance(labels, (str, bytes)):
        raise ValueError(f"{name} must be a list of labels, not one string")
    return tuple(str(t) for t in labels)


def _rgba(color: object, name: str) -> RGBA:
    if isinstance(color, (str, bytes)) or not isinstance(color, Iterable):
        raise ValueError(f"{name}: a colour is 3 or 4 numbers in 0..1, got {color!r}")
    parts = _numbers(color, f"{name} colour")
    if len(parts) not in (3, 4):
        raise ValueError(f"{name}: a colour is 3 or 4 numbers in 0..1, got {len(parts)}")
    if any(not 0.0 <= c <= 1.0 for c in parts):
        raise ValueError(f"{name}: colour components must lie in 0..1 (not 0..255), "
                         f"got {parts}")
    r, g, b = parts[:3]
    return (r, g, b, parts[3] if len(parts) == 4 else 1.0)


def _count(what: str, things: str, n: int, bounds: tuple[int, int]) -> None:
    lo, hi = bounds
    if not lo <= n <= hi:
        raise ValueError(f"{what} holds {lo} to {hi} {things}, got {n}")
