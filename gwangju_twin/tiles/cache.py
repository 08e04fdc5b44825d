"""The tile cache of one source: a folder with ``index.json`` and the files it names.

The index is written last, atomically (``os.replace``), and names every file with its size
and SHA-256, so a folder is either a complete bake or detected as not one: a missing,
unreadable or foreign index, a key that no longer matches the source, settings or program
(stale), a file shorter or longer than named (truncated) or whose bytes do not hash to what
the index says (corrupt). docs/tiles.md describes the format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import platformdirs
import shapely

from gwangju_twin import APP_NAME, __version__
from gwangju_twin.geo.model import District, LoadReport
from gwangju_twin.tiles import levels, quadtree
from gwangju_twin.tiles.bake import Box, Runner, TileKind, plan, serial
from gwangju_twin.tiles.files import (
    CorruptFileError,
    arrays_district,
    district_arrays,
    json_report,
    npz_bytes,
    read_npz,
    report_json,
)

FORMAT = "gwangju-twin/tiles/1"
#: Raised whenever what a bake makes changes (a level's meshing, a file's layout), so caches
#: of an older bake are stale even when the program's version number is the same.
# 8: a roof ring with a repeated vertex goes to earcut; 9: the far level leaves out minor
# road areas and the walls of hulls under levels.FAR_WALLS_M, and prisms without floors no
# longer carry the floor's unused vertices (fewer vertices: the overview's frame time); far
# groups gain level 3 (levels.CITY); 10: batches carry an emissive byte a vertex; 11: the
# tip of a spike in a ring is left out of its roof (mesh/triangulate.py); 12: the district
# table stores its few-valued text columns as values and codes.
BAKE_REVISION = 12
INDEX = "index.json"
#: A Shapefile is its .shp and these beside it: any of them changing changes the data.
SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


def bake_settings() -> dict[str, Any]:
    """The bake's own parameters: a cache baked with others is stale."""
    return {
        "revision": BAKE_REVISION, "leaf_buildings": quadtree.LEAF_BUILDINGS,
        "leaf_features": quadtree.LEAF_FEATURES,
        "far_buildings": quadtree.FAR_BUILDINGS, "max_depth": quadtree.MAX_DEPTH,
        "simplify_m": levels.SIMPLIFY_M,
        "annex_m2": levels.ANNEX_M2, "block_gap_m": levels.BLOCK_GAP_M,
        "hull_simplify_m": levels.HULL_SIMPLIFY_M, "far_gap_m": levels.FAR_GAP_M,
        "far_cell_m": levels.FAR_CELL_M,
        "height_classes": list(levels.HEIGHT_CLASSES),
        "far_roads": sorted(levels.FAR_ROADS), "minor_road_m": levels.MINOR_ROAD_M,
        "far_area_m2": levels.FAR_AREA_M2, "far_walls_m": levels.FAR_WALLS_M,
        "road_area_keys": list(levels.ROAD_AREA_KEYS),
        "square_classes": sorted(levels.SQUARE_CLASSES),
        "city_hulls": dataclasses.astuple(levels.CITY),
    }


def default_folder(source: Path) -> Path:
    """The cache folder of ``source`` in the platform's cache folder (``~/.cache`` on Linux):
    one per source path, so a changed file is found stale and baked again in place."""
    root = platformdirs.user_cache_path(APP_NAME, appauthor=False) / "tiles"
    resolved = str(source.resolve())
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in source.stem)[:40]
    return root / f"{stem}-{hashlib.sha256(resolved.encode()).hexdigest()[:12]}"


def source_files(source: Path) -> list[Path]:
    """The files whose bytes make up ``source`` (a Shapefile's sidecars too)."""
    files = [source]
    if source.suffix.lower() == ".shp":
        for ext in SIDECARS:
            for candidate in (source.with_suffix(ext), source.with_suffix(ext.upper())):
                if candidate.is_file():
                    files.append(candidate)
                    break
    return files


def source_digest(source: Path) -> str:
    """SHA-256 over the bytes of the source's files, each prefixed by its suffix and size."""
    h = hashlib.sha256()
    for path in source_files(source):
        h.update(f"{path.suffix.lower()}:{path.stat().st_size}:".encode())
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def cache_key(digest: str, load_settings: Mapping[str, Any]) -> str:
    """The key a fresh cache carries: source bytes, load and bake settings, program version."""
    text = json.dumps({"source": digest, "load": dict(load_settings), "bake": bake_settings(),
                       "program": __version__, "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class FileEntry:
    """A file of the cache: its name (relative to the folder), size and SHA-256."""

    file: str
    bytes: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "bytes": self.bytes, "sha256": self.sha256}


@dataclass(frozen=True)
class TileEntry:
    """A tile in the index: key, kind, box (local metres, with heights), error per level,
    triangles per part, its file; a leaf's far group."""

    key: str
    kind: TileKind
    box: Box
    errors: dict[int, float]
    triangles: dict[str, int]
    entry: FileEntry
    group: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "box": [round(v, 3) for v in self.box],
                "errors": {str(k): round(v, 3) for k, v in sorted(self.errors.items())},
                "triangles": dict(sorted(self.triangles.items())), "group": self.group,
                **self.entry.as_dict()}


@dataclass
class TileIndex:
    """What ``index.json`` holds."""

    key: str
    source: str
    bounds: tuple[float, float, float, float]
    max_height: float
    district: FileEntry
    report: FileEntry
    tiles: list[TileEntry] = field(default_factory=list)

    def leaves(self) -> list[TileEntry]:
        return [t for t in self.tiles if t.kind == "leaf"]

    def groups(self) -> list[TileEntry]:
        return [t for t in self.tiles if t.kind == "far"]

    def as_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "program": __version__, "key": self.key, "source": self.source,
            "bounds": [round(v, 3) for v in self.bounds],
            "max_height": round(self.max_height, 3),
            "district": self.district.as_dict(), "report": self.report.as_dict(),
            "tiles": [t.as_dict() for t in sorted(self.tiles, key=lambda t: (t.kind, t.key))],
        }, indent=1, sort_keys=True) + "\n"  # ASCII: a lone surrogate in the source's name


class StaleCacheError(Exception):
    """Why a cache folder cannot be used as it is (one line for the user)."""


def _entry(data: Any) -> FileEntry:
    return FileEntry(str(data["file"]), int(data["bytes"]), str(data["sha256"]))


def parse_index(text: str) -> tuple[dict[str, Any], TileIndex]:
    """The index's raw JSON and its TileIndex; CorruptFileError if it is not a tile index."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} index")
        tiles = [TileEntry(str(t["key"]), t["kind"], tuple(float(v) for v in t["box"]),  # type: ignore[arg-type]
                           {int(k): float(v) for k, v in t["errors"].items()},
                           {str(k): int(v) for k, v in t["triangles"].items()},
                           _entry(t), t.get("group"))
                 for t in data["tiles"]]
        for t in tiles:
            if t.kind not in ("leaf", "far") or len(t.box) != 6:
                raise ValueError(f"tile {t.key}: bad kind or box")
            # TileSet files leaves under their group by it: a list here would be a crash
            # there, long after the cache was opened as sound.
            if t.group is not None and not isinstance(t.group, str):
                raise ValueError(f"tile {t.key}: bad group {t.group!r}")
        index = TileIndex(str(data["key"]), str(data["source"]),
                          tuple(float(v) for v in data["bounds"]),  # type: ignore[arg-type]
                          float(data["max_height"]), _entry(data["district"]),
                          _entry(data["report"]), tiles)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CorruptFileError(f"{INDEX}: {exc}") from None
    return data, index


#: A relative name of dot-separated words in slash-separated folders: no "..", no root, no
#: drive, no backslash. Every name a bake writes is one; anything else takes the full check.
_PLAIN_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*(?:/[\w-]+(?:\.[\w-]+)*)*", re.ASCII)


def _check_name(name: str) -> None:
    """Refuse a file name of the index that would lie outside the cache folder (an absolute
    name or one climbing out with "..": the index is a file anyone can edit)."""
    if _PLAIN_NAME.fullmatch(name):  # what a bake writes: checked without two path parses
        return
    # Both spellings: "..\\x" is a plain name on Linux but climbs out on Windows.
    parts = PurePosixPath(name).parts
    if (not parts or name.startswith(("/", "\\")) or ".." in parts
            or ".." in PureWindowsPath(name).parts or ":" in name):
        raise CorruptFileError(f"{INDEX} names {name!r}, outside the cache folder")


def _safe_name(folder: Path, name: str) -> Path:
    """A file named by the index, in the cache folder (``_check_name``)."""
    _check_name(name)
    return folder / name


@dataclass
class Cache:
    """An opened, checked cache folder."""

    folder: Path
    index: TileIndex

    def read(self, entry: FileEntry) -> bytes:
        """A file's bytes, checked against the index; CorruptFileError if they differ."""
        path = _safe_name(self.folder, entry.file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorruptFileError(f"{entry.file}: {exc.strerror or exc}") from None
        if len(data) != entry.bytes:
            raise CorruptFileError(f"{entry.file} has {len(data)} bytes, the index says "
                              f"{entry.bytes} (truncated?)")
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise CorruptFileError(f"{entry.file} does not match its checksum (damaged)")
        return data

    def district(self) -> tuple[District, LoadReport]:
        """The baked district and its load report."""
        district = arrays_district(read_npz(self.read(self.index.district)))
        report = json_report(self.read(self.index.report).decode("utf-8"))
        return district, report

    def tile_arrays(self, tile: TileEntry) -> dict[str, Any]:
        """A tile's arrays (``files.arrays_batches`` makes batches of them)."""
        return read_npz(self.read(tile.entry))


def open_cache(folder: Path, key: str) -> Cache:
    """The cache in ``folder`` if it is a complete bake with ``key``; StaleCacheError saying why
    not (a missing folder or index is a StaleCacheError too: nothing baked yet)."""
    path = folder / INDEX
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise StaleCacheError("not baked yet") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StaleCacheError(f"{INDEX} cannot be read ({exc})") from None
    try:
        data, index = parse_index(text)
    except CorruptFileError as exc:
        raise StaleCacheError(f"damaged: {exc}") from None
    if index.key != key:
        made_by = data.get("program")
        why = (f"made by version {made_by}" if made_by != __version__
               else "the source or the settings changed")
        raise StaleCacheError(f"stale: {why}")
    root = str(folder)  # joined as text: a city's index names a couple of thousand files
    for entry in [index.district, index.report, *(t.entry for t in index.tiles)]:
        try:
            _check_name(entry.file)
            size = os.stat(os.path.join(root, entry.file)).st_size
        except CorruptFileError as exc:
            raise StaleCacheError(f"damaged: {exc}") from None
        except OSError:
            raise StaleCacheError(f"truncated: {entry.file} is missing") from None
        if size != entry.bytes:
            raise StaleCacheError(f"truncated: {entry.file} has {size} bytes, the index says "
                               f"{entry.bytes}")
    return Cache(folder, index)


def _write(folder: Path, name: str, data: bytes, digest: str | None = None) -> FileEntry:
    """Write a file atomically (a temporary file renamed over it); ``digest`` is its
    SHA-256 when the caller has it already."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return FileEntry(name, len(data), digest or hashlib.sha256(data).hexdigest())


def _stored(folder: Path, stem: str, data: bytes, suffix: str) -> FileEntry:
    """Write ``data`` under a content-addressed name: a rebake never overwrites a file an
    old index still names."""
    digest = hashlib.sha256(data).hexdigest()
    return _write(folder, f"{stem}-{digest[:16]}{suffix}", data, digest)


def store_tile(folder: Path, key: str, data: bytes) -> FileEntry:
    """Write tile ``key``'s file into the cache in ``folder`` (here, or on a worker of a
    local Dask cluster: ``parallel.bake_on_worker``)."""
    return _stored(folder, f"tiles/{key}", data, ".npz")


#: Told (tiles done, tiles in all) as tiles finish.
Progress = Callable[[int, int], None]


def bake(district: District, report: LoadReport, folder: Path, key: str,
         runner: Runner = serial, progress: Progress | None = None) -> Cache:
    """Bake ``district`` into ``folder`` under ``key``: tiles first (as the runner finishes
    them), then the district table and report, then the index, which commits the bake;
    files no index names any more are removed last."""
    folder.mkdir(parents=True, exist_ok=True)
    tree, tasks = plan(district)
    group_of = {leaf: g.key for g in tree.groups for leaf in g.leaves}
    total = len(tasks)
    if progress is not None:
        progress(0, total)
    entries: list[TileEntry] = []
    # The district table (a few seconds for a big city, all in this process) is made in a
    # thread once the first tile is in, while the rest bake: on Dask this process mostly
    # waits meanwhile, and the table no longer holds up the index after the last tile.
    # Its file is written there too (content-addressed: an index names it only once the
    # bake commits, and a bake that fails leaves it to the next one's sweep): 60 MB
    # written after the last tile were most of the bake's tail on a busy disk.
    pool = ThreadPoolExecutor(1, thread_name_prefix="district-table")
    table_made: Future[FileEntry] | None = None

    def table() -> FileEntry:
        return _stored(folder, "district", npz_bytes(district_arrays(district)), ".npz")

    try:
        for done, result in enumerate(runner(tasks), start=1):
            if table_made is None:
                table_made = pool.submit(table)
            entry = (FileEntry(*result.stored) if result.stored is not None
                     else store_tile(folder, result.key, result.data))
            entries.append(TileEntry(result.key, result.kind, result.box, result.errors,
                                     result.triangles, entry,
                                     group_of.get(result.key) if result.kind == "leaf"
                                     else None))
            if progress is not None:
                progress(done, total)
        dist_entry = table_made.result() if table_made is not None else table()
    finally:
        # A bake that failed does not wait for a table nobody will write.
        pool.shutdown(wait=False, cancel_futures=True)
    # A tile is its kind and key: a far group that is a single leaf shares the leaf's key.
    got = {(e.kind, e.key) for e in entries}
    if len(entries) != total or got != {(t.kind, t.key) for t in tasks}:
        raise RuntimeError(f"the bake returned {len(got)} of {total} tiles")
    entries = _grown_groups(entries)
    rep = report_json(report).encode("utf-8")
    rep_entry = _stored(folder, "report", rep, ".json")
    boxes = [e.box for e in entries if e.kind == "leaf"]
    # The features' extent, as the merged mesh gives it (``DistrictMesh.bounds``), not the
    # tiles' (road ribbons reach past their centre lines): the start view, the camera's
    # limits and the haze then come out the same whichever way the city is drawn.
    if len(district):
        g = shapely.total_bounds(district.geometry)
        bounds = (float(g[0]), float(g[1]), float(g[2]), float(g[3]))
    else:
        bounds = (0.0, 0.0, 0.0, 0.0)
    top = max((b[5] for b in boxes), default=0.0)
    index = TileIndex(key, report.source, bounds, float(top if math.isfinite(top) else 0.0),
                      dist_entry, rep_entry, entries)
    _write(folder, INDEX, index.as_json().encode("utf-8"))
    _sweep(folder, {INDEX, dist_entry.file, rep_entry.file, *(e.entry.file for e in entries)})
    return Cache(folder, index)


def _grown_groups(entries: list[TileEntry]) -> list[TileEntry]:
    """Far groups' boxes grown to hold their leaves: the group stands in for them."""
    leaves: dict[str, list[Box]] = {}
    for e in entries:
        if e.kind == "leaf" and e.group is not None:
            leaves.setdefault(e.group, []).append(e.box)
    out = []
    for e in entries:
        if e.kind == "far":
            boxes = [e.box, *leaves.get(e.key, [])]
            box: Box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                        min(b[2] for b in boxes), max(b[3] for b in boxes),
                        max(b[4] for b in boxes), max(b[5] for b in boxes))
            e = TileEntry(e.key, e.kind, box, e.errors, e.triangles, e.entry, e.group)
        out.append(e)
    return out


def _sweep(folder: Path, keep: set[str]) -> None:
    """Remove files of older bakes and leftovers of interrupted writes."""
    for path in [*folder.glob("*"), *folder.glob("tiles/*")]:
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in keep and (
                name.startswith(("tiles/", "district-", "report-", ".part-"))
                or "/.part-" in name):
            path.unlink(missing_ok=True)
