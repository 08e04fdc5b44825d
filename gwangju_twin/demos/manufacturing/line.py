"""An EV assembly line as a discrete-event simulation (SimPy), with live OEE (pure code).

The line copies the rhythm of Gwangju Global Motors' Casper Electric line: a new body is
launched every takt (about 140 s, 25.7 cars an hour) into a row of stations (body, paint,
general assembly, battery marriage, inspection), each working a little faster than the takt
with a small random spread, with a small buffer in front of each. A station that finishes
waits (is *blocked*) while the buffer after it is full; one with nothing to work on is
*starved*. A breakdown injected at a station stops its work until the repair is done.
Each station finds a defect with probability ``1 - first_pass_yield``: it reworks the car
(another cycle) or, at inspection, scraps it.

OEE (Nakajima) is measured for the whole line over the time simulated so far:
availability = (planned - down) / planned, where *down* is the time at least one station
was broken; performance = takt x cars out / run time; quality = good cars / cars out, where
a good car passed every station first time and cars out include scrapped ones. Their product
is therefore takt x good cars / planned time. The bottleneck is the station with the
highest *active* share (working or down), the active-period method of Roser et al.: the
busiest station is the one that holds the others up (those before it are blocked, those
after it starved).

Everything random comes from one seeded generator, so a seed gives the same run.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import simpy

#: Gwangju Global Motors' takt: about 25.7 cars an hour (GWANGJU.md), 3600 / 25.7 = 140 s.
TAKT_S = 140.0
#: The usual "world-class" OEE mark (about 90 % x 95 % x 99.9 %, Nakajima's TPM).
WORLD_CLASS_OEE = 0.85
#: The world-class marks of its factors: availability, performance, quality (Nakajima).
WORLD_CLASS_FACTORS = (0.90, 0.95, 0.999)

#: What a station does with a car it finds a defect in.
OnDefect = Literal["rework", "scrap"]
#: What a station is doing; ``down`` (broken) overrides the others.
StationState = Literal["starved", "working", "blocked", "down"]
STATES: tuple[StationState, ...] = ("starved", "working", "blocked", "down")


@dataclass(frozen=True)
class StationSpec:
    """One station: its names, mean cycle time (s), the spread of the cycle time (a fraction
    of it, uniform either side), its first-pass yield and what happens to a defect."""

    key: str
    name_ko: str
    name_en: str
    cycle_s: float
    spread: float = 0.03
    first_pass_yield: float = 1.0
    on_defect: OnDefect = "rework"


#: The default line: every station a little under the takt so the line keeps pace, paint with
#: the lowest first-pass yield (paint defects are the usual rework), inspection scrapping the
#: rare car it cannot pass. Cycle times and yields are the model's assumptions (README).
CASPER_LINE: tuple[StationSpec, ...] = (
    StationSpec("body", "차체", "Body", 128.0, 0.03, 0.998),
    StationSpec("paint", "도장", "Paint", 132.0, 0.04, 0.985),
    StationSpec("assembly", "의장", "Assembly", 134.0, 0.04, 0.995),
    StationSpec("battery", "배터리", "Battery", 130.0, 0.03, 0.998),
    StationSpec("inspection", "검사", "Inspection", 126.0, 0.03, 0.995, "scrap"),
)
#: Cars each buffer between stations holds (the one in front of the first station too).
BUFFER_CARS = 2


@dataclass
class Car:
    """A car on the line; ``first_pass`` stays true while no station found a defect."""

    id: int
    station: int = -1  # the station it is at or waiting for (its buffer)
    progress: float = 0.0  # 0..1 through the current cycle, while working
    place: Literal["buffer", "working", "blocked"] = "buffer"
    first_pass: bool = True
    _start: float = 0.0
    _cycle: float = 1.0


@dataclass
class Station:
    """A station's live state and the seconds it has spent in each state."""

    spec: StationSpec
    state: StationState = "starved"
    broken_until: float = 0.0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    cars_done: int = 0
    reworks: int = 0
    scrapped: int = 0
    _base: StationState = "starved"
    _since: float = 0.0
    _process: Any = None

    def share(self, state: StationState, elapsed: float) -> float:
        """The fraction of ``elapsed`` seconds spent in ``state``."""
        return self.seconds[state] / elapsed if elapsed > 0 else 0.0


@dataclass(frozen=True)
class Oee:
    """The line's OEE and its three factors (0..1)."""

    availability: float
    performance: float
    quality: float

    @property
    def value(self) -> float:
        """availability x performance x quality."""
        return self.availability * self.performance * self.quality


class AssemblyLine:
    """The line simulation; ``advance`` moves simulated time on, the rest reads its state."""

    def __init__(self, stations: Sequence[StationSpec] = CASPER_LINE, takt: float = TAKT_S,
                 buffer: int = BUFFER_CARS, seed: int = 13) -> None:
        if not stations:
            raise ValueError("a line needs at least one station")
        if takt <= 0 or buffer < 1:
            raise ValueError("the takt must be positive and buffers hold at least one car")
        self.takt = float(takt)
        self.env = simpy.Environment()
        self._rng = random.Random(seed)
        self.stations = [Station(s) for s in stations]
        # buffers[i] feeds station i.
        self.buffers = [simpy.Store(self.env, capacity=buffer) for _ in stations]
        self.cars: list[Car] = []  # on the line, oldest first
        self.out = 0  # cars that left the last station (good or reworked)
        self.good = 0
        self.scrapped = 0
        self._finish_times: list[float] = []
        self._down: list[tuple[float, float]] = []  # merged breakdown intervals
        self._next_id = 0
        self._shift_start = 0.0
        self.env.process(self._launch())
        for i, st in enumerate(self.stations):
            st._process = self.env.process(self._work(i))

    # --- running ------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulated seconds since the line started."""
        return float(self.env.now)

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the shift started: the OEE's planned time."""
        return self.now - self._shift_start

    def start_shift(self) -> None:
        """Start counting afresh with the line as it is (full, after a warm-up): OEE, cars
        out and the stations' times count from now."""
        self._account_all()
        self._shift_start = self.now
        self.out = self.good = self.scrapped = 0
        for st in self.stations:
            st.seconds = dict.fromkeys(STATES, 0.0)
            st.cars_done = st.reworks = st.scrapped = 0

    def advance(self, seconds: float) -> None:
        """Run the line for ``seconds`` of simulated time."""
        if seconds > 0:
            self.env.run(until=self.env.now + seconds)
        self._account_all()
        for car in self.cars:
            if car.place == "working":
                st = self.stations[car.station]
                # A broken station's car stands still; its progress is kept at the break.
                if st.state != "down":
                    car.progress = min(1.0, (self.now - car._start) / car._cycle)

    def break_down(self, station: int, repair_s: float) -> None:
        """Stop ``station`` now until ``repair_s`` seconds of repair are done."""
        if not 0 <= station < len(self.stations):
            raise IndexError(f"the line has stations 0..{len(self.stations) - 1}")
        if repair_s <= 0:
            raise ValueError("a repair takes a positive time")
        st = self.stations[station]
        start, end = self.now, self.now + float(repair_s)
        st.broken_until = max(st.broken_until, end)
        self._add_down(start, end)
        self._set(st, broken=True)
        if st._base == "working":
            st._process.interrupt("breakdown")
        self.env.process(self._repair(st))

    # --- what the line shows ------------------------------------------------------------

    def oee(self) -> Oee:
        """The line's OEE over the shift so far (all ones before any time has passed)."""
        planned = self.elapsed
        if planned <= 0:
            return Oee(1.0, 1.0, 1.0)
        down = self.down_seconds()
        run = planned - down
        total = self.out + self.scrapped
        availability = run / planned
        performance = min(1.0, self.takt * total / run) if run > 0 else 0.0
        quality = self.good / total if total else 1.0
        return Oee(availability, performance, quality)

    def down_seconds(self) -> float:
        """Seconds of this shift during which at least one station was broken."""
        now, start = self.now, self._shift_start
        return sum(max(0.0, min(b, now) - max(a, start)) for a, b in self._down)

    def throughput_per_hour(self) -> float:
        """Cars out in the last simulated hour (or the rate so far, in the first hour)."""
        now = self.now
        if now <= 0:
            return 0.0
        window = min(now, 3600.0)
        recent = sum(1 for t in self._finish_times if t > now - window)
        return recent * 3600.0 / window

    def bottleneck(self) -> int:
        """The index of the station with the highest active (working + down) share."""
        elapsed = self.elapsed
        active = [st.share("working", elapsed) + st.share("down", elapsed)
                  for st in self.stations]
        return max(range(len(active)), key=active.__getitem__)

    @property
    def reworks(self) -> int:
        """Cycles done again over all stations after a defect was found."""
        return sum(st.reworks for st in self.stations)

    def waiting(self, station: int) -> list[Car]:
        """The cars in the buffer before ``station``, the next to be worked on first."""
        return list(self.buffers[station].items)

    def utilisation(self) -> list[float]:
        """Each station's working share of the time so far."""
        return [st.share("working", self.elapsed) for st in self.stations]

    # --- the processes ------------------------------------------------------------------

    def _launch(self) -> Generator[Any, Any, None]:
        while True:
            car = Car(self._next_id)
            self._next_id += 1
            car.station = 0
            yield self.buffers[0].put(car)
            self.cars.append(car)
            yield self.env.timeout(self.takt)

    def _work(self, i: int) -> Generator[Any, Any, None]:
        st = self.stations[i]
        last = i == len(self.stations) - 1
        while True:
            self._set(st, base="starved")
            car: Car = yield self.buffers[i].get()
            self._set(st, base="working")
            car.place = "working"
            scrap = False
            while True:
                yield from self._cycle(st, car)
                if self._rng.random() < st.spec.first_pass_yield:
                    break
                car.first_pass = False
                if st.spec.on_defect == "scrap":
                    scrap = True
                    break
                st.reworks += 1  # the station does the work again
            st.cars_done += 1
            if scrap:
                st.scrapped += 1
                self.scrapped += 1
                self.cars.remove(car)
                continue
            if last:
                self._finish(car)
                continue
            self._set(st, base="blocked")
            car.place = "blocked"
            yield self.buffers[i + 1].put(car)
            car.station, car.place, car.progress = i + 1, "buffer", 0.0

    def _cycle(self, st: Station, car: Car) -> Generator[Any, Any, None]:
        """One cycle of work on ``car``, paused while the station is broken."""
        spread = st.spec.spread
        remaining = st.spec.cycle_s * (1.0 + self._rng.uniform(-spread, spread))
        car._cycle, car.progress = remaining, 0.0
        car._start = self.now
        while remaining > 1e-9:
            if self.now < st.broken_until:
                # A second breakdown interrupts the wait: then wait for the later repair.
                with contextlib.suppress(simpy.Interrupt):
                    yield self.env.timeout(st.broken_until - self.now)
                continue
            began = self.now
            car._start = began - car.progress * car._cycle
            try:
                yield self.env.timeout(remaining)
                remaining = 0.0
            except simpy.Interrupt:
                remaining -= self.now - began
                car.progress = 1.0 - remaining / car._cycle
        car.progress = 1.0

    def _repair(self, st: Station) -> Generator[Any, Any, None]:
        while self.now < st.broken_until:
            yield self.env.timeout(st.broken_until - self.now)
        self._set(st, broken=False)

    def _finish(self, car: Car) -> None:
        self.cars.remove(car)
        self.out += 1
        self.good += car.first_pass
        self._finish_times.append(self.now)
        if len(self._finish_times) > 200:  # only the last hour is read; 200 cover it
            del self._finish_times[:-100]

    # --- bookkeeping --------------------------------------------------------------------

    def _set(self, st: Station, base: StationState | None = None,
             broken: bool | None = None) -> None:
        """Change a station's state, first crediting the time spent in the old one."""
        self._account(st)
        if base is not None:
            st._base = base
        down = st.state == "down" if broken is None else broken
        st.state = "down" if down else st._base

    def _account(self, st: Station) -> None:
        st.seconds[st.state] += self.now - st._since
        st._since = self.now

    def _account_all(self) -> None:
        for st in self.stations:
            self._account(st)

    def _add_down(self, start: float, end: float) -> None:
        merged: list[tuple[float, float]] = []
        for a, b in sorted([*self._down, (start, end)]):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self._down = merged
