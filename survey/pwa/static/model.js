// The interview as data: the questionnaire in use, the screens of a household (one
// indicator per screen, screens with nothing to ask skipped), what is still missing and
// where to fix it, and the 31 results the phone computes offline with the server's rules.
import { evaluate } from "./indicators.js";
import { fieldLabel } from "./labels.js";
import { ANSWERABLE, makeRelevance, missingAnswers, roster, todayUtc } from "./rules.js";

export const app = { Q: null, round: null };
export const LAND = ["residence_land", "occupation_land"];

// Index the server's questionnaire once: questions by id, land questions as questions.
export function useQuestionnaire(q) {
  q.questionsById = Object.fromEntries(q.questions.map((x) => [x.id, x]));
  for (const f of q.household_fields.filter((f) => f.type === "choice")) {
    q.questionsById[f.name] = { id: f.name, widget: "choice", text_th: f.label_th, options: f.options, required: f.required };
  }
  q.categoryOf = Object.fromEntries(q.categories.flatMap((c) => c.indicators.map((n) => [n, c])));
  app.Q = q;
  return q;
}

export const interviewDay = (rec) => {
  const d = new Date(`${rec.body.interviewed_on}T00:00:00Z`);
  return isNaN(d) ? todayUtc() : d;
};
export const people = (rec) => roster(rec.body.members, interviewDay(rec));

const blockQuestions = (block) => app.Q.questions.filter((x) => x.block === block);

// Every screen of the interview; `ask` says whether it has anything to answer for this household.
export function allSteps(rec) {
  const Q = app.Q;
  const relevant = makeRelevance(Q, rec.body.answers, people(rec));
  const asks = (block) => blockQuestions(block).some((x) => ANSWERABLE.has(x.widget) && relevant(x.id) !== false);
  const blocks = [...Q.indicators.map((i) => ({ n: i.number, title: i.title_th, cat: Q.categoryOf[i.number] })),
    ...(Q.extras || []).map((e) => ({ n: e.number, title: e.title_th, cat: null }))];
  return [{ id: "house", title: "ข้อมูลบ้าน", ask: true }, { id: "members", title: "สมาชิกครัวเรือน", ask: true },
    ...blocks.map((b) => ({ id: `q${b.n}`, block: b.n, ask: asks(b.n),
      title: b.cat ? `${b.n}. ${b.title}` : b.title, group: b.cat ? `หมวด ${b.cat.number} ${b.cat.name_th}` : "ข้อมูลเพิ่มเติม" })),
    { id: "summary", title: "ผลตัวชี้วัดและความสุข", ask: true }, { id: "sign", title: "ยินยอมและลงชื่อ", ask: true }];
}

// The screen where a field (a server path or a question id) is answered.
export function stepOf(path) {
  if (path.startsWith("members")) return "members";
  if (path.startsWith("answers.")) {
    const rest = path.slice(8);
    const q = app.Q.questions.filter((x) => rest === x.id || rest.startsWith(`${x.id}.`) || rest.startsWith(`${x.id}[`))
      .sort((a, b) => b.id.length - a.id.length)[0];
    return q ? `q${q.block}` : "summary";
  }
  if (path === "happiness" || path.startsWith("incomplete")) return "summary";
  if (path.startsWith("head_signoff") || path.startsWith("gps")) return "sign";
  return "house";
}

// What is not yet answered, each with its screen. `excusable` items (indicator questions) may
// stay blank when the enumerator records why; the rest must be filled before finishing.
export function missingItems(rec) {
  const Q = app.Q, b = rec.body, out = [];
  if (!b.house_number?.trim()) out.push({ path: "house_number" });
  for (const name of LAND) if (!b[name]) out.push({ path: name });
  if (!b.members.length) out.push({ path: "members", text: "ยังไม่มีสมาชิกครัวเรือน" });
  else if (!b.members.some((m) => m.is_head)) out.push({ path: "members", text: "ยังไม่ได้ระบุหัวหน้าครัวเรือน" });
  for (const q of missingAnswers(Q, b.answers, people(rec))) out.push({ path: `answers.${q.id}`, excusable: true, block: q.block });
  if (b.happiness == null) out.push({ path: "happiness" });
  return out.map((m) => ({ ...m, step: stepOf(m.path), text: m.text || fieldLabel(Q, m.path) }));
}

// The body to post: answers to questions no longer asked (after a roster change) are dropped,
// as the server refuses them; a head has no relationship.
export function finalBody(rec) {
  const b = structuredClone(rec.body);
  const relevant = makeRelevance(app.Q, b.answers, people(rec));
  b.answers = Object.fromEntries(Object.entries(b.answers).filter(([id]) => app.Q.questionsById[id] && relevant(id) !== false));
  if (!b.house_code) b.house_code = null;
  b.members = b.members.map((m) => (m.is_head ? { ...m, relationship: null } : m));
  return b;
}

// The 31 results as the server will compute them, offline.
export function results(rec) {
  return evaluate(app.Q, finalBody(rec), { asOf: interviewDay(rec), incomeLine: app.round?.income_line });
}
