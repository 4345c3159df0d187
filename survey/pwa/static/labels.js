// Thai words for everything the app shows: record states, indicator outcomes, and the Thai
// name of any field path the server may cite (never the raw path or an English error code).
import { esc } from "./format.js";

export const STATE_TH = { draft: "ร่าง", waiting: "รอส่ง", sent: "ส่งแล้ว", rejected: "ถูกปฏิเสธ (แก้ไขแล้วส่งใหม่)",
  conflict: "ขัดแย้ง (ต้องแก้ไข)", returned: "ถูกส่งกลับให้แก้ไข", trash: "ในถังขยะ" };

export const OUTCOME_TH = { pass: "ผ่าน", fail: "ไม่ผ่าน", na: "ไม่เกี่ยวข้อง", incomplete: "ข้อมูลไม่ครบ" };

const FIXED = { happiness: "คะแนนความสุข", interviewed_on: "วันที่สัมภาษณ์", gps: "พิกัด GPS",
  gps_missing_reason: "เหตุผลที่ไม่มีพิกัด", head_signoff: "ลายมือชื่อผู้ให้ข้อมูล", members: "สมาชิกครัวเรือน",
  answers: "คำตอบ", round: "รอบการจัดเก็บ", client_uuid: "รหัสแบบสอบถาม", incomplete_reason: "เหตุผลที่ตอบไม่ครบ",
  incomplete_note: "รายละเอียดเหตุผลที่ตอบไม่ครบ", "head_signoff.name": "ชื่อผู้ลงนาม",
  "head_signoff.signature_png": "ลายมือชื่อ", "gps.accuracy_m": "ความแม่นยำของพิกัด" };

const short = (text, n = 60) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

// "members[2].national_id" → "สมาชิกคนที่ 3 · เลขประจำตัวประชาชน"; "answers.3.3.1" → "ข้อ 3.3.1 …".
export function fieldLabel(Q, path) {
  if (!path || path === "_") return "";
  if (FIXED[path]) return FIXED[path];
  let m = /^members\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (m) {
    const f = Q.member_fields.find((x) => x.name === m[2]);
    return `สมาชิกคนที่ ${Number(m[1]) + 1}${f ? ` · ${f.label_th}` : ""}`;
  }
  if (path.startsWith("answers.")) {
    // the longest prefix that is a question id: "answers.3.3.1" is 3.3.1, "answers.6.1[0].count" is 6.1
    const parts = path.slice(8).split(/(?=[.[])/);
    for (let n = parts.length; n > 0; n--) {
      const qid = parts.slice(0, n).join("");
      if (Q.questionsById[qid]) return `ข้อ ${qid} ${short(Q.questionsById[qid].text_th || "")}`;
    }
  }
  const [head, part] = path.split(".");
  const field = Q.household_fields.find((f) => f.name === head);
  if (field) {
    const sub = field.parts?.find((p) => p.name === part)
      || field.options?.flatMap((o) => o.inputs || []).find((s) => s.name === part);
    return sub ? `${field.label_th} · ${sub.label_th}` : field.label_th;
  }
  return FIXED[head] || "ข้อมูล";
}

// A list of server issues ({path: [{message, error_code}]}) in Thai, each with its field.
export function issuesHtml(Q, issues, { linkTo } = {}) {
  return Object.entries(issues || {}).flatMap(([path, list]) => list.map((e) => {
    const label = esc(fieldLabel(Q, path));
    const target = linkTo?.(path);
    const name = label ? (target ? `<a href="${esc(target)}">${label}</a>: ` : `<b>${label}</b>: `) : "";
    return `<li data-path="${esc(path)}">${name}${esc(e.message_th || e.message || "ข้อมูลไม่ถูกต้อง")}</li>`;
  })).join("");
}
