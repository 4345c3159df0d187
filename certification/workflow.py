"""The tiers, the states of a unit, and the one transition table that says who may move a
unit from which state.

A unit is an LAO, a district or a province of a round; at the department tier the units
are the provinces, which the department accepts into the national dataset. States are
derived (``certification.units``):

* ``collecting`` – not every quality gate passes yet;
* ``ready``      – every gate passes, no decision yet;
* ``certified``  – certified (accepted, at the department tier) on the data as it is now;
* ``stale``      – certified, but the data changed since (a correction, a return);
* ``returned``   – a higher tier sent it back; it must be certified again.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from app.auth.models import Role


class Tier(str, enum.Enum):
    LAO = "lao"
    DISTRICT = "district"
    PROVINCE = "province"
    DEPARTMENT = "department"


TIER_TH = {Tier.LAO: "อปท.", Tier.DISTRICT: "อำเภอ", Tier.PROVINCE: "จังหวัด",
           Tier.DEPARTMENT: "กรม (รับเข้าข้อมูลระดับประเทศ)"}
# The tier below each tier: whose units must all be certified first.
CHILD_TIER = {Tier.DISTRICT: Tier.LAO, Tier.PROVINCE: Tier.DISTRICT,
              Tier.DEPARTMENT: Tier.PROVINCE}
MEETING_TIERS = {Tier.LAO, Tier.DISTRICT, Tier.PROVINCE}


class State(str, enum.Enum):
    COLLECTING = "collecting"
    READY = "ready"
    CERTIFIED = "certified"
    STALE = "stale"
    RETURNED = "returned"


STATE_TH = {State.COLLECTING: "กำลังจัดเก็บ/ยังไม่ผ่านเกณฑ์", State.READY: "พร้อมรับรอง",
            State.CERTIFIED: "รับรองแล้ว", State.STALE: "ข้อมูลเปลี่ยนหลังรับรอง ต้องรับรองใหม่",
            State.RETURNED: "ถูกส่งกลับให้แก้ไข"}


class Decide(str, enum.Enum):
    CERTIFY = "certify"   # at the department tier: accept the province
    RETURN = "return"     # send a certified LAO unit back to the LAO tier


@dataclass(frozen=True)
class Transition:
    roles: frozenset[Role]
    from_states: frozenset[State]
    to_state: State


# (what, tier) → who may do it from which states. Certifying also needs every gate to
# pass; a district or province never edits data, it returns (households or an LAO unit).
TRANSITIONS: dict[tuple[Decide, Tier], Transition] = {
    (Decide.CERTIFY, Tier.LAO): Transition(
        frozenset({Role.LAO_CERTIFIER}),
        frozenset({State.READY, State.STALE, State.RETURNED}), State.CERTIFIED),
    (Decide.CERTIFY, Tier.DISTRICT): Transition(
        frozenset({Role.DISTRICT_OFFICER}),
        frozenset({State.READY, State.STALE, State.RETURNED}), State.CERTIFIED),
    (Decide.CERTIFY, Tier.PROVINCE): Transition(
        frozenset({Role.PROVINCE_OFFICER}),
        frozenset({State.READY, State.STALE, State.RETURNED}), State.CERTIFIED),
    (Decide.CERTIFY, Tier.DEPARTMENT): Transition(
        frozenset({Role.DEPARTMENT_ADMIN}),
        frozenset({State.READY, State.STALE, State.RETURNED}), State.CERTIFIED),
    (Decide.RETURN, Tier.LAO): Transition(
        frozenset({Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER}),
        frozenset({State.CERTIFIED, State.STALE}), State.RETURNED),
}


def transition(decide: Decide, tier: Tier) -> Transition | None:
    return TRANSITIONS.get((decide, tier))
