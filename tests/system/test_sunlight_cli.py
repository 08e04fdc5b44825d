"""``gwangju-twin sunlight``: a building's winter-solstice sunlight on the default district,
run as a user would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

Cli = Callable[..., subprocess.CompletedProcess]


def test_city_hall_on_the_solstice(cli: Cli) -> None:
    done = cli("sunlight", "--building", "lm-cityhall", "--date", "2026-12-22", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["schema"] == "gwangju-twin/sunlight/1"
    assert out["building"]["id"] == "lm-cityhall"
    assert out["date"] == "2026-12-22" and out["zone"] == "Asia/Seoul"
    # The default district draws City Hall as a 100 x 36 m block squared to the grid
    # (scripts/ generator, GWANGJU.md: an 18-floor wing): four walls facing N, E, S, W.
    facing = {f["facing"]: f for f in out["facades"]}
    assert set(facing) == {"N", "E", "S", "W"}
    assert facing["S"]["length_m"] == facing["N"]["length_m"]
    # Between 08:00 and 16:00 on the solstice the sun stays south of east-west (it rises at
    # azimuth 119 deg), so the north wall never faces it.
    assert facing["N"]["hours_total"] == 0.0 and not facing["N"]["passes"]
    for f in out["facades"]:
        assert 0.0 <= f["hours_continuous"] <= min(6.0, f["hours_total"]) <= 8.0
    assert out["passes"] == any(f["passes"] for f in out["facades"])


def test_text_report_ends_with_the_verdict(cli: Cli) -> None:
    done = cli("sunlight", "--building", "Gwangju City Hall", "--date", "2026-12-22")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("Gwangju City Hall (#")
    assert lines[-1].startswith(("verdict: PASS", "verdict: FAIL"))
    assert "2005다72485" in lines[-1]


def test_bad_building_and_bad_date_are_one_line_and_status_2(cli: Cli) -> None:
    for args, says in (
        (("--building", "no-such-building"), "no building has that feature id or name"),
        (("--building", "lm-cityhall", "--date", "2026-02-30"), "expected a day as YYYY-MM-DD"),
        (("--building", "#99999"), "is no building with a footprint and a height"),
    ):
        done = cli("sunlight", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert says in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
