"""A Gwangju-sized synthetic city laid out like the building register (AL_D010), as one
Shapefile: 185,000 buildings by default, with road areas, parks, school pitches, farmland and
wooded hills, over about 20 x 15 km around (126.85 E, 35.15 N).

    python scripts/register_city.py OUT.shp [--buildings N] [--seed S]

What is copied from where (docs/data.md, "A Gwangju-sized synthetic register city"):

- Columns, types and order: the register-like sample ``AL_D010_jamsil_sample`` of the shared
  test data (its README): ``A0`` source id, ``A24`` name, ``A9`` use (text), ``A16`` height
  in metres (Real, 0 = unknown), ``A26`` floors above ground (Integer, 0 = unknown).
  Columns are shrunk to their longest value when the file is closed (GDAL's RESIZE=YES), as
  that sample's text columns are (its A26 keeps GDAL's default 9 digits; here it is 2).
  EPSG:5186 (``.prj``), CP949 text (``.cpg``).
- The share of heights: in that sample 645 of 1,357 buildings have a height (0.475), 219
  have only a floor count (0.161) and 493 neither (0.363); buildings here are drawn with the
  same three shares, so about half of ``A16`` is 0.
- Use values: the 건축법 시행령 별표 1 uses of ``gwangju_twin/geo/schemas.toml``
  ``[schemas.al_d010.uses]``, so every building's type classifies.
- Dong names (for complexes, schools, parks): Gwangju's administrative dongs, from the shared
  ``gwangju_hangjeongdong_admdongkor.geojson`` (adm_nm). Apartment brands are common ones.

A Shapefile holds one geometry type, so roads are areas (polygons) as well. The loader reads
this file with its ``al_d010`` schema, which makes every polygon without ``building`` or
``kind`` a building; so the non-building rows carry the project's own ``kind`` column
(docs/data.md, "Layers", rule 1): ``kind=plaza`` for road areas (the layer OSM's
``area:highway`` areas go to; ``highway`` keeps the road class), ``kind=green`` with
``leisure=park|pitch`` or ``landuse=forest|farmland`` for the green. Buildings leave these
columns empty.

Smaller cities (``--buildings 10000``) keep the layout's proportions and densities on a
smaller area: the side lengths scale with the square root of the building count.
The same arguments always give byte-identical files (seeded numpy Generator, a fixed date in
the ``.dbf`` header instead of today's).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write
from pyproj import Transformer

DEFAULT_BUILDINGS = 185_000
#: The city centre, near Sangmu (lon, lat), and its EPSG:5186 metres (through pyproj).
CENTRE_LONLAT = (126.85, 35.15)
CRS = "EPSG:5186"
#: The default city's extent: 25 x 25 superblocks of 800 x 600 m = 20 x 15 km.
SUPERBLOCK = (800.0, 600.0)
FULL_GRID = 25
#: Arterial roads run along the superblock edges; local streets split each superblock into
#: BLOCKS x BLOCKS blocks (of 145 x 105 m).
MAIN_WIDTH = {"primary": 35.0, "secondary": 25.0}
MARGIN = 17.5  # half the widest arterial: blocks keep clear of every arterial
STREET_WIDTH = 10.0
BLOCKS = 5
#: Shares of height information, from the jamsil sample (645, 219, 493 of 1,357 buildings).
P_MEASURED = 645 / 1357
P_FLOORS_ONLY = 219 / 1357
#: The .dbf header's "last update" date. GDAL writes today's date unless told; a fixed one
#: keeps repeated runs byte-identical. The value itself means nothing.
DBF_DATE = "2024-01-01"

FIELDS = ["A0", "A24", "A9", "A16", "A26", "kind", "leisure", "landuse", "highway"]

# fmt: off
DONGS = ("건국", "계림", "광천", "금호", "농성", "대촌", "도산", "동림", "동명", "두암", "매곡",
         "문흥", "방림", "백운", "봉선", "비아", "사직", "산수", "삼각", "상무", "서창", "송정",
         "수완", "신가", "신창", "신흥", "양림", "양산", "용봉", "우산", "운남", "운암", "월곡",
         "월산", "유덕", "일곡", "임곡", "주월", "지산", "지원", "첨단", "충장", "치평", "풍암",
         "풍향", "하남", "학운", "화정", "효덕")
BRANDS = ("중흥S클래스", "호반베르디움", "대주피오레", "우미린", "제일풍경채", "모아엘가",
          "금호어울림", "라인", "현대", "대우", "쌍용", "삼익", "진아리채", "부영", "주공",
          "힐스테이트", "푸르지오", "e편한세상", "골드클래스", "한국")
WORDS = ("금호", "중앙", "대성", "광주", "무등", "빛고을", "한빛", "동양", "대한", "제일", "새한",
         "우리", "남도", "서광", "영산", "상무", "충장", "금남", "신세계", "대신", "한양", "호남",
         "동신", "조선", "무진", "극락", "서석", "송원", "신양", "오월")
# fmt: on


@dataclass
class Rects:
    """Rotated rectangles (centre, size, angle) with their register attributes."""

    cx: list[np.ndarray] = field(default_factory=list)
    cy: list[np.ndarray] = field(default_factory=list)
    w: list[np.ndarray] = field(default_factory=list)
    h: list[np.ndarray] = field(default_factory=list)
    angle: list[np.ndarray] = field(default_factory=list)
    cols: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in FIELDS if k != "A0"})

    def add(self, cx: np.ndarray, cy: np.ndarray, w: np.ndarray | float,
            h: np.ndarray | float, angle: np.ndarray | None = None,
            **cols: np.ndarray | str | None) -> None:
        """Rectangles centred on (cx, cy), w x h metres, turned by ``angle`` (radians), and
        their attributes (arrays, or one value for all; missing columns are empty)."""
        n = len(cx)
        self.cx.append(cx)
        self.cy.append(cy)
        self.w.append(np.broadcast_to(w, n).astype(float))
        self.h.append(np.broadcast_to(h, n).astype(float))
        self.angle.append(np.zeros(n) if angle is None else angle)
        for key, column in attributes(n, cols).items():
            self.cols[key].append(column)

    def arrays(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Polygons (one shapely call) and the attribute columns."""
        if not self.cx:
            return np.empty(0, dtype=object), {k: np.empty(0) for k in self.cols}
        cx, cy, w, h, a = (np.concatenate(x) for x in
                           (self.cx, self.cy, self.w, self.h, self.angle))
        corner = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
        dx, dy = corner[None, :, 0] * w[:, None], corner[None, :, 1] * h[:, None]
        cos, sin = np.cos(a)[:, None], np.sin(a)[:, None]
        xy = np.stack([cx[:, None] + dx * cos - dy * sin, cy[:, None] + dx * sin + dy * cos],
                      axis=-1)
        # Millimetres: what a register file stores, and no float noise in the last bits.
        polys = np.asarray(shapely.polygons(np.round(xy, 3)), dtype=object)
        return polys, {k: np.concatenate(v) for k, v in self.cols.items()}


def attributes(n: int, cols: dict[str, np.ndarray | str | None]) -> dict[str, np.ndarray]:
    """Every column but A0 for ``n`` rows: A16 and A26 numbers (0 when not given), the
    rest text (None, empty, when not given)."""
    out: dict[str, np.ndarray] = {}
    for key in FIELDS[1:]:
        value = cols.get(key)
        if key in ("A16", "A26"):
            out[key] = np.broadcast_to(0 if value is None else value, n).astype(
                float if key == "A16" else np.int32)
        else:
            text = np.empty(n, dtype=object)
            text[:] = value.tolist() if isinstance(value, np.ndarray) else value
            out[key] = text
    return out


def pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], n: int,
         p: list[float] | None = None) -> np.ndarray:
    """``n`` choices of ``options`` as an object array of str."""
    idx = rng.choice(len(options), size=n, p=None if p is None else np.asarray(p) / sum(p))
    return np.asarray(options, dtype=object)[idx]


def join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of object arrays and constants."""
    n = max(len(p) for p in parts if isinstance(p, np.ndarray))
    cols = [p.tolist() if isinstance(p, np.ndarray) else [p] * n for p in parts]
    out = np.empty(n, dtype=object)
    out[:] = ["".join(t) for t in zip(*cols, strict=True)]
    return out


def heights(rng: np.random.Generator, floors: np.ndarray, storey: np.ndarray | float,
            ) -> tuple[np.ndarray, np.ndarray]:
    """(A16, A26) for buildings of ``floors`` floors: about 47.5 % measured (height and
    floors), 16 % floors only, the rest neither (0 and 0), as in the jamsil sample."""
    n = len(floors)
    top = np.round(floors * storey + rng.uniform(0.3, 2.5, n), 1)
    u = rng.random(n)
    a16 = np.where(u < P_MEASURED, top, 0.0)
    a26 = np.where(u < P_MEASURED + P_FLOORS_ONLY, floors, 0).astype(np.int32)
    return a16, a26


def optional(rng: np.random.Generator, names: np.ndarray, share: float) -> np.ndarray:
    """``names`` with all but about ``share`` of them emptied (None)."""
    out = names.copy()
    out[rng.random(len(names)) >= share] = None
    return out


# -- block types: each fills whole arrays of blocks (centres bx, by) at once ---------------

Filler = Callable[[np.random.Generator, np.ndarray, np.ndarray, np.ndarray, "Rects",
                   "Rects"], None]
BLOCK_W = (SUPERBLOCK[0] - 2 * MARGIN - (BLOCKS - 1) * STREET_WIDTH) / BLOCKS
BLOCK_H = (SUPERBLOCK[1] - 2 * MARGIN - (BLOCKS - 1) * STREET_WIDTH) / BLOCKS


def lots(bx: np.ndarray, by: np.ndarray, nx: int, ny: int) -> tuple[np.ndarray, ...]:
    """Centres of an nx x ny grid of lots in every block, the lot size, and each lot's
    block index."""
    lw, lh = BLOCK_W / nx, BLOCK_H / ny
    ox = (np.arange(nx) + 0.5) * lw - BLOCK_W / 2
    oy = (np.arange(ny) + 0.5) * lh - BLOCK_H / 2
    gx, gy = np.meshgrid(ox, oy, indexing="ij")
    cx = (bx[:, None] + gx.ravel()[None, :]).ravel()
    cy = (by[:, None] + gy.ravel()[None, :]).ravel()
    owner = np.repeat(np.arange(len(bx)), nx * ny)
    return cx, cy, np.full(len(cx), lw), np.full(len(cx), lh), owner


def houses(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
           b: Rects, g: Rects, fill: float = 0.8) -> None:
    """Detached and multi-family houses on 7 x 6 small lots; 1-5 floors; mostly unnamed."""
    cx, cy, lw, lh, _ = lots(bx, by, 7, 6)
    keep = rng.random(len(cx)) < fill
    cx, cy, lw, lh = cx[keep], cy[keep], lw[keep], lh[keep]
    n = len(cx)
    use = pick(rng, ["단독주택", "다가구주택", "다세대주택", "제1종근린생활시설", "종교시설",
                     "노유자시설", ""], n, [60, 14, 12, 9, 2, 1, 2])
    floors = rng.choice([1, 2, 3], n, p=[0.4, 0.45, 0.15])
    multi = (use == "다가구주택") | (use == "다세대주택")
    floors[multi] = rng.integers(3, 6, int(multi.sum()))
    name = optional(rng, join(pick(rng, WORDS, n), pick(rng, ["빌라", "맨션", "하이츠", "빌"], n)),
                    0.3)
    name[~multi] = None
    church = use == "종교시설"
    name[church] = join(pick(rng, WORDS, int(church.sum())), pick(rng, ["교회", "사"],
                                                                 int(church.sum())))
    use[use == ""] = None
    a16, a26 = heights(rng, floors, rng.uniform(2.8, 3.3, n))
    w = lw * rng.uniform(0.45, 0.75, n)
    h = lh * rng.uniform(0.5, 0.75, n)
    jitter = (lw - w) / 2 * rng.uniform(-0.8, 0.8, n), (lh - h) / 2 * rng.uniform(-0.8, 0.8, n)
    b.add(cx + jitter[0], cy + jitter[1], w, h, np.radians(rng.uniform(-8, 8, n)),
          A24=name, A9=use, A16=a16, A26=a26)


def village(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
            b: Rects, g: Rects) -> None:
    """The rural edge: the same lots as houses, about one in four built on."""
    houses(rng, bx, by, dong, b, g, fill=0.27)


def apartments(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
               b: Rects, g: Rects) -> None:
    """A complex per block: 2 x 2 south-facing slabs or 3 x 2 towers, 15-30 floors (old
    주공-style complexes 5), named "<dong><brand>아파트 1xx동", and a 상가 at a corner."""
    m = len(bx)
    complex_name = join(dong, pick(rng, BRANDS, m))
    low = rng.random(m) < 0.15
    base = np.where(low, 5, rng.integers(15, 31, m))
    towers = rng.random(m) < 0.4
    for is_tower, (nx, ny, w, h) in ((False, (2, 2, 52.0, 14.0)), (True, (3, 2, 24.0, 22.0))):
        sel = towers == is_tower
        if not sel.any():
            continue
        cx, cy, _, _, owner = lots(bx[sel], by[sel], nx, ny)
        n = len(cx)
        k = np.tile(np.arange(nx * ny), int(sel.sum()))
        floors = np.clip(base[sel][owner] + rng.integers(-2, 3, n), 4, 35)
        floors[low[sel][owner]] = 5
        a16, a26 = heights(rng, floors, 2.9)
        name = join(complex_name[sel][owner], "아파트 ", (101 + k).astype(str).astype(object),
                    "동")
        b.add(cx + rng.uniform(-2, 2, n), cy + rng.uniform(-2, 2, n), w, h, None,
              A24=name, A9=pick(rng, ["아파트", "공동주택"], n), A16=a16, A26=a26)
    # the complex's shops and its seniors' hall (경로당)
    for dx, use, label, floors in ((0.42, "제1종근린생활시설", "상가", 2),
                                   (-0.42, "노유자시설", "경로당", 1)):
        fl = np.full(m, floors)
        a16, a26 = heights(rng, fl, 3.5)
        b.add(bx + dx * BLOCK_W, by - 0.44 * BLOCK_H, 18.0, 10.0, None,
              A24=join(complex_name, label), A9=use, A16=a16, A26=a26)


COMMERCIAL_USES = ["제2종근린생활시설", "제1종근린생활시설", "판매시설", "업무시설", "숙박시설",
                   "의료시설", "문화및집회시설"]
COMMERCIAL_SUFFIX = {"제2종근린생활시설": ["빌딩", "프라자", "상가"],
                     "제1종근린생활시설": ["빌딩", "상가", "약국"], "판매시설": ["마트", "쇼핑"],
                     "업무시설": ["빌딩", "타워", "오피스텔"], "숙박시설": ["모텔", "호텔"],
                     "의료시설": ["병원", "의원"], "문화및집회시설": ["예식장", "회관"]}


def commercial(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
               b: Rects, g: Rects) -> None:
    """Shops and offices on 7 x 5 lots, 3-10 floors; about half named by their use."""
    cx, cy, lw, lh, _ = lots(bx, by, 7, 5)
    keep = rng.random(len(cx)) < 0.85
    cx, cy, lw, lh = cx[keep], cy[keep], lw[keep], lh[keep]
    n = len(cx)
    use = pick(rng, COMMERCIAL_USES, n, [35, 25, 8, 15, 8, 6, 3])
    suffix = np.empty(n, dtype=object)
    for u, options in COMMERCIAL_SUFFIX.items():
        sel = use == u
        suffix[sel] = pick(rng, options, int(sel.sum()))
    name = optional(rng, join(pick(rng, WORDS, n), suffix), 0.5)
    floors = rng.integers(3, 11, n)
    a16, a26 = heights(rng, floors, 3.6)
    w, h = lw * rng.uniform(0.78, 0.95, n), lh * rng.uniform(0.7, 0.92, n)
    b.add(cx, cy, w, h, None, A24=name, A9=use, A16=a16, A26=a26)


def towers(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
           b: Rects, g: Rects) -> None:
    """Downtown high-rises: 3 x 2 towers of 28-40 m, 8-60 floors (most 10-25), nearly all
    named."""
    cx, cy, lw, lh, _ = lots(bx, by, 3, 2)
    n = len(cx)
    use = pick(rng, ["업무시설", "판매시설", "숙박시설", "의료시설", "문화및집회시설"], n,
               [60, 15, 10, 10, 5])
    floors = np.minimum(8 + rng.gamma(2.0, 5.0, n).astype(int), 60)
    a16, a26 = heights(rng, floors, 4.0)
    name = optional(rng, join(pick(rng, WORDS, n), pick(rng, ["타워", "센터", "빌딩"], n)), 0.9)
    side = rng.uniform(28, 40, (2, n))
    b.add(cx, cy, np.minimum(side[0], lw - 6), np.minimum(side[1], lh - 6), None,
          A24=name, A9=use, A16=a16, A26=a26)


def school(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
           b: Rects, g: Rects) -> None:
    """A school: main building and annex (4-5 floors) and its sports ground."""
    m = len(bx)
    name = join(dong, pick(rng, ["초등학교", "중학교", "고등학교"], m))
    for dx, dy, w, h in ((0.0, 0.3, 80.0, 16.0), (-0.35, -0.05, 16.0, 36.0)):
        floors = rng.integers(4, 6, m)
        a16, a26 = heights(rng, floors, 3.8)
        b.add(bx + dx * BLOCK_W, by + dy * BLOCK_H, w, h, None,
              A24=name, A9="교육연구시설", A16=a16, A26=a26)
    g.add(bx + 0.12 * BLOCK_W, by - 0.18 * BLOCK_H, 90.0, 50.0, None,
          A24=join(name, " 운동장"), kind="green", leisure="pitch")


def factories(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
              b: Rects, g: Rects) -> None:
    """Industrial estate: 3 x 2 large low sheds (1-2 floors of 6-10 m)."""
    cx, cy, lw, lh, _ = lots(bx, by, 3, 2)
    keep = rng.random(len(cx)) < 0.9
    cx, cy, lw, lh = cx[keep], cy[keep], lw[keep], lh[keep]
    n = len(cx)
    use = pick(rng, ["공장", "창고시설", "위험물저장및처리시설", "자동차관련시설"], n,
               [65, 28, 2, 5])
    floors = rng.choice([1, 2], n, p=[0.7, 0.3])
    a16, a26 = heights(rng, floors, rng.uniform(6, 10, n))
    name = optional(rng, join("(주)", pick(rng, WORDS, n),
                              pick(rng, ["산업", "정밀", "테크", "물류", "전자", "기계"], n)), 0.4)
    b.add(cx, cy, lw * rng.uniform(0.6, 0.9, n), lh * rng.uniform(0.55, 0.85, n), None,
          A24=name, A9=use, A16=a16, A26=a26)


def park(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
         b: Rects, g: Rects) -> None:
    """A neighbourhood park filling the block."""
    g.add(bx, by, BLOCK_W - 4, BLOCK_H - 4, None, A24=join(dong, "근린공원"),
          kind="green", leisure="park")


def farm(rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, dong: np.ndarray,
         b: Rects, g: Rects) -> None:
    """Fields with a barn or greenhouse at one corner (동물및식물관련시설)."""
    g.add(bx, by, BLOCK_W - 4, BLOCK_H - 4, None, kind="green", landuse="farmland")
    m = len(bx)
    a16, a26 = heights(rng, np.ones(m, int), 4.0)
    b.add(bx - 0.38 * BLOCK_W, by + 0.38 * BLOCK_H, 24.0, 10.0, None,
          A9="동물및식물관련시설", A16=a16, A26=a26)


FILLERS: dict[str, Filler] = {
    "house": houses, "village": village, "apartment": apartments, "commercial": commercial,
    "tower": towers, "school": school, "factory": factories, "park": park, "farm": farm,
}
#: Block types by zone: (for blocks on an arterial, for inner blocks), as weights.
ZONE_MIX: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "downtown": ({"commercial": 0.55, "tower": 0.45},
                 {"tower": 0.45, "commercial": 0.45, "park": 0.1}),
    "inner": ({"commercial": 0.55, "house": 0.2, "apartment": 0.25},
              {"house": 0.47, "apartment": 0.37, "school": 0.06, "park": 0.05,
               "commercial": 0.05}),
    "suburb": ({"commercial": 0.3, "apartment": 0.4, "house": 0.3},
               {"apartment": 0.52, "house": 0.32, "school": 0.07, "park": 0.09}),
    "village": ({"village": 0.75, "farm": 0.2, "apartment": 0.05},
                {"village": 0.6, "farm": 0.4}),
    "industrial": ({"factory": 0.85, "commercial": 0.15}, {"factory": 0.95, "park": 0.05}),
}
#: Wooded hills (centre u, v in -1..1 across the city, radii): the largest, in the east,
#: stands for Mudeungsan.
HILLS = (("무등산", 0.9, -0.15, 0.42, 0.55), ("어등산", -0.75, 0.75, 0.25, 0.3),
         ("제석산", 0.05, -0.85, 0.2, 0.22), ("금당산", -0.2, -0.45, 0.1, 0.12))


@dataclass
class City:
    """The generated rows, ready to write, and counts for the summary."""

    geometry: np.ndarray
    columns: dict[str, np.ndarray]
    counts: dict[str, int]
    extent: tuple[float, float, float, float]


def centre_5186() -> tuple[float, float]:
    """The city centre in EPSG:5186 metres."""
    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x, y = tr.transform(*CENTRE_LONLAT)
    return round(float(x), 1), round(float(y), 1)


def hill_polygons(rng: np.random.Generator, nx: int, ny: int, x0: float, y0: float,
                  ) -> tuple[np.ndarray, list[str]]:
    """Noisy ellipses for the hills, in metres."""
    ang = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    half = np.array([nx * SUPERBLOCK[0], ny * SUPERBLOCK[1]]) / 2
    rings = []
    for _, u, v, ru, rv in HILLS:
        wobble = 1 + 0.12 * np.sin(3 * ang + rng.uniform(0, 6)) + rng.uniform(-0.05, 0.05, 48)
        x = x0 + half[0] * (1 + u + ru * wobble * np.cos(ang))
        y = y0 + half[1] * (1 + v + rv * wobble * np.sin(ang))
        rings.append(np.column_stack([x, y]))
    polys = shapely.polygons(np.array([np.vstack([r, r[:1]]) for r in rings]))
    # Cut at the city's edge: the city is the grid's rectangle, and a hill past it would
    # stretch the data's extent. Millimetres, as the buildings.
    edge = shapely.box(x0, y0, x0 + 2 * half[0], y0 + 2 * half[1])
    cut = shapely.set_precision(shapely.intersection(polys, edge), 0.001)
    return np.asarray(cut, dtype=object), [h[0] for h in HILLS]


def superblock_zones(rng: np.random.Generator, nx: int, ny: int) -> np.ndarray:
    """The zone of every superblock (nx, ny): park, downtown, industrial, inner, suburb or
    village, from its place in the city (u, v in -1..1) and a little noise. Hills are laid
    over the zones afterwards (outside)."""
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    u, v = (i + 0.5) / nx * 2 - 1, (j + 0.5) / ny * 2 - 1
    r = np.hypot(u, v) + rng.uniform(-0.08, 0.08, u.shape)
    zone = np.where(r < 0.45, "inner", np.where(r < 1.05, "suburb", "village")).astype(object)
    zone[(u < -0.45) & (v < 0.15) & (v > -0.75)] = "industrial"  # the west, as Hanam
    zone[np.hypot(u * 1.2, v) < 0.2] = "downtown"
    big_park = (rng.random(u.shape) < 0.035) & (zone != "downtown")
    zone[big_park] = "park"
    return zone


def build(n_buildings: int, seed: int, grid: int | None = None) -> City:
    """The city with exactly ``n_buildings`` buildings. The grid of superblocks is
    FULL_GRID x FULL_GRID scaled by sqrt(n / DEFAULT_BUILDINGS), grown by one each way until
    the lots hold enough buildings; surplus lots stay empty (chosen at random)."""
    if n_buildings < 1:
        raise ValueError("the city needs at least one building")
    size = grid or max(2, round(FULL_GRID * math.sqrt(n_buildings / DEFAULT_BUILDINGS)))
    while True:
        city = _build(n_buildings, seed, size)
        if city is not None:
            return city
        size += 1


def _build(n_buildings: int, seed: int, size: int) -> City | None:
    rng = np.random.default_rng(seed)
    nx = ny = size
    cx0, cy0 = centre_5186()
    x0, y0 = cx0 - nx * SUPERBLOCK[0] / 2, cy0 - ny * SUPERBLOCK[1] / 2
    hills, hill_names = hill_polygons(rng, nx, ny, x0, y0)
    zone = superblock_zones(rng, nx, ny)
    woods = shapely.union_all(hills)
    dong_of = pick(rng, DONGS, nx * ny).reshape(nx, ny)

    # Blocks: BLOCKS x BLOCKS per built superblock, each given a type by its zone's mix.
    si, sj, bi, bj = (a.ravel() for a in np.meshgrid(
        np.arange(nx), np.arange(ny), np.arange(BLOCKS), np.arange(BLOCKS), indexing="ij"))
    bx = x0 + si * SUPERBLOCK[0] + MARGIN + bi * (BLOCK_W + STREET_WIDTH) + BLOCK_W / 2
    by = y0 + sj * SUPERBLOCK[1] + MARGIN + bj * (BLOCK_H + STREET_WIDTH) + BLOCK_H / 2
    edge = (bi == 0) | (bj == 0) | (bi == BLOCKS - 1) | (bj == BLOCKS - 1)
    bzone = zone[si, sj]
    btype = np.full(len(bx), "", dtype=object)
    for name, (outer, inner) in ZONE_MIX.items():
        for mix, where in ((outer, edge), (inner, ~edge)):
            sel = (bzone == name) & where
            btype[sel] = pick(rng, list(mix), int(sel.sum()), list(mix.values()))
    btype[shapely.contains_xy(woods, bx, by)] = ""

    b, g = Rects(), Rects()
    for name, fill in FILLERS.items():
        sel = btype == name
        if sel.any():
            fill(rng, bx[sel], by[sel], dong_of[si[sel], sj[sel]], b, g)
    bgeom, bcols = b.arrays()
    # Lots a hill's edge reaches stay wooded.
    lots_free = np.flatnonzero(~shapely.intersects(bgeom, woods))
    if len(lots_free) < n_buildings:
        return None
    keep = np.sort(rng.choice(lots_free, n_buildings, replace=False))
    bgeom, bcols = bgeom[keep], {k: v[keep] for k, v in bcols.items()}

    # Big parks fill their superblock; hills are woods.
    big = np.argwhere(zone == "park")
    g.add(x0 + (big[:, 0] + 0.5) * SUPERBLOCK[0], y0 + (big[:, 1] + 0.5) * SUPERBLOCK[1],
          SUPERBLOCK[0] - 2 * MARGIN, SUPERBLOCK[1] - 2 * MARGIN, None,
          A24=join(pick(rng, WORDS, len(big)), "공원"), kind="green", leisure="park")
    ggeom, gcols = outside(*g.arrays(), woods)
    hcols = attributes(len(hills), {"A24": np.asarray(hill_names, dtype=object),
                                    "kind": "green", "landuse": "forest"})

    rgeom, rcols = outside(*roads(rng, nx, ny, x0, y0, zone), woods)
    geometry = np.concatenate([bgeom, rgeom, ggeom, hills])
    columns = {k: np.concatenate([bcols[k], rcols[k], gcols[k], hcols[k]]) for k in bcols}
    # Ten digits, as the sample's longest A0; 29 is Gwangju's province code (sido).
    columns["A0"] = np.asarray([f"{2_900_000_000 + i}" for i in range(len(geometry))],
                               dtype=object)
    counts = {"buildings": len(bgeom), "road areas": len(rgeom),
              "green": len(ggeom) + len(hills), "lots left empty": len(lots_free) - len(keep),
              "superblocks": nx * ny}
    return City(geometry, columns, counts,
                (x0, y0, x0 + nx * SUPERBLOCK[0], y0 + ny * SUPERBLOCK[1]))


def roads(rng: np.random.Generator, nx: int, ny: int, x0: float, y0: float, zone: np.ndarray,
          ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Arterials on the superblock edges (one area per edge, named per line: "<word>대로"
    of 35 m every other line, "<word>로" of 25 m between) and local streets inside every
    superblock but the big parks. Hills cut them afterwards (outside)."""
    r = Rects()
    line_names = pick(rng, WORDS, nx + ny + 2)
    for along_x in (True, False):
        # Line k of the grid (east-west lines along_x, else north-south), segment m on it.
        k, m = (a.ravel() for a in np.meshgrid(np.arange((ny if along_x else nx) + 1),
                                               np.arange(nx if along_x else ny), indexing="ij"))
        major = k % 2 == 0
        width = np.where(major, MAIN_WIDTH["primary"], MAIN_WIDTH["secondary"])
        length = (SUPERBLOCK[0] if along_x else SUPERBLOCK[1]) + 2 * MARGIN  # overlap joins
        name = join(line_names[k if along_x else ny + 1 + k],
                    np.where(major, "대로", "로").astype(object))
        kind = np.where(major, "primary", "secondary").astype(object)
        if along_x:
            r.add(x0 + (m + 0.5) * SUPERBLOCK[0], y0 + k * SUPERBLOCK[1], length, width,
                  A24=name, kind="plaza", highway=kind)
        else:
            r.add(x0 + k * SUPERBLOCK[0], y0 + (m + 0.5) * SUPERBLOCK[1], width, length,
                  A24=name, kind="plaza", highway=kind)
    # local streets: BLOCKS - 1 each way across every superblock with blocks
    streets = np.argwhere(zone != "park")
    k = np.arange(1, BLOCKS)
    sx = np.repeat(streets[:, 0], len(k))
    sy = np.repeat(streets[:, 1], len(k))
    kk = np.tile(k, len(streets))
    inner_w = SUPERBLOCK[0] - 2 * MARGIN
    inner_h = SUPERBLOCK[1] - 2 * MARGIN
    r.add(x0 + sx * SUPERBLOCK[0] + MARGIN + kk * (BLOCK_W + STREET_WIDTH) - STREET_WIDTH / 2,
          y0 + (sy + 0.5) * SUPERBLOCK[1], STREET_WIDTH, inner_h, None,
          kind="plaza", highway="residential")
    r.add(x0 + (sx + 0.5) * SUPERBLOCK[0],
          y0 + sy * SUPERBLOCK[1] + MARGIN + kk * (BLOCK_H + STREET_WIDTH) - STREET_WIDTH / 2,
          inner_w, STREET_WIDTH, None, kind="plaza", highway="residential")
    return r.arrays()


def outside(geom: np.ndarray, cols: dict[str, np.ndarray], woods: shapely.Geometry,
            ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The parts of ``geom`` outside the hills' woods, one row per remaining part (a road
    a hill cuts in two is two areas); parts under 1 m² are dropped."""
    cut = shapely.set_precision(shapely.difference(geom, woods), 0.001)
    parts, row = shapely.get_parts(cut, return_index=True)
    keep = shapely.area(parts) >= 1.0
    return parts[keep], {k: v[row[keep]] for k, v in cols.items()}


def write_city(path: Path, city: City) -> None:
    """Write the city as one Shapefile (EPSG:5186, CP949 text, a fixed .dbf date)."""
    fields = FIELDS
    data = [city.columns[k] for k in fields]
    if path.exists():  # GDAL refuses to overwrite a Shapefile's parts one by one
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            path.with_suffix(ext).unlink(missing_ok=True)
    write(str(path), shapely.to_wkb(city.geometry), data, fields, driver="ESRI Shapefile",
          geometry_type="Polygon", crs=CRS, encoding="CP949",
          layer_options={"RESIZE": "YES", "DBF_DATE_LAST_UPDATE": DBF_DATE})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the .shp to write (with .shx .dbf .prj .cpg)")
    parser.add_argument("--buildings", type=int, default=DEFAULT_BUILDINGS,
                        help=f"number of buildings (default {DEFAULT_BUILDINGS:,})")
    parser.add_argument("--seed", type=int, default=15, help="random seed (default 15)")
    args = parser.parse_args(argv)
    if args.out.suffix.lower() != ".shp":
        parser.error(f"{args.out}: expected a .shp path")
    if args.buildings < 1:
        parser.error(f"--buildings {args.buildings}: expected a positive count")
    start = time.perf_counter()
    city = build(args.buildings, args.seed)
    built = time.perf_counter()
    write_city(args.out, city)
    done = time.perf_counter()
    w, s, e, n = city.extent
    print(f"{args.out}: " + ", ".join(f"{v:,} {k}" for k, v in city.counts.items()))
    print(f"extent {(e - w) / 1000:.1f} x {(n - s) / 1000:.1f} km in {CRS}; "
          f"A16 = 0 on {int((city.columns['A16'][:city.counts['buildings']] == 0).sum()):,}")
    print(f"generated in {built - start:.1f} s, written in {done - built:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
