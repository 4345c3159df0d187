// The household roster: one member per form, short code lists as big buttons, defaults that
// save taps (sex from the prefix, religion from the member before, health "ปกติ"), ages in
// months under one year, and no schooling or occupation asked of an infant.
import { esc } from "./format.js";
import { app, interviewDay } from "./model.js";
import { age, birthDateProblem, nationalIdProblem } from "./rules.js";

const CHIPS_UP_TO = 7; // code lists this short are buttons, longer ones a dropdown
const SEX_OF_PREFIX = { "001": "1", "003": "1", "002": "2", "004": "2", "005": "2" };
const NOT_YET = { education: "01", occupation: "01" }; // ยังไม่ถึงวัยเรียน / ไม่มีอาชีพ: an infant's

export function ageText(m, day) {
  const a = age(m.birth_date, day);
  if (a.years == null) return "อายุ ?";
  return a.years < 1 ? `อายุ ${a.months} เดือน` : `อายุ ${a.years} ปี`;
}

const isInfant = (m, day) => { const a = age(m.birth_date, day); return a.years != null && a.years < 1; };

function memberLine(m, i, rec, errors) {
  return `<li class="member"><div><b>${i + 1}. ${esc(m.first_name)} ${esc(m.last_name)}</b> ${m.is_head ? "<span class=tag>หัวหน้า</span>" : ""}
    <br><small>${ageText(m, interviewDay(rec))} · เกิด ${esc(m.birth_date || "–")}</small>${errors(`members[${i}]`)}</div>
    <div class="row"><button data-edit="${i}">แก้ไข</button> <button data-remove="${i}" class="danger">ลบ</button></div></li>`;
}

export function renderMembers(el, rec, save, errors) {
  const ms = rec.body.members;
  el.innerHTML = `<div class="card"><ul class="members">${ms.map((m, i) => memberLine(m, i, rec, errors)).join("") || "<li>ยังไม่มีสมาชิก</li>"}</ul>
    <button id="add-member" class="primary big">+ เพิ่มสมาชิก</button></div><div id="member-form"></div>`;
  el.querySelector("#add-member").onclick = () => memberForm(el, rec, save, ms.length, errors);
  el.querySelectorAll("[data-edit]").forEach((b) => { b.onclick = () => memberForm(el, rec, save, Number(b.dataset.edit), errors); });
  el.querySelectorAll("[data-remove]").forEach((b) => { b.onclick = async () => {
    if (!confirm("ลบสมาชิกคนนี้หรือไม่")) return;
    ms.splice(Number(b.dataset.remove), 1); await save(); renderMembers(el, rec, save, errors);
  }; });
}

function fieldHtml(f, m) {
  const id = `m-${f.name}`;
  if (f.type === "code") {
    const values = app.Q.code_lists[f.code_list].values;
    if (values.length <= CHIPS_UP_TO) {
      return `<fieldset class="chips" data-field="${f.name}" id="${id}"><legend>${esc(f.label_th)}</legend>${values.map((v, i) =>
        `<label class="chip"><input type="radio" name="${id}" value="${i}" ${m[f.name] === v.value ? "checked" : ""}><span>${esc(v.label_th)}</span></label>`).join("")}</fieldset>`;
    }
    return `<label data-field="${f.name}">${esc(f.label_th)} <select id="${id}"><option value="">– เลือก –</option>${values.map((v, i) =>
      `<option value="${i}" ${m[f.name] === v.value ? "selected" : ""}>${esc(v.label_th)}</option>`).join("")}</select></label>`;
  }
  if (f.type === "boolean") {
    return `<label data-field="${f.name}" class="choice"><input type="checkbox" id="${id}" ${m[f.name] ? "checked" : ""}><span>${esc(f.label_th)}</span></label>`;
  }
  const extra = f.type === "national_id" ? 'inputmode="numeric" maxlength="13" autocomplete="off"'
    : f.type === "be_date" ? 'inputmode="numeric" placeholder="วว/ดด/ปปปป เช่น 15/04/2530" maxlength="10" autocomplete="off"' : "";
  return `<label data-field="${f.name}">${esc(f.label_th)} <input id="${id}" ${extra} value="${esc(m[f.name] || "")}"></label>`;
}

function memberForm(el, rec, save, index, errors) {
  const Q = app.Q, ms = rec.body.members, day = interviewDay(rec);
  const before = ms[index - 1] || ms.find((o) => o.is_head);
  const m = { ...(ms[index] || { is_head: ms.length === 0, health: "0", self_care: true, informant: false,
    welfare_card: false, religion: before?.religion ?? null }) };
  const box = el.querySelector("#member-form");
  box.innerHTML = `<form class="card" id="mform" novalidate><h2>สมาชิกคนที่ ${index + 1}</h2>
    ${Q.member_fields.map((f) => fieldHtml(f, m) + `<span class="msg" id="m-${f.name}-msg"></span>`).join("")}
    <div class="row"><button class="primary">บันทึกสมาชิก</button> <button type="button" id="mcancel">ยกเลิก</button></div></form>`;
  const form = box.querySelector("#mform");
  form.scrollIntoView({ block: "start" });
  const read = () => {
    for (const f of Q.member_fields) {
      const values = f.type === "code" ? Q.code_lists[f.code_list].values : null;
      const chips = form.querySelector(`fieldset#m-${f.name}`);
      const input = form.querySelector(`#m-${f.name}`);
      if (chips) { const c = chips.querySelector("input:checked"); m[f.name] = c ? values[Number(c.value)].value : null; }
      else if (values) m[f.name] = input.value === "" ? null : values[Number(input.value)].value;
      else if (f.type === "boolean") m[f.name] = input.checked;
      else m[f.name] = input.value.trim();
    }
    if (m.is_head) m.relationship = null;
    if (isInfant(m, day)) Object.assign(m, NOT_YET);
  };
  const layout = () => {
    form.querySelector('[data-field="relationship"]').hidden = form.querySelector("#m-is_head").checked;
    const infant = isInfant({ birth_date: form.querySelector("#m-birth_date").value }, day);
    for (const name of Object.keys(NOT_YET)) form.querySelector(`[data-field="${name}"]`).hidden = infant;
  };
  const problems = () => {
    read();
    const out = {};
    for (const f of Q.member_fields) {
      if (f.applies_to === "non_head" && m.is_head) continue;
      if (f.required && (m[f.name] == null || m[f.name] === "")) out[f.name] = `กรุณากรอก${f.label_th}`;
    }
    const idp = nationalIdProblem(m.national_id);
    if (idp && m.national_id) out.national_id = idp;
    else if (ms.some((o, i) => i !== index && o.national_id === m.national_id)) out.national_id = "เลขประจำตัวซ้ำกับสมาชิกคนอื่น";
    const bp = birthDateProblem(m.birth_date, day);
    if (bp && m.birth_date) out.birth_date = bp;
    return out;
  };
  const show = (p, only) => Q.member_fields.forEach((f) => {
    if (!only || only === f.name) form.querySelector(`#m-${f.name}-msg`).textContent = p[f.name] || "";
  });
  form.addEventListener("change", (e) => {
    if (e.target.name === "m-prefix") { // the prefix tells the sex
      const sex = SEX_OF_PREFIX[Q.code_lists.prefix.values[Number(e.target.value)].value];
      const chip = sex && form.querySelector(`fieldset#m-sex input[value="${Q.code_lists.sex.values.findIndex((v) => v.value === sex)}"]`);
      if (chip) chip.checked = true;
    }
  });
  form.oninput = (e) => {
    layout();
    const field = e.target.closest("[data-field]")?.dataset.field;
    show(problems(), field); // as typed, digit by digit
  };
  layout();
  form.querySelector("#mcancel").onclick = () => { box.innerHTML = ""; };
  form.onsubmit = async (e) => {
    e.preventDefault();
    const p = problems();
    show(p);
    if (Object.keys(p).length) { form.querySelector(".msg:not(:empty)")?.scrollIntoView({ block: "center" }); return; }
    if (m.is_head) ms.forEach((o, i) => { if (i !== index) o.is_head = false; });
    ms[index] = { ...m };
    await save();
    renderMembers(el, rec, save, errors);
  };
}
