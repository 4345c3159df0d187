"""The units of a province (its LAOs, districts, the province itself and its department
acceptance) with their figures, data revision, gates and derived state.

Everything is computed from a handful of set-based queries over the province's villages:
area registry, village rollups, targets, open quality issues, per-village household flags
(indexed by province), and the latest decision of each unit. Time grows with villages,
not households.

The *data revision* of a unit is a digest of its villages and their rollup revisions:
every submission, correction, return or reopening bumps a village's revision, and a
register change alters the village list, so any change under a unit changes its revision.
A certification stores the revision it certified; when they differ, it is stale.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import case, func, select

from app.areas.models import VILLAGE_LEVELS, Area, AreaLevel, Lao
from app.extensions import db
from app.units import Unit, code_prefix
from certification import gates as gate_checks
from certification.gates import GateResult
from certification.models import Decision
from certification.workflow import State, Tier
from survey.models import Household, QualityIssue, SurveyRound, Target, VillageRollup


def revision_of(villages) -> str:
    """The data revision of a set of ``(village code, rollup revision)`` pairs."""
    return hashlib.sha256("\n".join(f"{code}:{revision}" for code, revision in
                                    sorted(villages)).encode()).hexdigest()[:32]


@dataclass
class VillageFacts:
    code: str
    lao_code: str | None
    households: int = 0
    returned: int = 0
    revision: int = 0
    target: int = 0
    open_issues: int = 0
    unsigned: int = 0
    incomplete: int = 0


@dataclass
class UnitStatus:
    tier: Tier
    code: str
    name_th: str
    villages: list[VillageFacts] = field(default_factory=list)
    children: list["UnitStatus"] = field(default_factory=list)
    parent: tuple[Tier, str] | None = None
    decision: Decision | None = None
    gates: list[GateResult] = field(default_factory=list)
    state: State = State.COLLECTING

    # Figures are summed once, after the tree is built (cached_property).
    def _sum(self, name: str) -> int:
        return sum(getattr(v, name) for v in self.villages)

    @cached_property
    def households(self) -> int:
        return self._sum("households")

    @cached_property
    def target(self) -> int:
        return self._sum("target")

    @cached_property
    def returned(self) -> int:
        return self._sum("returned")

    @cached_property
    def open_issues(self) -> int:
        return self._sum("open_issues")

    @cached_property
    def unsigned(self) -> int:
        return self._sum("unsigned")

    @cached_property
    def incomplete(self) -> int:
        return self._sum("incomplete")

    @property
    def coverage_pct(self) -> float | None:
        return 100 * self.households / self.target if self.target else None

    @cached_property
    def revision(self) -> str:
        return revision_of((v.code, v.revision) for v in self.villages)

    @property
    def etag(self) -> str:
        return f'"{self.revision}"'

    @property
    def key(self) -> tuple[Tier, str]:
        return self.tier, self.code

    @property
    def unit(self) -> Unit:
        """The registry unit this certification unit covers (the province, at the
        department tier)."""
        return Unit("lao" if self.tier is Tier.LAO else "area", self.code, self.name_th)

    @property
    def failing(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]


def _village_facts(round_year: int, province: str) -> dict[str, VillageFacts]:
    facts = {code: VillageFacts(code, lao) for code, lao in db.session.execute(
        select(Area.code, Area.lao_code).where(Area.province_code == province,
                                                Area.level.in_(VILLAGE_LEVELS)))}
    for code, households, returned, revision in db.session.execute(
            select(VillageRollup.area_code, VillageRollup.households,
                   VillageRollup.returned_households, VillageRollup.revision)
            .where(VillageRollup.round_year == round_year,
                   VillageRollup.province_code == province)):
        if code in facts:
            facts[code].households, facts[code].returned = households, returned
            facts[code].revision = revision
    for code, households in db.session.execute(
            select(Target.area_code, Target.households).where(
                Target.round_year == round_year, code_prefix(Target.area_code, province))):
        if code in facts:
            facts[code].target = households
    for code, count in db.session.execute(
            select(QualityIssue.village_code, func.count()).where(
                QualityIssue.round_year == round_year, QualityIssue.resolved_at.is_(None),
                code_prefix(QualityIssue.village_code, province))
            .group_by(QualityIssue.village_code)):
        if code in facts:
            facts[code].open_issues = count
    # A partial household (the enumerator recorded why answers are missing) is complete as
    # far as it can be: it is counted apart in the reports and does not block the unit.
    unexplained = (Household.incomplete_mask != 0) & Household.incomplete_reason.is_(None)
    for code, unsigned, incomplete in db.session.execute(
            select(Household.village_code,
                   func.sum(case((Household.signed_at.is_(None), 1), else_=0)),
                   func.sum(case((unexplained, 1), else_=0)))
            .where(Household.round_year == round_year, Household.province_code == province,
                   (Household.signed_at.is_(None)) | unexplained)
            .group_by(Household.village_code)):
        if code in facts:
            facts[code].unsigned, facts[code].incomplete = int(unsigned), int(incomplete)
    return facts


def _latest_decisions(round_year: int, keys: list[tuple[Tier, str]]
                      ) -> dict[tuple[Tier, str], Decision]:
    codes = sorted({code for _, code in keys})
    latest: dict[tuple[Tier, str], Decision] = {}
    for decision in db.session.scalars(select(Decision).where(
            Decision.round_year == round_year, Decision.unit_code.in_(codes))
            .order_by(Decision.seq)):
        latest[(Tier(decision.tier), decision.unit_code)] = decision
    return latest


def _state(unit: UnitStatus) -> State:
    decision = unit.decision
    if decision is not None and decision.kind == "returned":
        return State.RETURNED
    if decision is not None:
        return State.CERTIFIED if decision.data_revision == unit.revision else State.STALE
    return State.READY if not unit.failing else State.COLLECTING


def province_units(round_: SurveyRound, province: str) -> dict[tuple[Tier, str], UnitStatus]:
    """Every unit of the province, from the LAOs up to the department's acceptance."""
    facts = _village_facts(round_.year, province)
    names = dict(db.session.execute(select(Area.code, Area.name_th).where(
        Area.province_code == province, Area.level.in_(
            [AreaLevel.PROVINCE.value, AreaLevel.DISTRICT.value]))).all())
    units: dict[tuple[Tier, str], UnitStatus] = {}
    whole = UnitStatus(Tier.PROVINCE, province, names.get(province, province),
                       villages=list(facts.values()))
    units[whole.key] = whole
    districts: dict[str, UnitStatus] = {}
    for village in facts.values():
        code = village.code[:4]
        if code not in districts:
            districts[code] = UnitStatus(Tier.DISTRICT, code, names.get(code, code),
                                         parent=whole.key)
        districts[code].villages.append(village)
    by_lao: dict[str, list[VillageFacts]] = defaultdict(list)
    for village in facts.values():
        if village.lao_code:
            by_lao[village.lao_code].append(village)
    for lao in db.session.scalars(select(Lao).where(Lao.province_code == province)):
        if lao.code not in by_lao:
            continue  # an LAO with no village in the register has nothing to certify
        district = districts.get(lao.district_code)
        unit = UnitStatus(Tier.LAO, lao.code, lao.name_th, villages=by_lao[lao.code],
                          parent=district.key if district else None)
        units[unit.key] = unit
        if district is not None:
            district.children.append(unit)
    for district in sorted(districts.values(), key=lambda d: d.code):
        units[district.key] = district
        whole.children.append(district)
    accept = UnitStatus(Tier.DEPARTMENT, province, whole.name_th, villages=whole.villages,
                        children=[whole])
    units[accept.key] = accept
    decisions = _latest_decisions(round_.year, list(units))
    # Lowest tier first: a unit's gates read its children's states.
    for tier in (Tier.LAO, Tier.DISTRICT, Tier.PROVINCE, Tier.DEPARTMENT):
        for unit in units.values():
            if unit.tier is tier:
                unit.decision = decisions.get(unit.key)
                unit.gates = gate_checks.evaluate(unit, round_.coverage_threshold_pct)
                unit.state = _state(unit)
    return units


@dataclass
class ProvinceSummary:
    code: str
    name_th: str
    households: int
    target: int
    revision: str
    province_decision: Decision | None
    department_decision: Decision | None

    def state_of(self, decision: Decision | None) -> State | None:
        """Certified, stale or returned by its decision; None when not decided yet (telling
        ready from collecting needs the whole unit tree: ``province_units``)."""
        if decision is None:
            return None
        if decision.kind == "returned":
            return State.RETURNED
        return State.CERTIFIED if decision.data_revision == self.revision else State.STALE


def province_summaries(round_: SurveyRound) -> list[ProvinceSummary]:
    """Every province with villages: its figures, data revision and latest province and
    department decisions, from a few nation-wide queries (no unit tree)."""
    villages: dict[str, list[tuple[str, int]]] = defaultdict(list)
    rollups = {code: (households, revision) for code, households, revision in db.session.execute(
        select(VillageRollup.area_code, VillageRollup.households, VillageRollup.revision)
        .where(VillageRollup.round_year == round_.year))}
    households: dict[str, int] = defaultdict(int)
    for code, province in db.session.execute(select(Area.code, Area.province_code).where(
            Area.level.in_(VILLAGE_LEVELS))):
        count, revision = rollups.get(code, (0, 0))
        villages[province].append((code, revision))
        households[province] += count
    targets: dict[str, int] = defaultdict(int)
    for code, count in db.session.execute(select(Target.area_code, Target.households).where(
            Target.round_year == round_.year)):
        targets[code[:2]] += count
    names = dict(db.session.execute(select(Area.code, Area.name_th).where(
        Area.code.in_(list(villages)))).all())
    decided = _latest_decisions(round_.year, [(tier, code) for code in villages
                                              for tier in (Tier.PROVINCE, Tier.DEPARTMENT)])
    return [ProvinceSummary(code, names.get(code, code), households[code], targets[code],
                            revision_of(villages[code]), decided.get((Tier.PROVINCE, code)),
                            decided.get((Tier.DEPARTMENT, code)))
            for code in sorted(villages)]


def province_of(tier: Tier, code: str) -> str | None:
    """The province a unit lies in (LAO codes do not start with it: ask the registry)."""
    if tier is Tier.LAO:
        lao = db.session.get(Lao, code)
        return lao.province_code if lao else None
    return code[:2] if len(code) >= 2 else None


def unit_status(round_: SurveyRound, tier: Tier, code: str) -> UnitStatus | None:
    """The unit, or None when the registry has no such unit with villages to certify."""
    province = province_of(tier, code)
    if province is None or db.session.get(Area, province) is None:
        return None
    status = province_units(round_, province).get((tier, code))
    return status if status is not None and status.villages else None
