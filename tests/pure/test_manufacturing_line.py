"""The manufacturing demo's line simulation: OEE against hand-computed cases, the takt's
throughput, breakdowns, the bottleneck and determinism (no renderer)."""

from __future__ import annotations

import pytest

from gwangju_twin.demos.manufacturing.line import (
    TAKT_S,
    AssemblyLine,
    StationSpec,
)


def exact_line() -> AssemblyLine:
    """Four stations of exactly 120 s, no spread, no defects, buffers of 10 (never full)."""
    specs = [StationSpec(f"s{i}", f"s{i}", f"s{i}", 120.0, spread=0.0) for i in range(4)]
    return AssemblyLine(specs, takt=140.0, buffer=10, seed=1)


def test_oee_without_breakdowns_matches_the_hand_computation():
    # Car n is launched at 140 n and needs 4 x 120 s, so it leaves at 140 n + 480.
    # By 3660 s: 140 n + 480 <= 3660 -> n <= 22.7, cars 0..22 = 23 out.
    # A = 1, P = 140 x 23 / 3660 = 0.87978 (the line filling up), Q = 1.
    line = exact_line()
    line.advance(3660)
    oee = line.oee()
    assert line.out == 23
    assert oee.availability == 1.0 and oee.quality == 1.0
    assert oee.performance == pytest.approx(140 * 23 / 3660)
    assert oee.value == pytest.approx(0.879781, abs=1e-6)


def test_oee_with_a_breakdown_matches_the_hand_computation():
    # Station 1 breaks at t = 1000 for 600 s. Car k reaches station 1 at 140 k + 120; car 6
    # started there at 960, so 40 s are done and 80 s remain: it finishes at 1600 + 80 = 1680.
    # Cars 7.. queue in the buffer (arriving every 140 s) and leave station 1 back to back,
    # car n at 1680 + 120 (n - 6) (the queue lasts until n = 36). Two more stations of 120 s:
    # car n leaves the line at 1920 + 120 (n - 6) <= 3660 -> n <= 20.5; cars 0..5 left at
    # 140 n + 480 before. So cars 0..20 = 21 out.
    # A = (3660 - 600) / 3660 = 0.836066; P = 140 x 21 / 3060 = 0.960784; Q = 1;
    # OEE = 140 x 21 / 3660 = 0.803279.
    line = exact_line()
    line.advance(1000)
    line.break_down(1, 600.0)
    line.advance(2660)
    oee = line.oee()
    assert line.out == 21
    assert line.down_seconds() == pytest.approx(600.0)
    assert oee.availability == pytest.approx(3060 / 3660)
    assert oee.performance == pytest.approx(2940 / 3060)
    assert oee.quality == 1.0
    assert oee.value == pytest.approx(0.803279, abs=1e-6)
    assert line.bottleneck() == 1  # working + down: the broken station is the busiest


def test_overlapping_breakdowns_count_once_for_availability():
    line = exact_line()
    line.advance(500)
    line.break_down(0, 300.0)
    line.break_down(2, 300.0)  # same interval, another station: the line lost 300 s
    line.advance(200)
    line.break_down(0, 400.0)  # 700..1100 overlaps 500..800: the union is 500..1100
    line.advance(900)
    assert line.down_seconds() == pytest.approx(600.0)
    assert line.oee().availability == pytest.approx(1 - 600 / 1600)


def test_the_casper_line_keeps_the_takt_without_breakdowns():
    line = AssemblyLine(seed=7)
    line.advance(3600)  # the line fills up in the first hour
    first_hour = line.out + line.scrapped
    line.advance(8 * 3600)
    # 3600 / 140 = 25.7 cars an hour once the line is full, scrapped ones included.
    assert round(3600 / TAKT_S, 1) == 25.7
    assert (line.out + line.scrapped - first_hour) / 8 == pytest.approx(3600 / TAKT_S, abs=0.2)
    assert line.throughput_per_hour() == pytest.approx(3600 / TAKT_S, abs=1.5)  # one hour
    oee = line.oee()
    assert oee.availability == 1.0
    assert oee.value > 0.85 and oee.quality < 1.0  # defects happen, at the yields' rate
    assert oee.value == pytest.approx(TAKT_S * line.good / line.now)  # A x P x Q = takt x good / T


def test_a_long_breakdown_drops_oee_below_world_class_and_makes_the_bottleneck():
    line = AssemblyLine(seed=7)
    line.advance(3600)
    before = line.bottleneck()
    target = 0 if before != 0 else 1
    line.break_down(target, 1800.0)
    line.advance(3600)
    assert line.oee().value < 0.85
    assert line.bottleneck() == target
    states = line.stations[target].seconds
    assert states["down"] == pytest.approx(1800.0)
    # Before the broken station cars pile up (blocked); after it the stations starve.
    after = line.stations[target + 1]
    assert after.seconds["starved"] > 1000.0


def test_quality_follows_the_first_pass_yields():
    spec = [StationSpec("a", "a", "a", 100.0, spread=0.0, first_pass_yield=0.9,
                        on_defect="scrap")]
    line = AssemblyLine(spec, takt=100.0, seed=3)
    line.advance(100 * 2000 + 50)
    total = line.out + line.scrapped
    assert total == 2000
    assert line.oee().quality == pytest.approx(0.9, abs=0.02)  # 3 sigma of 2000 draws
    assert line.stations[0].scrapped == line.scrapped


def test_the_same_seed_gives_the_same_run():
    a, b = AssemblyLine(seed=5), AssemblyLine(seed=5)
    for line in (a, b):
        line.advance(1234.5)
        line.break_down(3, 300.0)
        line.advance(5000.0)
    assert (a.out, a.good, a.scrapped, a.oee()) == (b.out, b.good, b.scrapped, b.oee())
    assert [(c.id, c.station, c.place, c.progress) for c in a.cars] == \
        [(c.id, c.station, c.place, c.progress) for c in b.cars]


def test_advancing_in_small_steps_equals_one_big_step():
    # The demo advances by each frame's dt; the result must not depend on the frame rate.
    a, b = AssemblyLine(seed=2), AssemblyLine(seed=2)
    a.advance(3000.0)
    for _ in range(3000):
        b.advance(1.0)
    assert (a.out, a.good, a.oee()) == (b.out, b.good, b.oee())


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        AssemblyLine([])
    line = AssemblyLine()
    with pytest.raises(IndexError):
        line.break_down(9, 10.0)
    with pytest.raises(ValueError):
        line.break_down(0, 0.0)


def test_a_shift_started_on_a_full_line_counts_from_then():
    # The exact line after 1000 s: a new shift from there, with the breakdown of the hand
    # case above (station 1, 1000..1600). Cars 0..3 left before 1000 (140 n + 480 < 1000),
    # so the shift counts cars 4..20: 17 out in 2660 s, 600 of them down.
    # A = 2060 / 2660 = 0.774436; P = 140 x 17 / 2060 = 1.155, more than 1 because the cars
    # already on the line at the start count: capped at 1. OEE = A = 0.774436.
    line = exact_line()
    line.advance(1000)
    line.start_shift()
    line.break_down(1, 600.0)
    line.advance(2660)
    oee = line.oee()
    assert line.out == 17 and line.elapsed == pytest.approx(2660.0)
    assert oee.availability == pytest.approx(2060 / 2660)
    assert oee.performance == 1.0
    assert oee.value == pytest.approx(0.774436, abs=1e-6)
    assert line.stations[1].seconds["down"] == pytest.approx(600.0)
