"""Areas and local governments.

An area's primary key is its DOPA code; the code nests (``65`` ⊃ ``6501`` ⊃ ``650101`` ⊃
``65010105``), which is what scope checks rely on. Local governments (LAOs) do not nest in
that tree: each village/community points at the one LAO it belongs to for certification.
"""
from __future__ import annotations

import enum

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.geometry import GeometryColumn


class AreaLevel(str, enum.Enum):
    PROVINCE = "province"
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    VILLAGE = "village"
    COMMUNITY = "community"


# Thai labels, for pages and reports.
LEVEL_TH = {
    AreaLevel.PROVINCE: "จังหวัด",
    AreaLevel.DISTRICT: "อำเภอ",
    AreaLevel.SUBDISTRICT: "ตำบล",
    AreaLevel.VILLAGE: "หมู่บ้าน",
    AreaLevel.COMMUNITY: "ชุมชน",
}

# The levels the survey collects in (one code each, 8 digits).
VILLAGE_LEVELS = (AreaLevel.VILLAGE.value, AreaLevel.COMMUNITY.value)

# Length of the DOPA code at each level of the tree.
CODE_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.DISTRICT: 4,
    AreaLevel.SUBDISTRICT: 6,
    AreaLevel.VILLAGE: 8,
    AreaLevel.COMMUNITY: 8,
}


class LaoType(str, enum.Enum):
    SAO = "sao"
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality"
    TOWN_MUNICIPALITY = "town_municipality"
    CITY_MUNICIPALITY = "city_municipality"
    PATTAYA = "pattaya"


LAO_TYPE_TH = {
    LaoType.SAO: "องค์การบริหารส่วนตำบล",
    LaoType.SUBDISTRICT_MUNICIPALITY: "เทศบาลตำบล",
    LaoType.TOWN_MUNICIPALITY: "เทศบาลเมือง",
    LaoType.CITY_MUNICIPALITY: "เทศบาลนคร",
    LaoType.PATTAYA: "เมืองพัทยา",
}


class Lao(db.Model):
    """A local government (อปท.): the unit certified at the first tier."""

    __tablename__ = "laos"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    # Where the LAO lies (checked on import; plain columns so the two tables don't
    # reference each other in a cycle).
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    district_code: Mapped[str] = mapped_column(String(4), index=True)

    @property
    def type_th(self) -> str:
        return LAO_TYPE_TH[LaoType(self.type)]


class Area(db.Model):
    """A province, district, subdistrict, village (หมู่บ้าน) or urban community (ชุมชน)."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(200), index=True)
    name_en: Mapped[str | None] = mapped_column(String(200), index=True)
    # False for Bangkok, which the survey does not cover.
    in_survey: Mapped[bool] = mapped_column(Boolean, default=True)
    # Villages and communities only: the หมู่ number and the LAO they are certified under.
    moo: Mapped[int | None] = mapped_column(Integer)
    lao_code: Mapped[str | None] = mapped_column(ForeignKey("laos.code"), index=True)
    # Boundaries (gis import): the full geometry for checks, a simplified one for maps.
    # Deferred: an area is read on every request, its polygons only by maps and checks.
    geom = mapped_column(GeometryColumn("MULTIPOLYGON"), nullable=True, deferred=True)
    geom_simplified = mapped_column(GeometryColumn("MULTIPOLYGON"), nullable=True,
                                    deferred=True)
    # "file" when a boundary file gave it, "dissolved" when built from its subdistricts.
    geom_source: Mapped[str | None] = mapped_column(String(16))
    # Villages and communities: a point from the register, when it gives one (EPSG:4326).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)

    lao: Mapped[Lao | None] = relationship(lazy="joined")

    @property
    def level_th(self) -> str:
        return LEVEL_TH[AreaLevel(self.level)]

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the enclosing areas, province first (derived from the code itself)."""
        lengths = [n for n in (2, 4, 6) if n < len(self.code)]
        return [self.code[:n] for n in lengths]
