"""One value type for "an area, an LAO or the nation": what a user's scope covers, what a
report, a certification or a map is about. The policy, the reports, certification and the
maps all speak of a ``Unit``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, true

from app.areas.models import Area, Lao
from app.areas.queries import lao_village_codes

NATION_NAME_TH = "ทั่วประเทศ"


def code_prefix(column, prefix: str):
    """``column`` starts with the digits ``prefix``, as a range (``prefix`` ≤ code <
    ``prefix`` + "A": every digit sorts before a letter), so that an ordinary index serves
    it on every database and collation, which a LIKE 'prefix%' does not."""
    return and_(column >= prefix, column < prefix + "A")


@dataclass(frozen=True)
class Unit:
    kind: str  # "nation", "area" or "lao"
    code: str = ""
    name_th: str = NATION_NAME_TH

    @classmethod
    def nation(cls) -> "Unit":
        return cls("nation")

    @classmethod
    def of_area(cls, area: Area) -> "Unit":
        return cls("area", area.code, area.name_th)

    @classmethod
    def of_lao(cls, lao: Lao) -> "Unit":
        return cls("lao", lao.code, lao.name_th)

    @classmethod
    def of_scope(cls, user) -> "Unit":
        """What a user works on: their LAO, their area, or (admins, viewers) the nation."""
        if user.scope_lao_code:
            return cls("lao", user.scope_lao_code)
        if user.scope_area_code:
            return cls("area", user.scope_area_code)
        return cls.nation()

    def village_filter(self, column):
        """``column`` (a village/community code) lies in the unit."""
        if self.kind == "lao":
            return column.in_(lao_village_codes(self.code))
        if self.kind == "area":
            return code_prefix(column, self.code)
        return true()

    @classmethod
    def named(cls, area: str | None = None, lao: str | None = None) -> "Unit":
        """The unit a request names (an LAO, an area, or neither: the nation); 404 for a
        code the registry does not know."""
        from app.areas.queries import get_area, get_lao
        from app.errors import Problem
        if lao:
            found = get_lao(lao)
            if found is None:
                raise Problem("UNKNOWN_LAO", code=lao)
            return cls.of_lao(found)
        if area:
            found = get_area(area)
            if found is None:
                raise Problem("UNKNOWN_AREA", code=area)
            return cls.of_area(found)
        return cls.nation()

    def as_dict(self) -> dict:
        return {"code": self.code, "name_th": self.name_th, "kind": self.kind}
