"""Importing administrative boundaries into the area registry, with a reconciliation
report.

Reads a zipped shapefile, a GeoPackage or GeoJSON (geopandas/pyogrio) of any level; finds
the text encoding when the file does not say (a shapefile without ``.cpg``: UTF-8, else
TIS-620); reprojects to EPSG:4326; maps the code field (``ADM3_PCODE`` ``TH750101`` →
``750101``); repairs invalid geometry; stores the full geometry (for checks) and one
simplified once for maps. Districts and provinces that have no boundary of their own are
built by dissolving their subdistricts. Everything is checked before anything is written,
in one transaction; running it again gives the same registry.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas
import pandas
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import bindparam, select

from app.areas.models import CODE_LENGTH, Area, AreaLevel
from app.extensions import db
from app.geometry import bbox_columns

LEVEL_BY_LENGTH = {2: AreaLevel.PROVINCE, 4: AreaLevel.DISTRICT, 6: AreaLevel.SUBDISTRICT}
CODE_FIELDS = {AreaLevel.SUBDISTRICT: "ADM3_PCODE", AreaLevel.DISTRICT: "ADM2_PCODE",
               AreaLevel.PROVINCE: "ADM1_PCODE"}
NAME_FIELDS = {AreaLevel.SUBDISTRICT: "ADM3_TH", AreaLevel.DISTRICT: "ADM2_TH",
               AreaLevel.PROVINCE: "ADM1_TH"}
# Simplification tolerance per level, in degrees (about 50, 100 and 200 m).
SIMPLIFY = {AreaLevel.SUBDISTRICT: 0.0005, AreaLevel.DISTRICT: 0.001,
            AreaLevel.PROVINCE: 0.002}
# A zip is refused beyond these: a boundary file of the whole country is ~10 MB unzipped.
MAX_UNZIPPED_BYTES = 1024 ** 3
MAX_RATIO = 200
READABLE = (".shp", ".gpkg", ".geojson", ".json")


class BoundaryFileError(ValueError):
    """The file cannot be imported; nothing was changed."""


@dataclass
class Reconciliation:
    level: str
    encoding: str
    features: int
    matched: int = 0
    only_in_file: list[str] = field(default_factory=list)
    only_in_registry: list[str] = field(default_factory=list)
    names_differ: list[dict] = field(default_factory=list)
    repaired: int = 0
    dissolved: dict = field(default_factory=dict)  # level → number of areas built
    incomplete: list[str] = field(default_factory=list)  # dissolved from part of their areas

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"{self.features:,} features ({self.level}, {self.encoding}); "
               f"{self.matched:,} matched the registry",
               f"only in the file ({len(self.only_in_file)}): {', '.join(self.only_in_file)}",
               f"only in the registry ({len(self.only_in_registry)}): "
               f"{', '.join(self.only_in_registry)}",
               f"Thai names that differ: {len(self.names_differ)}",
               f"invalid geometries repaired: {self.repaired}"]
        out += [f"{level}s built by dissolving: {n:,}" for level, n in self.dissolved.items()]
        if self.incomplete:
            out.append(f"built from part of their subdistricts: {', '.join(self.incomplete)}")
        return out


def _source(path: Path) -> str:
    """The GDAL path of the one dataset in the file; a zip is checked before it is read."""
    if not path.exists():
        raise BoundaryFileError(f"{path}: no such file")
    if path.suffix.lower() != ".zip":
        if path.suffix.lower() not in READABLE:
            raise BoundaryFileError(f"{path.name}: not a zipped shapefile, GeoPackage or "
                                    f"GeoJSON")
        return str(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise BoundaryFileError(f"{path.name}: not a readable zip file") from exc
    with archive:
        entries = archive.infolist()
        total = sum(e.file_size for e in entries)
        for entry in entries:
            name = entry.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                raise BoundaryFileError(f"{path.name}: entry {name!r} points outside the "
                                        f"archive")
            if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
                raise BoundaryFileError(f"{path.name}: entry {name!r} expands "
                                        f"{entry.file_size // entry.compress_size}× (refused)")
        if total > MAX_UNZIPPED_BYTES:
            raise BoundaryFileError(f"{path.name}: {total:,} bytes unzipped is too large")
        names = [e.filename for e in entries if not e.is_dir()]
    datasets = [n for n in names if n.lower().endswith(READABLE)]
    if len(datasets) != 1:
        raise BoundaryFileError(f"{path.name}: expected one .shp, .gpkg or .geojson inside, "
                                f"found {len(datasets)}")
    dataset = datasets[0]
    if dataset.lower().endswith(".shp"):
        stem = dataset[:-4].lower()
        for needed in (".shx", ".dbf"):
            if stem + needed not in {n.lower() for n in names}:
                raise BoundaryFileError(f"{path.name}: the shapefile has no {needed} "
                                        f"(a shapefile needs .shp, .shx and .dbf)")
    return f"/vsizip/{path.resolve()}/{dataset}"


def _has_cpg(path: Path) -> bool:
    if path.suffix.lower() != ".zip":
        return path.with_suffix(".cpg").exists()
    with zipfile.ZipFile(path) as archive:
        return any(n.lower().endswith(".cpg") for n in archive.namelist())


def _read(source: str, path: Path, encoding: str | None) -> tuple[geopandas.GeoDataFrame, str]:
    """The features and the encoding their text was read in."""
    try:
        if encoding or not source.lower().endswith(".shp") or _has_cpg(path):
            frame = pyogrio.read_dataframe(source, encoding=encoding)
            return frame, encoding or pyogrio.read_info(source)["encoding"] or "UTF-8"
        # No .cpg: GDAL would assume ISO-8859-1. Read the bytes as latin-1 (lossless) and
        # decode them as UTF-8 if every text does, else as TIS-620.
        frame = pyogrio.read_dataframe(source, encoding="latin1")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.CRSError, LookupError) as exc:
        raise BoundaryFileError(f"{path.name}: cannot be read ({exc})") from exc
    text = [c for c in frame.columns if c != "geometry"
            and pandas.api.types.is_string_dtype(frame[c])]
    for codec in ("utf-8", "cp874"):
        try:
            decoded = {c: frame[c].map(lambda v: v.encode("latin1").decode(codec)
                                       if isinstance(v, str) else v) for c in text}
        except UnicodeError:
            continue
        for column, values in decoded.items():
            frame[column] = values
        return frame, codec.upper()
    raise BoundaryFileError(f"{path.name}: its text is neither UTF-8 nor TIS-620; give "
                            f"--encoding")


def _multipolygon(geometry) -> tuple[MultiPolygon | None, bool]:
    """A valid MultiPolygon of the geometry's areas, and whether it had to be repaired."""
    if geometry is None or geometry.is_empty:
        return None, False
    repaired = not geometry.is_valid
    if repaired:
        geometry = shapely.make_valid(geometry)
    polygons = [g for g in getattr(geometry, "geoms", [geometry])
                if isinstance(g, (Polygon, MultiPolygon))]
    parts = [p for g in polygons for p in getattr(g, "geoms", [g])]
    return (MultiPolygon(parts) if parts else None), repaired


def _simplified(geometry, level: AreaLevel):
    simple, _ = _multipolygon(geometry.simplify(SIMPLIFY[level], preserve_topology=True))
    return simple or geometry


def _same_name(a: str | None, b: str | None) -> bool:
    def norm(s):
        return re.sub(r"\s+", "", unicodedata.normalize("NFC", s or ""))
    return norm(a) == norm(b)


def import_boundaries(path: Path, *, level: str | None = None, code_field: str | None = None,
                      name_field: str | None = None, encoding: str | None = None,
                      code_prefix: str = "TH", dissolve: bool = True,
                      dry_run: bool = False) -> Reconciliation:
    """Check the whole file, then store its geometries (flushed; the caller commits), or
    raise ``BoundaryFileError`` having changed nothing."""
    source = _source(path)
    frame, used_encoding = _read(source, path, encoding)
    if frame.crs is None:
        raise BoundaryFileError(f"{path.name}: no coordinate reference system (a shapefile "
                                f"needs its .prj)")
    if len(frame) == 0:
        raise BoundaryFileError(f"{path.name}: no features")
    wanted = AreaLevel(level) if level else None
    field_name = code_field or (CODE_FIELDS[wanted] if wanted else next(
        (f for f in CODE_FIELDS.values() if f in frame.columns), None))
    if field_name not in frame.columns:
        raise BoundaryFileError(f"{path.name}: no code field {field_name!r}; its fields are "
                                f"{', '.join(c for c in frame.columns if c != 'geometry')}")
    codes = [re.sub(f"^{re.escape(code_prefix)}", "", str(v or "")) for v in frame[field_name]]
    lengths = {len(c) for c in codes}
    if wanted is None:
        if len(lengths) != 1 or next(iter(lengths)) not in LEVEL_BY_LENGTH:
            raise BoundaryFileError(f"{path.name}: codes in {field_name} are not all 2, 4 or "
                                    f"6 digits; give --level")
        wanted = LEVEL_BY_LENGTH[next(iter(lengths))]
    if not all(re.fullmatch("[0-9]+", c) for c in codes):
        raise BoundaryFileError(f"{path.name}: {field_name} holds codes that are not digits")
    try:
        frame = frame.to_crs(4326)
    except Exception as exc:  # pyproj's errors: an unknown or unusable CRS
        raise BoundaryFileError(f"{path.name}: cannot reproject to EPSG:4326 ({exc})") from exc
    names = name_field or NAME_FIELDS[wanted]
    report = Reconciliation(level=wanted.value, encoding=used_encoding, features=len(frame))
    registry = {a.code: a for a in db.session.scalars(select(Area).where(
        Area.level == wanted.value))}
    geometries: dict[str, MultiPolygon] = {}
    for code, geometry, name in zip(codes, frame.geometry,
                                    frame[names] if names in frame.columns else [None] * len(frame)):
        shape, repaired = _multipolygon(geometry)
        report.repaired += repaired
        if code not in registry:
            report.only_in_file.append(code)
            continue
        if shape is None:
            continue
        geometries[code] = shapely.union_all([geometries[code], shape]) \
            if code in geometries else shape
        if name is not None and not _same_name(name, registry[code].name_th):
            report.names_differ.append({"code": code, "file": name,
                                        "registry": registry[code].name_th})
    report.matched = len(geometries)
    if not geometries:
        raise BoundaryFileError(f"{path.name}: none of its {len(frame):,} codes is in the "
                                f"registry ({field_name}, prefix {code_prefix!r})")
    covered = {code[:2] for code in geometries}
    report.only_in_file.sort()
    report.only_in_registry = sorted(c for c in registry if c[:2] in covered
                                     and c not in geometries)
    if dry_run:
        return report
    _store(geometries, wanted, "file")
    if dissolve and wanted is not AreaLevel.PROVINCE:
        _dissolve_upwards(wanted, covered, report)
    db.session.flush()
    return report


def _store(geometries: dict, level: AreaLevel, source: str) -> None:
    """One executemany UPDATE of the areas' geometries, simplified copies and boxes."""
    if not geometries:
        return
    table = Area.__table__
    statement = table.update().where(table.c.code == bindparam("area_code")).values(
        geom=bindparam("geom"), geom_simplified=bindparam("simple"),
        geom_source=bindparam("source"), min_lon=bindparam("min_lon"),
        min_lat=bindparam("min_lat"), max_lon=bindparam("max_lon"),
        max_lat=bindparam("max_lat"))
    db.session.execute(statement, [
        {"area_code": code, "geom": geometry, "simple": _simplified(geometry, level),
         "source": source, **bbox_columns(geometry)} for code, geometry in geometries.items()])


ORDER = [AreaLevel.SUBDISTRICT, AreaLevel.DISTRICT, AreaLevel.PROVINCE]


def _dissolve_upwards(level: AreaLevel, provinces: set[str], report: Reconciliation) -> None:
    """Districts (then provinces) of the covered provinces that have no boundary of their
    own are the union of the areas below them; those built from an incomplete set (an area
    below without a boundary) are reported."""
    below = level
    for above in ORDER[ORDER.index(level) + 1:]:
        length = CODE_LENGTH[above]
        parts: dict[str, list] = {}
        missing: set[str] = set()
        for code, geometry in db.session.execute(select(Area.code, Area.geom).where(
                Area.level == below.value, Area.province_code.in_(sorted(provinces)))):
            if geometry is None:
                missing.add(code[:length])
            else:
                parts.setdefault(code[:length], []).append(geometry)
        own = set(db.session.scalars(select(Area.code).where(
            Area.level == above.value, Area.geom_source == "file")))
        built = {code: _multipolygon(shapely.union_all(pieces))[0]
                 for code, pieces in parts.items() if code not in own}
        _store({c: g for c, g in built.items() if g is not None}, above, "dissolved")
        report.dissolved[above.value] = len(built)
        report.incomplete += sorted(c for c in built if c in missing)
        below = above
