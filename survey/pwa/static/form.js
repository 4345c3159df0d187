// Renders questions from the server's questionnaire definition and reads answers back in
// the encoding of survey/questionnaires (choice / multi_choice / number / checkbox).
// Rendered once per step; relevance and computed values are refreshed on every change.
import { esc, num } from "./format.js";
import { groupCount, makeRelevance } from "./rules.js";

function inputHtml(q, spec, qid, opt, value) {
  const data = `data-q="${esc(qid)}" data-opt="${esc(opt ?? "")}" data-input="${esc(spec.name || "value")}"`;
  if (spec.kind === "code") {
    const values = q.code_lists[spec.code_list].values;
    return `<label class="inp"><span>${esc(spec.label_th)}</span><select ${data}><option value="">– เลือก –</option>${values.map((v, i) =>
      `<option value="${i}" ${value === v.value ? "selected" : ""}>${esc(v.label_th)}</option>`).join("")}</select></label>`;
  }
  const numeric = spec.kind !== "text";
  return `<label class="inp"><span>${esc(spec.label_th || "")}</span><span class="unit-row"><input type="text"
    ${numeric ? 'inputmode="numeric" pattern="[0-9]*" autocomplete="off"' : ""} ${data} value="${esc(value ?? "")}">
    ${spec.unit_th ? `<span class="unit">${esc(spec.unit_th)}</span>` : ""}</span></label><span class="msg" data-msg="${esc(qid)}:${esc(opt ?? "")}:${esc(spec.name || "value")}"></span>`;
}

function optionsHtml(q, question, value, multi) {
  const chosen = multi ? (value || []) : (value ? [value] : []);
  return question.options.map((o) => {
    const hit = chosen.find((c) => c.option === o.value);
    return `<div class="opt"><label class="choice"><input type="${multi ? "checkbox" : "radio"}" name="r-${esc(question.id)}" data-q="${esc(question.id)}"
      data-choice="${esc(o.value)}" ${hit ? "checked" : ""}><span>${esc(o.label_th)}</span></label>
      <div class="inputs" ${hit ? "" : "hidden"}>${(o.inputs || []).map((s) => inputHtml(q, s, question.id, o.value, hit?.[s.name])).join("")}</div></div>`;
  }).join("");
}

export function questionHtml(q, question, value) {
  const note = question.note_th ? `<p class="note">${esc(question.note_th)}</p>` : "";
  const details = (question.details_th || []).map((d) => `<p class="note">${esc(d)}</p>`).join("");
  let body = "";
  switch (question.widget) {
    case "choice": body = optionsHtml(q, question, value, false); break;
    case "multi_choice": body = optionsHtml(q, question, value, true); break;
    case "number": body = inputHtml(q, { kind: question.kind, unit_th: question.unit_th, name: "value" }, question.id, null, value); break;
    case "checkbox": body = `<label class="choice"><input type="checkbox" data-q="${esc(question.id)}" data-check ${value ? "checked" : ""}><span>ใช่</span></label>`; break;
    case "heading": break;
    default: body = `<output data-computed="${esc(question.id)}"></output> ${esc(question.unit_th || "")}`;
  }
  const label = question.id.match(/^\d/) ? `${esc(question.id)} ` : "";
  return `<section class="q ${question.widget}" data-qbox="${esc(question.id)}"><h3>${label}${esc(question.text_th || question.label_th)}</h3>
    ${note}${details}${body}<p class="msg" data-msg="${esc(question.id)}"></p></section>`;
}

function readInputs(q, box, qid, opt) {
  const out = {};
  for (const el of box.querySelectorAll(`[data-input][data-opt="${CSS.escape(opt)}"]`)) {
    if (el.dataset.q !== qid || el.value === "") continue;
    const spec = q.questionsById[qid]?.options?.find((o) => o.value === opt)?.inputs?.find((s) => s.name === el.dataset.input)
      || q.extraOptions?.[qid]?.find((o) => o.value === opt)?.inputs?.find((s) => s.name === el.dataset.input);
    if (spec?.kind === "code") out[el.dataset.input] = q.code_lists[spec.code_list].values[Number(el.value)].value;
    else if (spec?.kind === "text") out[el.dataset.input] = el.value;
    else {
      const v = el.value.replace(/[,\s]/g, ""); // "12,000" typed with separators is 12000
      out[el.dataset.input] = /^-?\d+$/.test(v) ? Number(v) : v;
    }
  }
  return out;
}

// The answer a question's box currently shows, or undefined when unanswered.
export function readAnswer(q, question, box) {
  const id = question.id;
  if (question.widget === "choice" || question.widget === "multi_choice") {
    const picked = [...box.querySelectorAll(`[data-choice]`)].filter((el) => el.checked);
    box.querySelectorAll(".opt").forEach((o) => { o.querySelector(".inputs").hidden = !o.querySelector("[data-choice]").checked; });
    const values = picked.map((el) => ({ option: el.dataset.choice, ...readInputs(q, box, id, el.dataset.choice) }));
    if (!values.length) return undefined;
    return question.widget === "choice" ? values[0] : values;
  }
  if (question.widget === "number") {
    const v = box.querySelector("[data-input]").value.replace(/[,\s]/g, "");
    return v === "" ? undefined : (/^-?\d+$/.test(v) ? Number(v) : v);
  }
  if (question.widget === "checkbox") return box.querySelector("[data-check]").checked;
  return undefined;
}

const PERSON_KINDS = new Set(["persons"]);

// Thai messages beside each field for the value rules the phone can check by itself.
function valueProblem(spec, v, people, q, answers) {
  if (v === undefined || v === "") return spec.required === false ? null : "กรุณากรอกข้อมูลนี้";
  if (spec.kind === "code" || spec.kind === "text") return null;
  if (typeof v !== "number" || !Number.isInteger(v)) return "กรอกเป็นจำนวนเต็ม";
  if (v < 0) return "ต้องไม่ติดลบ";
  if (spec.min != null && v < spec.min) return `ต้องไม่น้อยกว่า ${num(spec.min)}`;
  if (spec.max != null && v > spec.max) return `ต้องไม่เกิน ${num(spec.max)}`;
  if (PERSON_KINDS.has(spec.kind)) {
    const limit = spec.max_group ? groupCount(q, spec.max_group, people) : people.length;
    if (limit != null && v > limit) return `เกินจำนวนสมาชิกที่เกี่ยวข้อง (${num(limit)} คน)`;
    const ref = spec.max_answer_count && answers[spec.max_answer_count];
    const refCount = ref && (ref.count ?? (typeof ref === "number" ? ref : null));
    if (refCount != null && v > refCount) return `เกินจำนวนที่ตอบในข้อ ${spec.max_answer_count} (${num(refCount)} คน)`;
  }
  return null;
}

// `values` holds the answers shown (land answers live on the household, the rest in answers);
// "not answered" markers appear only once the enumerator tried to leave the screen.
export function refresh(q, root, answers, people, questions, { values = answers, showMissing = false } = {}) {
  const relevant = makeRelevance(q, answers, people);
  for (const question of questions) {
    const box = root.querySelector(`[data-qbox="${CSS.escape(question.id)}"]`);
    if (!box) continue;
    box.hidden = relevant(question.id) === false;
    if (question.widget === "computed_count") {
      const n = groupCount(q, question.group, people);
      box.querySelector("output").textContent = n == null ? "ยังไม่ทราบ (กรอกวันเกิดให้ครบ)" : `${num(n)} คน`;
    } else if (question.widget === "computed_sum") {
      box.querySelector("output").textContent = num(question.sum.reduce((s, id) => s + (Number(answers[id]) || 0), 0));
    } else if (question.widget === "computed_per_member") {
      const total = q.questionsById[question.of].sum.reduce((s, id) => s + (Number(answers[id]) || 0), 0);
      box.querySelector("output").textContent = people.length ? num(Math.round(total / people.length)) : "–";
    }
    if (box.hidden) continue;
    const value = values[question.id] ?? undefined;
    const msg = box.querySelector(`[data-msg="${CSS.escape(question.id)}"]`);
    const unanswered = value === undefined && Boolean(question.required
      || (question.required_unless_answered && values[question.required_unless_answered] == null));
    msg.textContent = showMissing && unanswered ? "ยังไม่ได้ตอบ" : "";
    box.classList.toggle("missing", showMissing && unanswered);
    const chosen = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : [];
    for (const c of chosen) {
      for (const spec of question.options.find((o) => o.value === c.option)?.inputs || []) {
        const el = box.querySelector(`[data-msg="${CSS.escape(`${question.id}:${c.option}:${spec.name}`)}"]`);
        if (el) el.textContent = valueProblem(spec, c[spec.name], people, q, answers) || "";
      }
    }
    if (question.widget === "number" && value !== undefined) {
      const el = box.querySelector(`[data-msg="${CSS.escape(`${question.id}::value`)}"]`);
      if (el) el.textContent = valueProblem(question, value, people, q, answers) || "";
    }
  }
}
