"""Quality gates: small named checks a unit must pass before it can be certified. Each
reads the unit's figures (summed from village rollups and indexed per-village counts,
never a scan of households) and says what it measured, against what, in Thai."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Callable

from app.thai import number
from certification.workflow import CHILD_TIER, TIER_TH, State

if TYPE_CHECKING:
    from certification.units import UnitStatus


@dataclass(frozen=True)
class GateResult:
    name: str
    label_th: str
    value: str
    threshold: str
    passed: bool

    def as_dict(self) -> dict:
        return asdict(self)


def coverage(unit: "UnitStatus", threshold_pct: int) -> GateResult:
    pct = unit.coverage_pct
    value = "ยังไม่มีเป้าหมาย" if pct is None else f"{pct:.1f}% ({number(unit.households)} จาก " \
                                                f"{number(unit.target)} ครัวเรือน)"
    return GateResult("coverage", "จัดเก็บครบตามเป้าหมาย", value, f"≥ {threshold_pct}%",
                      pct is not None and pct >= threshold_pct)


def no_returned(unit: "UnitStatus", _threshold_pct: int) -> GateResult:
    return GateResult("no_returned", "ไม่มีครัวเรือนรอแก้ไข",
                      f"{number(unit.returned)} ครัวเรือน", "0", unit.returned == 0)


def signed_off(unit: "UnitStatus", _threshold_pct: int) -> GateResult:
    return GateResult("signed_off", "หัวหน้าครัวเรือนลงนามรับรองทุกครัวเรือน",
                      f"ไม่มีลายมือชื่อ {number(unit.unsigned)} ครัวเรือน", "0",
                      unit.unsigned == 0)


def no_open_issues(unit: "UnitStatus", _threshold_pct: int) -> GateResult:
    return GateResult("no_open_issues", "ไม่มีปัญหาคุณภาพข้อมูลค้างอยู่ (เช่น เลขประจำตัวซ้ำ)",
                      f"{number(unit.open_issues)} เรื่อง", "0", unit.open_issues == 0)


def complete_results(unit: "UnitStatus", _threshold_pct: int) -> GateResult:
    return GateResult("complete_results",
                      "ผลตัวชี้วัดครบทุกครัวเรือน (ยกเว้นครัวเรือนที่บันทึกเหตุผลที่ตอบไม่ครบ)",
                      f"ข้อมูลไม่ครบ {number(unit.incomplete)} ครัวเรือน", "0",
                      unit.incomplete == 0)


def lower_units_certified(unit: "UnitStatus", _threshold_pct: int) -> GateResult:
    waiting = [c for c in unit.children if c.state is not State.CERTIFIED]
    below = TIER_TH[CHILD_TIER[unit.tier]]
    return GateResult("lower_units_certified", f"ทุกหน่วยระดับ{below}รับรองแล้วและข้อมูลไม่เปลี่ยน",
                      f"ยังไม่ผ่าน {number(len(waiting))} จาก {number(len(unit.children))} หน่วย",
                      "0", not waiting and bool(unit.children))


Gate = Callable[["UnitStatus", int], GateResult]
DATA_GATES: tuple[Gate, ...] = (coverage, no_returned, signed_off, no_open_issues,
                                complete_results)


def evaluate(unit: "UnitStatus", threshold_pct: int) -> list[GateResult]:
    gates = [gate(unit, threshold_pct) for gate in DATA_GATES]
    if unit.tier in CHILD_TIER:
        gates.append(lower_units_certified(unit, threshold_pct))
    return gates
