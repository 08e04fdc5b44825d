"""The drawing kit's side in the plugins room (no renderer): what ``ctx.make_label`` and
``ctx.make_line`` check and hand to the viewer, and labels following ``ctx.language``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gwangju_twin.plugins.drawing import LINE_COLOR, DrawingKit


class FakeNode:
    def __init__(self, name: str) -> None:
        self.name, self.removed = name, False

    def is_empty(self) -> bool:
        return self.removed

    def has_parent(self) -> bool:
        return not self.removed


class FakeServices:
    """Records what the kit asks of the viewer."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def make_label(self, parent: Any, text_ko: str, text_en: str, pos: Any, scale: float,
                   accent: Any, language: str) -> FakeNode:
        self.calls.append(("label", parent.name, text_ko, text_en, pos, scale, accent,
                           language))
        return FakeNode(f"label-{text_en}")

    def set_label_language(self, label: FakeNode, language: str) -> None:
        self.calls.append(("language", label.name, language))

    def make_line(self, parent: Any, points: np.ndarray, width: float, rgba: Any) -> FakeNode:
        self.calls.append(("line", parent.name, points, width, rgba))
        return FakeNode("line")


class Panel:
    accent = (0.9, 0.3, 0.2)


def kit() -> tuple[DrawingKit, FakeServices]:
    ctx = DrawingKit()
    ctx.node, ctx.panel = FakeNode("plugin"), Panel()
    services = FakeServices()
    ctx._services = services
    ctx.language = "ko"
    return ctx, services


def test_a_label_goes_to_the_viewer_in_the_visitors_language_and_follows_it() -> None:
    ctx, services = kit()
    ground = ctx.make_label("응급실", "Emergency room", (10, 20))
    high = ctx.make_label("병원", "Hospital", np.array([1.0, 2.0, 30.0]),
                          parent=FakeNode("mine"), scale=2)
    assert services.calls == [
        ("label", "plugin", "응급실", "Emergency room", (10.0, 20.0, 0.0), 1.0,
         (0.9, 0.3, 0.2), "ko"),
        ("label", "mine", "병원", "Hospital", (1.0, 2.0, 30.0), 2.0, (0.9, 0.3, 0.2), "ko"),
    ]
    services.calls.clear()
    ctx.language = "en"
    assert services.calls == [("language", "label-Emergency room", "en"),
                              ("language", "label-Hospital", "en")]
    # A removed label is forgotten, not re-drawn.
    ground.removed = True
    services.calls.clear()
    ctx.language = "ko"
    assert services.calls == [("language", high.name, "ko")]
    assert ctx.language == "ko"


@pytest.mark.parametrize(("args", "kwargs"), [
    (("", "", (0, 0)), {}),
    (("가", "A", (0,)), {}),
    (("가", "A", (0, 0, 0, 0)), {}),
    (("가", "A", (0, float("nan"))), {}),
    (("가", "A", (0, 0)), {"scale": 0}),
    (("가", "A", (0, 0)), {"scale": float("inf")}),
])
def test_a_label_refuses_what_it_cannot_draw(args, kwargs) -> None:
    ctx, services = kit()
    with pytest.raises(ValueError):
        ctx.make_label(*args, **kwargs)
    assert services.calls == []


def test_a_line_goes_to_the_viewer_flat_with_a_full_colour() -> None:
    ctx, services = kit()
    ctx.make_line([[0, 0, 5], [100, 0, 7], [100, 50, 9]])
    ctx.make_line(np.array([[0.0, 0.0], [1.0, 1.0]]), width=8, color=(2.0, 0.5, -1.0),
                  parent=FakeNode("mine"))
    (_, parent, points, width, rgba), (_, parent2, _, width2, rgba2) = services.calls
    assert parent == "plugin" and width == 3.0 and rgba == LINE_COLOR
    np.testing.assert_array_equal(points, [[0, 0], [100, 0], [100, 50]])  # heights dropped
    assert points.flags.c_contiguous
    assert parent2 == "mine" and width2 == 8.0 and rgba2 == (1.0, 0.5, 0.0, 1.0)  # clipped


@pytest.mark.parametrize(("points", "kwargs"), [
    ([[0, 0]], {}),
    ([0, 1, 2], {}),
    ([[0, 0, 0, 0], [1, 1, 1, 1]], {}),
    ([[0, 0], [float("inf"), 1]], {}),
    ([[0, 0], [1, 1]], {"width": 0}),
    ([[0, 0], [1, 1]], {"width": -3}),
    ([[0, 0], [1, 1]], {"color": (1, 0)}),
])
def test_a_line_refuses_what_it_cannot_draw(points, kwargs) -> None:
    ctx, services = kit()
    with pytest.raises(ValueError):
        ctx.make_line(points, **kwargs)
    assert services.calls == []
