"""A plausible village/community register for one province, for demos and tests.

Villages have no open list, so this invents one in the register's CSV format: 8–15
villages per subdistrict, each subdistrict under its SAO (อบต.), a town municipality
(เทศบาลเมือง) over the first subdistrict of the capital district with urban communities
(ชุมชน), and in every district one subdistrict split between a subdistrict municipality
(เทศบาลตำบล) and its SAO. Deterministic for a given province and seed.
"""
from __future__ import annotations

import csv
import io
import random

from sqlalchemy import select

from app.areas.models import Area, AreaLevel, LaoType
from app.areas.register import COLUMNS
from app.extensions import db

VILLAGE_WORDS = ["หนองบัว", "ดอนแดง", "โคกสูง", "ท่าช้าง", "นาดี", "หนองแวง", "ป่าแดง", "สระแก้ว",
                 "บางกระดี่", "คลองโคน", "ท่าเรือ", "ดอนมะขาม", "วังน้ำเย็น", "หนองปลาไหล",
                 "โนนสะอาด", "ห้วยทราย", "บ่อทอง", "ไร่ใหม่", "คลองใหม่", "ท่าฉลอม", "เกาะแก้ว",
                 "ดงมะไฟ", "นาคำ", "หัวหิน", "บางพลัด", "สวนหลวง", "ทุ่งใหญ่", "หนองตะเคียน"]
COMMUNITY_WORDS = ["ตลาดเก่า", "วัดใหญ่", "ริมน้ำ", "หลังสถานี", "ศาลเจ้า", "ท่าน้ำ", "บ้านใหม่",
                   "เคหะ", "ประตูน้ำ", "สามแยก", "หน้าวัง", "โรงเรียน", "ศรีเมือง", "พัฒนา",
                   "ร่วมใจ"]

LAO_CODE_PREFIX = {LaoType.TOWN_MUNICIPALITY: "4", LaoType.SUBDISTRICT_MUNICIPALITY: "5",
                   LaoType.SAO: "6"}
LAO_NAME_PREFIX = {LaoType.TOWN_MUNICIPALITY: "เทศบาลเมือง",
                   LaoType.SUBDISTRICT_MUNICIPALITY: "เทศบาลตำบล",
                   LaoType.SAO: "องค์การบริหารส่วนตำบล"}


def _lao(kind: LaoType, sub: Area, name: str | None = None) -> tuple[str, str, str]:
    return LAO_CODE_PREFIX[kind] + sub.code, kind.value, LAO_NAME_PREFIX[kind] + (name or sub.name_th)


def demo_register_rows(province_code: str, seed: int = 2565) -> list[dict]:
    rng = random.Random(f"{province_code}:{seed}")
    province = db.session.get(Area, province_code)
    if province is None or province.level != AreaLevel.PROVINCE.value:
        raise ValueError(f"unknown province {province_code!r}")
    districts = list(db.session.scalars(
        select(Area).where(Area.parent_code == province_code).order_by(Area.code)))
    rows = []
    for d_index, district in enumerate(districts):
        subs = list(db.session.scalars(
            select(Area).where(Area.parent_code == district.code).order_by(Area.code)))
        for s_index, sub in enumerate(subs):
            count = rng.randint(8, 15)
            sao = _lao(LaoType.SAO, sub)
            if d_index == 0 and s_index == 0:
                town = _lao(LaoType.TOWN_MUNICIPALITY, sub, province.name_th)
                for n in range(1, count + 1):
                    rows.append(_row(sub, n, "community",
                                     "ชุมชน" + rng.choice(COMMUNITY_WORDS), town))
                continue
            split_at = count // 2 if s_index == 0 else None
            town = _lao(LaoType.SUBDISTRICT_MUNICIPALITY, sub) if split_at else None
            for n in range(1, count + 1):
                lao = town if split_at and n <= split_at else sao
                rows.append(_row(sub, n, "village", "บ้าน" + rng.choice(VILLAGE_WORDS), lao))
    return rows


def _row(sub: Area, number: int, kind: str, name: str, lao: tuple[str, str, str]) -> dict:
    return dict(zip(COLUMNS, [f"{sub.code}{number:02d}", kind, name, sub.code, *lao]))


def demo_register_csv(province_code: str, seed: int = 2565) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_register_rows(province_code, seed))
    return out.getvalue().encode("utf-8")
