"""How area geometry is stored on both databases.

PostgreSQL: a PostGIS ``geometry(MultiPolygon, 4326)`` column (GeoAlchemy2), so that spatial
indexes and ``ST_*`` functions are available. SQLite: the same geometry as WKB in a BLOB,
read through shapely. Either way Python sees a shapely geometry, and each row also carries
its bounding box in four float columns (``min_lon`` … ``max_lat``) so that ``bbox`` filters
run as plain range queries on both databases.
"""
from __future__ import annotations

import shapely
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

SRID = 4326
# Thailand's extent (EPSG:4326), with a margin for islands and GPS error.
THAILAND_BBOX = (97.2, 5.5, 105.7, 20.5)  # min lon, min lat, max lon, max lat


class GeometryColumn(TypeDecorator):
    """A shapely geometry: PostGIS geometry on PostgreSQL, WKB bytes elsewhere."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "MULTIPOLYGON"):
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                Geometry(geometry_type=self.geometry_type, srid=SRID, spatial_index=False))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return WKBElement(shapely.to_wkb(value), srid=SRID)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        return shapely.from_wkb(bytes(value))


def bbox_columns(geometry) -> dict:
    """The four bounding-box column values for a geometry (all None when there is none)."""
    if geometry is None or geometry.is_empty:
        return {"min_lon": None, "min_lat": None, "max_lon": None, "max_lat": None}
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}
