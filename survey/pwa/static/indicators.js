// The indicator engine on the phone: a mirror of survey/indicators.py, so that the household
// head sees, offline and before signing, the same results and Thai reasons the server stores.
// One small rule per indicator, registered per questionnaire version; the household is the
// payload the phone posts, the questionnaire the JSON of GET /api/v1/questionnaires/{id}.
// tests/vectors/indicators.json holds the Python engine's results for several hundred
// households and tests/survey/test_indicator_vectors.py runs them through this file: change a
// rule in both engines, then run `python -m tests.vectors.generate_indicator_vectors`.
import { groupCount, roster } from "./rules.js";

export const PASS = "pass", FAIL = "fail", NA = "na", INCOMPLETE = "incomplete";

// Thrown inside a rule when the household lacks what the rule needs.
class Incomplete extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

const RULES = {};

function rule(versionId, number, fn) {
  const rules = (RULES[versionId] ??= {});
  if (number in rules) throw new Error(`indicator ${number} of ${versionId} already has a rule`);
  rules[number] = fn;
}

// One {number, outcome, reason_th} per indicator of the questionnaire, in order. `asOf` is the
// interview date at UTC midnight (as rules.js todayUtc() gives it), for the members' ages;
// `incomeLine` overrides the version's income_line_baht_per_person_year for a round.
export function evaluate(q, household, { asOf, incomeLine } = {}) {
  const h = new HouseholdView(q, household, asOf,
    incomeLine ?? q.thresholds.income_line_baht_per_person_year);
  const rules = RULES[q.id] || {};
  return q.indicators.map(({ number }) => {
    if (!rules[number]) throw new Error(`no rule for indicator ${number} of ${q.id}`);
    try {
      const [outcome, reason_th] = rules[number](h);
      return { number, outcome, reason_th };
    } catch (e) {
      if (e instanceof Incomplete) return { number, outcome: INCOMPLETE, reason_th: e.reason };
      throw e;
    }
  });
}

// ---------------------------------------------------------------- JSON as Python reads it

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// A JSON integer; booleans are not numbers here.
const isInteger = (v) => typeof v === "number" && Number.isInteger(v);
// Python's f"{n:,}".
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

// The `count` carried by a choice answer, or a number answer itself (validation.answer_count).
function answerCount(answer) {
  if (isInteger(answer)) return answer;
  return isObject(answer) && isInteger(answer.count) ? answer.count : null;
}

const byId = new WeakMap();

function question(q, qid) {
  if (!byId.has(q)) byId.set(q, new Map(q.questions.map((x) => [x.id, x])));
  return byId.get(q).get(qid);
}

const optionOf = (qn, value) => (qn.options || []).find((o) => o.value === value);

// ---------------------------------------------------------------- income helpers

const sumOf = (q, totalId) => question(q, totalId).sum;
const incomeQuestions = (q) => sumOf(q, q.income.total_question);

function amounts(household, qids) {
  const answers = isObject(household) ? household.answers : null;
  if (!isObject(answers)) return null;
  const values = qids.map((qid) => answers[qid]);
  return values.every((v) => isInteger(v) && v >= 0) ? values.reduce((a, b) => a + b, 0) : null;
}

// Total income over 12 months (baht); null unless every income item is answered.
export const householdIncome = (q, household) => amounts(household, incomeQuestions(q));

// Total expenses over 12 months (baht); null unless every expense item is answered.
export const householdExpense = (q, household) =>
  amounts(household, sumOf(q, q.income.expense_total_question));

// Total income ÷ members on the roster, rounded down (baht/person/year), as the form does.
export function incomePerPerson(q, household) {
  const members = isObject(household) ? household.members : null;
  const total = householdIncome(q, household);
  if (total == null || !Array.isArray(members) || !members.length) return null;
  return Math.floor(total / members.length);
}

// ---------------------------------------------------------------- what rules read

// Python's str.isspace(), so that reasons strip exactly what the server strips.
const SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const SKIP_HINT = new RegExp(`${SPACE}*\\(ข้ามไป[^)]*\\)`, "gu");
const TRAILING_SPACE = new RegExp(`${SPACE}+$`, "u");
const LEADING_VOWELS = "เแโใไ";

// `text` cut near `limit` characters (code points, as Python counts), for reasons that quote a
// question: at a space if one is near, else between Thai characters without orphaning a vowel
// or tone mark.
function short(text, limit = 80) {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  let cut = chars.lastIndexOf(" ", limit - 1);
  if (cut < Math.floor(limit / 2)) {
    cut = limit;
    while (cut > 1 && (/\p{Mn}/u.test(chars[cut]) || LEADING_VOWELS.includes(chars[cut - 1]))) {
      cut -= 1;
    }
  }
  return `${chars.slice(0, cut).join("").replace(TRAILING_SPACE, "")} …`;
}

// The household as rules see it: roster groups and typed answers. Every accessor throws
// Incomplete with a Thai reason when the household cannot answer it.
class HouseholdView {
  constructor(q, household, asOf, incomeLine) {
    this.q = q;
    const data = isObject(household) ? household : {};
    this.answers = isObject(data.answers) ? data.answers : {};
    const members = Array.isArray(data.members) ? data.members : [];
    this.people = roster(members.map((m) => (isObject(m) ? m : {})), asOf);
    this.incomeLine = incomeLine;
  }

  requireRoster() {
    if (!this.people.length) throw new Incomplete("ไม่มีรายชื่อสมาชิกในครัวเรือน");
  }

  get memberCount() {
    this.requireRoster();
    return this.people.length;
  }

  membersIn(group) {
    this.requireRoster();
    const n = groupCount(this.q, group, this.people);
    if (n == null) throw new Incomplete("ไม่ทราบอายุของสมาชิกบางคน (วันเดือนปีเกิดไม่ถูกต้อง)");
    return n;
  }

  groupLabel(group) {
    return this.q.member_groups[group].label_th;
  }

  answered(qid) {
    return this.answers[qid] != null;
  }

  require(...qids) {
    const missing = qids.filter((qid) => !this.answered(qid));
    if (missing.length) throw new Incomplete(`ยังไม่ได้ตอบข้อ ${missing.join(", ")}`);
  }

  malformed(qid) {
    return new Incomplete(`คำตอบข้อ ${qid} ไม่อยู่ในรูปแบบที่ถูกต้อง`);
  }

  // The chosen option of a choice question.
  option(qid) {
    this.require(qid);
    const answer = this.answers[qid];
    if (!isObject(answer) || !optionOf(question(this.q, qid), answer.option)) throw this.malformed(qid);
    return answer.option;
  }

  // The ticked options of a multi_choice question, in the order given.
  selected(qid) {
    this.require(qid);
    const answer = this.answers[qid], qn = question(this.q, qid);
    if (!Array.isArray(answer) || !answer.every((e) => isObject(e) && optionOf(qn, e.option))) {
      throw this.malformed(qid);
    }
    if (answer.length < (qn.min_selected ?? 1)) throw new Incomplete(`ยังไม่ได้ตอบข้อ ${qid}`);
    return answer.map((e) => e.option);
  }

  // The number of persons given with the chosen option, if any.
  count(qid) {
    return answerCount(this.answers[qid]);
  }

  number(qid) {
    this.require(qid);
    const value = this.answers[qid];
    if (!isInteger(value) || value < 0) throw this.malformed(qid);
    return value;
  }

  // The chosen option's label with its numbers filled in: "ไม่ได้รับ 2 คน".
  label(qid, entry = this.answers[qid]) {
    const option = optionOf(question(this.q, qid), entry.option);
    let text = option.label_th.replace(SKIP_HINT, "");
    for (const spec of option.inputs || []) {
      const value = entry[spec.name ?? "value"];
      if (spec.kind !== "text" && isInteger(value)) text = text.replace("…", () => grouped(value));
    }
    return text;
  }

  // The labels of every ticked option of a multi_choice answer, joined.
  labels(qid) {
    return this.answers[qid].map((entry) => this.label(qid, entry)).join(", ");
  }

  // The item, shortened, and its answer: "ข้อ 4.2 ถ้ากินเนื้อสัตว์…: ไม่ใช่".
  quote(qid) {
    return `ข้อ ${qid} ${short(question(this.q, qid).text_th ?? "")}: ${this.label(qid)}`;
  }
}

// ---------------------------------------------------------------- rule helpers

// An "ทุกคน ("1") / ไม่ … n คน ("0")" item about the members of `group`: NA without such
// members, PASS when everyone, FAIL otherwise (with the count when given).
function everyoneInGroup(h, group, qid, { passed, failed }) {
  if (h.membersIn(group) === 0) return [NA, `ไม่มี${h.groupLabel(group)}`];
  if (h.option(qid) === "1") return [PASS, passed];
  const count = h.count(qid);
  return [FAIL, failed + (count != null ? ` ${grouped(count)} คน` : "")];
}

// Items that must all have the option `good`; a FAIL says `failed` or quotes the failing items.
function allItems(h, qids, { good, passed, failed }) {
  h.require(...qids);
  const failing = qids.filter((qid) => h.option(qid) !== good);
  if (!failing.length) return [PASS, passed];
  return [FAIL, failed || `ไม่ผ่าน ${failing.map((qid) => h.quote(qid)).join("; ")}`];
}

// 20/21: PASS when "ทุกคน" has an occupation and an income; FAIL otherwise; NA without
// eligible members.
function everyoneWorks(h, group, qid, { passed, failed }) {
  if (h.membersIn(group) === 0) return [NA, `ไม่มี${h.groupLabel(group)}`];
  if (h.selected(qid).includes("1")) return [PASS, passed];
  return [FAIL, `${failed} ${h.labels(qid)}`];
}

// An asked population (17.1, 18.1): NA when it says nobody, else "ทุกคน" or a count.
function askedPopulation(h, whoQid, qid, { none, passed, failed }) {
  if (h.option(whoQid) === "0") return [NA, none];
  if (h.option(qid) === "1") return [PASS, passed];
  const count = h.count(qid);
  return [FAIL, failed + (count != null ? ` ${grouped(count)} คน` : "")];
}

// ---------------------------------------------------------------- 2560-2564: หมวด 1 สุขภาพ
const V2560 = "2560-2564";

rule(V2560, 1, function newbornBirthWeight(h) {
  return everyoneInGroup(h, "age_0", "1.2", {
    passed: "เด็กอายุต่ำกว่า 1 ปี มีน้ำหนักแรกเกิด 2,500 กรัมขึ้นไปทุกคน",
    failed: "เด็กอายุต่ำกว่า 1 ปี มีน้ำหนักแรกเกิดน้อยกว่า 2,500 กรัม" });
});

rule(V2560, 2, function exclusiveBreastfeeding(h) {
  return everyoneInGroup(h, "age_months_6_12", "2.4", {
    passed: "เด็กอายุ 6 เดือนถึง 1 ปี ได้กินนมแม่อย่างเดียว 6 เดือนแรกติดต่อกันทุกคน",
    failed: "เด็กอายุ 6 เดือนถึง 1 ปี ไม่ได้กินนมแม่อย่างเดียว 6 เดือนแรก" });
});

rule(V2560, 3, function childVaccination(h) {
  return everyoneInGroup(h, "age_0_12", "3.2", {
    passed: "เด็กแรกเกิดถึง 12 ปี ได้รับวัคซีนครบตามตารางทุกคน",
    failed: "เด็กแรกเกิดถึง 12 ปี ไม่ได้รับวัคซีนครบตามตาราง" });
});

rule(V2560, 4, function hygienicFood(h) {
  return allItems(h, ["4.1", "4.2", "4.3", "4.4"], { good: "1",
    passed: "ครัวเรือนกินอาหารถูกสุขลักษณะ ปลอดภัย ครบทั้ง 4 ข้อ" });
});

rule(V2560, 5, function appropriateMedicine(h) {
  return allItems(h, ["5.1", "5.2", "5.3", "5.4"], { good: "1",
    passed: "ครัวเรือนใช้ยาเพื่อบำบัดบรรเทาอาการเจ็บป่วยเบื้องต้นอย่างเหมาะสมครบทั้ง 4 ข้อ" });
});

rule(V2560, 6, function annualHealthCheck(h) {
  return everyoneInGroup(h, "age_35_plus", "6.4", {
    passed: "คนอายุ 35 ปีขึ้นไปได้รับการตรวจสุขภาพประจำปีทุกคน",
    failed: "คนอายุ 35 ปีขึ้นไปไม่ได้รับการตรวจสุขภาพประจำปี" });
});

rule(V2560, 7, function exercise(h) {
  return everyoneInGroup(h, "age_6_plus", "7.1", {
    passed: "คนอายุ 6 ปีขึ้นไปออกกำลังกายหรือออกแรงตามเกณฑ์ทุกคน",
    failed: "คนอายุ 6 ปีขึ้นไปไม่ได้ออกกำลังกายหรือออกแรงตามเกณฑ์" });
});

// ---------------------------------------------------------------- หมวด 2 สภาพแวดล้อม

rule(V2560, 8, function secureDurableHousing(h) {
  return allItems(h, ["8.1", "8.2"], { good: "1",
    passed: "ครัวเรือนมีความมั่นคงในที่อยู่อาศัยและบ้านมีสภาพคงทนถาวร" });
});

rule(V2560, 9, function drinkingWater(h) {
  return allItems(h, ["9.1"], { good: "1",
    passed: "มีน้ำสะอาดสำหรับดื่มและบริโภคเพียงพอตลอดปี อย่างน้อยคนละ 5 ลิตรต่อวัน",
    failed: "มีน้ำสะอาดสำหรับดื่มและบริโภคไม่เพียงพอ (น้อยกว่าคนละ 5 ลิตรต่อวัน)" });
});

rule(V2560, 10, function householdWater(h) {
  return allItems(h, ["10.1"], { good: "1",
    passed: "มีน้ำใช้เพียงพอตลอดปี อย่างน้อยคนละ 45 ลิตรต่อวัน",
    failed: "มีน้ำใช้ไม่เพียงพอ (น้อยกว่าคนละ 45 ลิตรต่อวัน)" });
});

rule(V2560, 11, function tidyCleanHome(h) {
  const items = ["11.1", "11.2", "11.3", "11.4", "11.5.1", "11.5.2", "11.5.3", "11.5.4",
    "11.6", "11.7", "11.8"];
  return allItems(h, items, { good: "1",
    passed: "บ้านเรือนเป็นระเบียบเรียบร้อย สะอาด และถูกสุขลักษณะครบทุกข้อ" });
});

rule(V2560, 12, function freeFromPollution(h) {
  return allItems(h, ["12.1", "12.2", "12.3", "12.4", "12.5", "12.6"], { good: "1",
    passed: "ครัวเรือนไม่ถูกรบกวนจากมลพิษทั้ง 6 ด้าน" });
});

rule(V2560, 13, function accidentDisasterPrevention(h) {
  return allItems(h, ["13.1.1", "13.1.2", "13.1.3", "13.1.4"], { good: "1",
    passed: "ครัวเรือนมีการป้องกันอุบัติภัยและภัยธรรมชาติครบทั้ง 4 ข้อ" });
});

rule(V2560, 14, function lifePropertySafety(h) {
  return allItems(h, ["14.1", "14.2", "14.3", "14.5", "14.6"], { good: "0",
    passed: "ในรอบปีที่ผ่านมา ครัวเรือนไม่มีเหตุร้ายต่อชีวิตและทรัพย์สิน" });
});

// ---------------------------------------------------------------- หมวด 3 การศึกษา

rule(V2560, 15, function preschoolCare(h) {
  const service = "บริการเลี้ยงดูเตรียมความพร้อมก่อนวัยเรียน";
  return everyoneInGroup(h, "age_3_5", "15.2", {
    passed: `เด็กอายุ 3 - 5 ปี ได้รับ${service}ทุกคน`,
    failed: `เด็กอายุ 3 - 5 ปี ไม่ได้รับ${service}` });
});

rule(V2560, 16, function compulsoryEducation(h) {
  return everyoneInGroup(h, "age_6_14", "16.2", {
    passed: "เด็กอายุ 6 - 14 ปี ได้เรียนชั้น ป.1 - ม.3 ทุกคน",
    failed: "เด็กอายุ 6 - 14 ปี ไม่ได้เรียนชั้น ป.1 - ม.3" });
});

rule(V2560, 17, function continuedToUpperSecondary(h) {
  return askedPopulation(h, "17.1", "17.2", {
    none: "ในรอบปีที่ผ่านมาไม่มีเด็กจบชั้น ม.3",
    passed: "เด็กจบชั้น ม.3 ได้เรียนต่อชั้น ม.4 หรือเทียบเท่าทุกคน",
    failed: "เด็กจบชั้น ม.3 ไม่ได้เรียนต่อชั้น ม.4 หรือเทียบเท่า" });
});

rule(V2560, 18, function vocationalTraining(h) {
  const who = "คนที่จบการศึกษาภาคบังคับแล้วไม่ได้เรียนต่อและยังไม่มีงานทำ";
  return askedPopulation(h, "18.1", "18.2", {
    none: "ไม่มีคนที่จบการศึกษาภาคบังคับ 9 ปี ที่ไม่ได้เรียนต่อและยังไม่มีงานทำ",
    passed: `${who} ได้รับการฝึกอบรมด้านอาชีพทุกคน`,
    failed: `${who} ไม่ได้รับการฝึกอบรมด้านอาชีพ` });
});

rule(V2560, 19, function literacyNumeracy(h) {
  return everyoneInGroup(h, "age_15_59", "19.2", {
    passed: "คนอายุ 15 - 59 ปี อ่าน เขียนภาษาไทย และคิดเลขอย่างง่ายได้ทุกคน",
    failed: "คนอายุ 15 - 59 ปี อ่าน เขียนภาษาไทย และคิดเลขอย่างง่ายไม่ได้" });
});

// ---------------------------------------------------------------- หมวด 4 การมีงานทำและรายได้

rule(V2560, 20, function workingAgeEmployment(h) {
  return everyoneWorks(h, "workers_15_59", "20.2", {
    passed: "คนอายุ 15 - 59 ปี มีอาชีพและมีรายได้ทุกคน",
    failed: "คนอายุ 15 - 59 ปี" });
});

rule(V2560, 21, function elderlyEmployment(h) {
  return everyoneWorks(h, "workers_60_plus", "21.2", {
    passed: "คนอายุ 60 ปีขึ้นไปมีอาชีพและมีรายได้ทุกคน",
    failed: "คนอายุ 60 ปีขึ้นไป" });
});

// Total income ÷ members, rounded down, against the round's line; recomputed every time.
rule(V2560, 22, function averageIncome(h) {
  const members = h.memberCount;
  const qids = incomeQuestions(h.q);
  h.require(...qids);
  const total = qids.reduce((sum, qid) => sum + h.number(qid), 0);
  const perPerson = Math.floor(total / members);
  const line = grouped(h.incomeLine);
  if (perPerson >= h.incomeLine) {
    return [PASS, `รายได้เฉลี่ย ${grouped(perPerson)} บาท/คน/ปี ไม่ต่ำกว่าเกณฑ์ ${line} บาท`];
  }
  return [FAIL, `รายได้เฉลี่ย ${grouped(perPerson)} บาท/คน/ปี ต่ำกว่าเกณฑ์ ${line} บาท`];
});

rule(V2560, 23, function saving(h) {
  if (h.selected("23.1").includes("12")) return [FAIL, "ในรอบปีที่ผ่านมา ครัวเรือนไม่มีการออมเงิน"];
  const amount = h.number("23.2");
  if (amount > 0) return [PASS, `ครัวเรือนมีการเก็บออมเงิน ปีละ ${grouped(amount)} บาท`];
  return [FAIL, "ระบุรูปแบบการออม แต่จำนวนเงินออมในรอบปีเป็น 0 บาท"];
});

// ---------------------------------------------------------------- หมวด 5 ค่านิยม

rule(V2560, 24, function noAlcohol(h) {
  if (h.selected("24.1").includes("1")) return [PASS, "ไม่มีคนในครัวเรือนดื่มสุรา"];
  return [FAIL, h.labels("24.1")];
});

rule(V2560, 25, function noSmoking(h) {
  if (h.option("25.1") === "0") return [PASS, "ไม่มีคนในครัวเรือนสูบบุหรี่"];
  return [FAIL, h.label("25.1")];
});

rule(V2560, 26, function religiousPractice(h) {
  const practice = "ปฏิบัติกิจกรรมทางศาสนาอย่างน้อยสัปดาห์ละ 1 ครั้ง";
  return everyoneInGroup(h, "age_6_plus", "26.1", {
    passed: `คนอายุ 6 ปีขึ้นไป${practice}ทุกคน`,
    failed: `คนอายุ 6 ปีขึ้นไปไม่ได้${practice}` });
});

rule(V2560, 27, function elderlyCare(h) {
  return everyoneInGroup(h, "age_60_plus", "27.2", {
    passed: "ผู้สูงอายุได้รับการดูแลทุกคน", failed: "ผู้สูงอายุไม่ได้รับการดูแล" });
});

rule(V2560, 28, function disabledCare(h) {
  return everyoneInGroup(h, "disabled", "28.3", {
    passed: "ผู้พิการได้รับการดูแลทุกคน", failed: "ผู้พิการไม่ได้รับการดูแล" });
});

rule(V2560, 29, function chronicPatientCare(h) {
  return everyoneInGroup(h, "chronically_ill", "29.2", {
    passed: "ผู้ป่วยโรคเรื้อรังได้รับการดูแลทุกคน", failed: "ผู้ป่วยโรคเรื้อรังไม่ได้รับการดูแล" });
});

rule(V2560, 30, function publicParticipation(h) {
  return allItems(h, ["30.1"], { good: "1",
    passed: "คนในครัวเรือนมีส่วนร่วมทำกิจกรรมสาธารณะเพื่อประโยชน์ของชุมชนหรือท้องถิ่น",
    failed: "ในรอบปีที่ผ่านมา คนในครัวเรือนไม่มีส่วนร่วมทำกิจกรรมสาธารณะ" });
});

// With 2+ members all three of 31.1; living alone, 31.2.1 decides when answered, else 31.2.2.
rule(V2560, 31, function warmFamily(h) {
  if (h.memberCount >= 2) {
    return allItems(h, ["31.1.1", "31.1.2", "31.1.3"], { good: "1",
      passed: "ครอบครัวมีความอบอุ่นครบทั้ง 3 ข้อ" });
  }
  if (h.answered("31.2.1")) {
    if (h.option("31.2.1") === "1") return [PASS, "อยู่คนเดียว และไปเยี่ยมเยือนญาติอย่างน้อยปีละ 1 ครั้ง"];
    return [FAIL, "อยู่คนเดียว และไม่ไปเยี่ยมเยือนญาติ"];
  }
  if (h.answered("31.2.2")) {
    if (h.option("31.2.2") === "1") return [PASS, "อยู่คนเดียว ไม่มีญาติ และดำรงชีวิตได้อย่างมีความสุข"];
    return [FAIL, "อยู่คนเดียว ไม่มีญาติ และไม่มีความสุข"];
  }
  throw new Incomplete("ยังไม่ได้ตอบข้อ 31.2.1 หรือข้อ 31.2.2");
});
