"""Reading the registry: an area with its ancestors, children, name search."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from app.areas.models import Area, Lao
from app.extensions import db


def get_area(code: str) -> Area | None:
    return db.session.get(Area, code)


def get_lao(code: str) -> Lao | None:
    return db.session.get(Lao, code)


def ancestors(area: Area) -> list[Area]:
    """Enclosing areas, province first."""
    codes = area.ancestor_codes
    if not codes:
        return []
    found = {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(codes)))}
    return [found[c] for c in codes if c in found]


def _page(query, limit: int, offset: int) -> tuple[list[Area], int]:
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.order_by(Area.code).limit(limit).offset(offset)))
    return items, total


def children(code: str | None, visible, *, limit: int, offset: int) -> tuple[list[Area], int]:
    """The areas directly below ``code`` (the provinces for None) that ``visible`` admits."""
    parent = Area.parent_code == code if code else Area.parent_code.is_(None)
    return _page(select(Area).where(parent, visible), limit, offset)


def search(text: str, visible, *, level: str | None = None, limit: int,
           offset: int) -> tuple[list[Area], int]:
    """Areas whose Thai or English name contains ``text`` (case-insensitive)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(Area).where(
        or_(Area.name_th.like(pattern, escape="\\"), Area.name_en.ilike(pattern, escape="\\")),
        visible)
    if level:
        query = query.where(Area.level == level)
    return _page(query, limit, offset)


def lao_village_codes(lao_code: str):
    """The codes of the villages/communities the register puts under an LAO, as a subquery:
    whatever belongs to an LAO (households, rollups) belongs through its village, so a
    register change moves it with its village."""
    return select(Area.code).where(Area.lao_code == lao_code).scalar_subquery()


def lao_areas(lao_code: str) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.lao_code == lao_code)
                                   .order_by(Area.code)))
