// Client-side mirrors of the server's pure rules (survey/questionnaires, survey/validation):
// national ID check digit, BE dates, member groups and relevance. Tri-state like the
// server: null means "unknown" (e.g. a member's age is not yet known).

export function nationalIdProblem(id) {
  if (!id) return "กรุณากรอกเลขประจำตัวประชาชน";
  if (!/^\d*$/.test(id)) return "กรอกได้เฉพาะตัวเลข";
  if (!/^[1-8]/.test(id)) return "หลักแรกต้องเป็นเลข 1–8";
  if (id.length < 13) return `กรอกแล้ว ${id.length} จาก 13 หลัก`;
  if (id.length > 13) return "เลขประจำตัวประชาชนมี 13 หลัก";
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(id[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(id[12]) ? null : "เลขตรวจสอบ (หลักที่ 13) ไม่ถูกต้อง";
}

export function parseBeDate(text) {
  const m = typeof text === "string" && /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3]) - 543];
  if (y < 1) return null; // as Python's date: no year 0
  const date = new Date(Date.UTC(2000, mo - 1, d));
  date.setUTCFullYear(y, mo - 1, d); // Date.UTC would read years 0-99 as 1900-1999
  return date.getUTCDate() === d && date.getUTCMonth() === mo - 1 ? date : null;
}

export function birthDateProblem(text, today) {
  if (!text) return "กรุณากรอกวันเกิด";
  if (!/^\d{2}\/\d{2}\/\d{4}$/.test(text)) return "รูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 15/04/2530";
  const date = parseBeDate(text);
  if (!date) return "ไม่มีวันที่นี้ในปฏิทิน";
  if (date > today) return "วันเกิดอยู่หลังวันสัมภาษณ์";
  if (today.getUTCFullYear() - date.getUTCFullYear() > 120) return "อายุเกิน 120 ปี";
  return null;
}

export function age(birthText, today) {
  const b = parseBeDate(birthText);
  if (!b || b > today) return { years: null, months: null };
  let months = (today.getUTCFullYear() - b.getUTCFullYear()) * 12
    + today.getUTCMonth() - b.getUTCMonth() - (today.getUTCDate() < b.getUTCDate() ? 1 : 0);
  return { years: Math.floor(months / 12), months };
}

export function todayUtc() {
  const t = new Date();
  return new Date(Date.UTC(t.getFullYear(), t.getMonth(), t.getDate()));
}

const inRange = (v, [lo, hi]) => (lo == null || v >= lo) && (hi == null || v <= hi);

function personMatches(spec, p) {
  let unknown = false;
  for (const [key, attr] of [["age_years", "years"], ["age_months", "months"]]) {
    if (key in spec) {
      if (p[attr] == null) unknown = true;
      else if (!inRange(p[attr], spec[key])) return false;
    }
  }
  for (const [key, attr] of [["sex_in", "sex"], ["health_in", "health"], ["occupation_in", "occupation"]]) {
    if (key in spec && !spec[key].includes(p[attr])) return false;
  }
  if ("self_care" in spec && p.self_care !== spec.self_care) return false;
  for (const ex of spec.exclude || []) {
    const m = personMatches(ex, p);
    if (m) return false;
    if (m == null) unknown = true;
  }
  return unknown ? null : true;
}

export function roster(members, today) {
  return members.map((m) => ({ ...age(m.birth_date, today), sex: m.sex, health: m.health,
    occupation: m.occupation, self_care: m.self_care }));
}

export function groupCount(q, name, people) {
  const spec = q.member_groups[name];
  const matches = people.map((p) => personMatches(spec, p));
  if (matches.includes(null)) return null;
  return matches.filter(Boolean).length;
}

export function makeRelevance(q, answers, people) {
  const byId = Object.fromEntries(q.questions.map((x) => [x.id, x]));
  const memo = {};
  const holds = (cond) => {
    const [[kind, arg]] = Object.entries(cond);
    if (kind === "group_count") {
      const n = groupCount(q, arg.group, people);
      return n == null ? null : inRange(n, [arg.min, arg.max]);
    }
    if (kind === "answer_in") {
      const rel = relevant(arg.question);
      if (rel === false) return false;
      const a = answers[arg.question];
      if (a == null) return rel == null ? null : false;
      const chosen = Array.isArray(a) ? a.map((x) => x.option) : [a.option];
      return chosen.some((o) => arg.options.includes(o));
    }
    const vals = arg.map(holds);
    if (kind === "any") return vals.includes(true) ? true : vals.includes(null) ? null : false;
    return vals.includes(false) ? false : vals.includes(null) ? null : true;
  };
  const relevant = (id) => {
    if (!(id in memo)) memo[id] = byId[id]?.relevant ? holds(byId[id].relevant) : true;
    return memo[id];
  };
  return relevant;
}

export const ANSWERABLE = new Set(["choice", "multi_choice", "number", "checkbox"]);

// Which required questions of a relevant block are still unanswered.
export function missingAnswers(q, answers, people) {
  const relevant = makeRelevance(q, answers, people);
  return q.questions.filter((x) => ANSWERABLE.has(x.widget) && relevant(x.id) !== false
    && answers[x.id] == null
    && (x.required || (x.required_unless_answered && answers[x.required_unless_answered] == null)));
}
