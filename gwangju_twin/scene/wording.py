"""How scene files word their errors: ``'camera.pitch' is 95.0; expected 5 to 89.9 degrees``.

A wrong value is shown as Python writes it, and a number out of range as the float it was
read as; the rows of ``[[pavilion]]`` and ``[[tour.stop]]`` say what they need
(``'pavilion[0]' needs 'sector' (...)``). The tour says its seconds as it always has.
"""

from __future__ import annotations

from typing import Any

from gwangju_twin.schema import Key, Spot, Table, Wording, fits
from gwangju_twin.tomlfile import show_value


class SceneWording(Wording):
    """The scene file's sections: ``[camera]``, ``[district]``, ..."""

    def show(self, key: Key, value: Any) -> str:
        """A number out of range as read (0 as 0.0); any other value as Python writes it, but
        for true and false and a TOML date-time (``Wording.show``)."""
        if key.kind == "number" and fits(key, value):
            return show_value(value, "scene")
        return super().show(key, value)

    def wrong(self, spot: Spot, value: Any, expected: str = "") -> str:
        """Tables that are not tables say how they are written."""
        assert spot.key is not None
        if spot.key.kind == "tables" and isinstance(value, list):  # a row is no table
            n = next(n for n, row in enumerate(value) if not isinstance(row, dict))
            return f"{self.where(f'{spot.name}[{n}]', '')} must be a table [[{spot.name}]]"
        if spot.key.kind == "tables":
            return f"{spot.where} must be an array of tables [[{spot.name}]]"
        if spot.key.kind == "table" and not spot.table:
            return f"{spot.where} must be a table [{spot.name}]"
        return super().wrong(spot, value, expected)

    def unknown(self, spot: Spot, table: Table, name: str, value: Any) -> str:
        """Above the sections: the sections there are."""
        if spot.table:
            return super().unknown(spot, table, name, value)
        names = [f"[{k.name}]" for k in table.keys if k.kind == "table"]
        names += [f"[[{k.name}]]" for k in table.keys if k.kind == "tables"]
        if not isinstance(value, (dict, list)):
            # ``source = "x"`` above every section header: a key, not a section.
            return (f"key '{name}' stands outside any section; write it under its section "
                    f"(one of {', '.join(names)})")
        return f"unknown section [{name}]; expected one of {', '.join(names)}"


class RowWording(SceneWording):
    """A row of an array of tables: it names what it needs."""

    def missing(self, spot: Spot) -> str:
        """``'pavilion[0]' needs 'sector' (one of ...)``."""
        assert spot.key is not None
        if spot.key.missing:
            return super().missing(spot)
        return f"{self.where(spot.table, '')} needs '{spot.key.name}' ({spot.key.doc})"


class NumbersAsRead(RowWording):
    """A ``[[pavilion]]`` row, and the numbers inside a key (``camera.target.x``): a number
    key's value is shown as read, right kind or not."""

    def show(self, key: Key, value: Any) -> str:
        """A number key's value as read (true, an array, 0.0); others as ``Wording.show``."""
        return show_value(value, "scene") if key.kind == "number" else Wording.show(
            self, key, value)


class TourWording(RowWording):
    """``[tour]`` and its ``[[tour.stop]]`` rows: values as Python writes them (1, 'x'), but
    for true and false and a TOML date-time (``Wording.show``), and seconds "between 3 and
    600"."""

    def show(self, key: Key, value: Any) -> str:
        """``value`` as ``Wording.show`` writes it (not as a number read: 1, not 1.0)."""
        return Wording.show(self, key, value)

    def wrong(self, spot: Spot, value: Any, expected: str = "") -> str:
        """``[[tour.stop]]`` rows that are not all tables are one mistake."""
        assert spot.key is not None
        if spot.key.kind == "tables":
            return f"{spot.where} must be an array of tables [[{spot.name}]]"
        return super().wrong(spot, value, expected)

    def expected(self, key: Key, value: Any) -> str:
        """A number's range, whatever was written instead."""
        if key.kind == "number" and key.range is not None and not key.expected:
            return self.range(key)
        return super().expected(key, value)

    def range(self, key: Key) -> str:
        """E.g. "seconds between 3 and 600"."""
        assert key.range is not None and key.range[1] is not None
        low, high = key.range
        return f"{key.unit} between {low:.0f} and {high:.0f}"
