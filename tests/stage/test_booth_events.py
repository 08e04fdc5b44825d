"""The booth's input and lifetime through the real paths: a tap shorter than a frame (button
events from the pointer's device node), the PIN checked off the frame loop, and a real
SIGTERM to a real booth process closing the open visit.

Offscreen, with the VirtualMouse the stage builds: its press and release go through the same
data graph a window's mouse or touch screen feeds.
"""

from __future__ import annotations

import dataclasses
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from render_helpers import REPO

from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.kiosk.config import KioskConfig
from gwangju_twin.kiosk.pin import hash_pin

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

pytestmark = pytest.mark.render

SIZE = (800, 450)
PIN = "5791"


def kiosk_config(tmp: Path, **changes: Any) -> KioskConfig:
    base = KioskConfig(size=SIZE, attract_after=5.0, reset_after=10.0, countdown=3,
                       attract_dwell=3.0, pin_hash=hash_pin(PIN, iterations=100_000),
                       log_folder=tmp / "logs", database=tmp / "visits.sqlite3")
    return dataclasses.replace(base, **changes)


@pytest.fixture
def kiosk(booth_prepared: Prepared, tmp_path: Path) -> Iterator[Rehearsal]:
    from gwangju_twin.app.rehearsal import Rehearsal

    k = Rehearsal(booth_prepared, kiosk_config(tmp_path), fps=4)  # a slow booth: 250 ms frames
    try:
        yield k
    finally:
        k.close()


def quick_tap(kiosk: Rehearsal, x: float, y: float) -> None:
    """A press and its release both within one frame (a light tap on a slow booth)."""
    kiosk.pointer.move(x, y)
    kiosk.frames(1)
    kiosk.pointer.press()
    kiosk.pointer.release()
    kiosk.frames(2)


def test_a_tap_within_one_frame_starts_a_visit(kiosk: Rehearsal) -> None:
    booth = kiosk.booth
    assert booth.cycle.state == "welcome"
    quick_tap(kiosk, 0.1, -0.2)
    assert booth.cycle.state == "visit"
    assert booth.visits.visit_id is not None


def test_a_tap_within_one_frame_wakes_the_attract_loop(kiosk: Rehearsal) -> None:
    booth = kiosk.booth
    kiosk.seconds(6.0)
    assert booth.cycle.state == "attract" and booth.reel.running
    quick_tap(kiosk, 0.3, 0.1)
    assert booth.cycle.state == "visit"
    assert not booth.reel.running and not booth.prompt.visible


def test_a_quick_tap_in_the_operator_corner_is_a_visitors_tap(kiosk: Rehearsal) -> None:
    # Let go long before the hold: no PIN pad, but a visit (as a slow press there does).
    quick_tap(kiosk, -0.97, 0.97)
    assert kiosk.booth.cycle.state == "visit" and not kiosk.booth.pinpad.visible


def test_the_pin_is_checked_off_the_frame_loop(booth_prepared: Prepared, tmp_path: Path) -> None:
    from gwangju_twin.app.rehearsal import Rehearsal

    # 10,000,000 iterations: seconds of PBKDF2 (the config refuses it; built here directly
    # to make the check long enough to watch frames go on during it).
    config = kiosk_config(tmp_path, pin_hash=hash_pin(PIN, iterations=10_000_000))
    kiosk = Rehearsal(booth_prepared, config, fps=15)
    try:
        booth, pad = kiosk.booth, kiosk.booth.pinpad
        kiosk.chord()
        assert pad.visible
        for digit in PIN:
            kiosk.tap_widget(pad.buttons[digit])
        kiosk.pointer.move(*kiosk.where(pad.buttons["ok"]))
        kiosk.frames(1)
        kiosk.pointer.press()
        kiosk.frames(1)
        kiosk.pointer.release()
        kiosk.frames(1)  # OK fires on this frame; the frame returns at once
        assert booth.checking_pin and pad.checking and pad.locked
        assert not booth.menu.visible
        assert pad.text()[1] in ("확인 중…", "Checking…")
        # Keys are ignored meanwhile, the frames go on, and the result comes on a frame.
        pad.press("1")
        assert pad.entered == 0
        kiosk.settle_pin()
        assert booth.menu.visible and not pad.visible and not pad.checking
        assert booth.gate.failures == 0
    finally:
        kiosk.close()


def test_a_wrong_pin_checked_off_the_loop_counts_and_says_so(kiosk: Rehearsal) -> None:
    booth, pad = kiosk.booth, kiosk.booth.pinpad
    kiosk.chord()
    kiosk.type_pin("1111")
    assert booth.gate.failures == 1 and pad.visible and not booth.menu.visible
    assert pad.text()[1] in ("PIN이 맞지 않습니다", "Wrong PIN")
    assert not pad.locked
    kiosk.type_pin(PIN)
    assert booth.menu.visible and booth.gate.failures == 0


# A booth process: the real Booth with its signal handlers, run by base.run() as the kiosk
# child runs it; it taps, enters a pavilion, stays, and says so on stdout.
_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path

    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    db = Path(sys.argv[1])
    config = KioskConfig(size=(640, 360), attract_after=3600.0, reset_after=3600.0,
                         database=db, log_folder=db.parent / "logs")
    kiosk = Rehearsal(prepare(load_scene(default_scene_path()), admit=config.allows),
                      config, fps=15, catch_signals=True)
    touring = kiosk.booth.touring
    kiosk.tap(0.1, -0.2)
    touring.go_to_pavilion("mobility")
    for _ in range(2000):
        if touring.expo.inside == "mobility":
            break
        kiosk.frames(1)
    kiosk.seconds(12.0)
    print("inside", touring.expo.inside, flush=True)
    kiosk.base.run()
    kiosk.close()  # as app.run_kiosk: the booth closes, then its exit status is read
    code = kiosk.booth.exit_code
    print("closed", code, flush=True)
    sys.exit(code)
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_closes_the_open_visit_as_shutdown(tmp_path: Path, sig: int) -> None:
    db = tmp_path / "visits.sqlite3"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(db)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        # Waits for the stay (the district loads first); bounded, so a hung child fails.
        ready, _, _ = select.select([proc.stdout], [], [], 600)
        first = proc.stdout.readline() if ready else ""
        assert first.split() == ["inside", "mobility"], (first, proc.stderr.read())
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, err
    # (Panda3D's task manager prints "* interrupt by keyboard" first on a SIGINT.)
    assert out.splitlines()[-1].split() == ["closed", str(128 + sig)]
    with sqlite3.connect(db) as conn:
        visits = conn.execute("SELECT started, ended, end_reason, last_event FROM visits")
        [(started, ended, reason, last)] = visits.fetchall()
        stays = conn.execute("SELECT pavilion, entered, left_at FROM stays").fetchall()
    assert reason == "shutdown"
    assert ended is not None and ended == last
    [(pavilion, entered, left_at)] = stays
    assert pavilion == "mobility"
    # The stay lasted the 12 s the booth ran inside before the signal, and more while it ran
    # on; it ends where the visit ends, not at 0 s as a kill used to leave it.
    assert left_at == ended
    assert left_at - entered >= 12.0
    assert ended - started > left_at - entered


def test_a_database_failing_mid_visit_turns_analytics_off_not_the_booth(
        kiosk: Rehearsal, tmp_path: Path) -> None:
    booth, touring = kiosk.booth, kiosk.booth.touring
    kiosk.tap(0.1, -0.2)
    assert booth.cycle.state == "visit" and booth.visits is not None
    # Someone damages the database under the running booth (as a disk fault would).
    with sqlite3.connect(tmp_path / "visits.sqlite3") as conn:
        conn.execute("DROP TABLE stays")
    conn.close()
    touring.go_to_pavilion("mobility")
    kiosk.seconds(6.0)  # entering writes a stay: it fails, once
    assert touring.expo.inside == "mobility"
    assert booth.visits is None and booth.exit_code is None
    assert booth.analytics_error is not None and "damaged" in booth.analytics_error
    # The booth goes on: the countdown and the reset still come, the operator sees why.
    kiosk.seconds(11.0)
    assert booth.counts["countdown"] == 1 and booth.counts["reset"] == 1
    assert booth.cycle.state == "welcome" and booth.exit_code is None
    kiosk.chord()
    kiosk.type_pin(PIN)
    assert booth.menu.visible
    assert any("analytics off" in line or "방문 통계 꺼짐" in line for line in booth.menu.text())


@pytest.mark.parametrize("attract", [False, True])
def test_a_quick_tap_on_the_pads_cancel_starts_no_visit(kiosk: Rehearsal,
                                                        attract: bool) -> None:
    # Press and release in one frame on Cancel: the booth must hear the press while the
    # operator overlay is still open, not after Cancel has closed it.
    booth = kiosk.booth
    if attract:
        kiosk.seconds(6.0)
    before = booth.cycle.state
    kiosk.chord()
    assert booth.pinpad.visible
    quick_tap(kiosk, *kiosk.where(booth.pinpad.buttons["cancel"]))
    assert not booth.pinpad.visible
    assert booth.cycle.state == before and booth.visits.visit_id is None
    assert booth.counts["visit"] == 0
