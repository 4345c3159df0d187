// The interview screens: house, roster, one indicator per screen (screens with nothing to ask
// for this household are skipped), the results the household sees before signing, consent
// and signatures. Every edit is saved to IndexedDB at once. Finishing puts the record in the
// outbox and moves on; sending happens in the background.
import SignaturePad from "./vendor/signature_pad.js";
import { beDate, esc, isoWithOffset, num } from "./format.js";
import { questionHtml, readAnswer, refresh } from "./form.js";
import { issuesHtml, OUTCOME_TH } from "./labels.js";
import { renderMembers } from "./members.js";
import { allSteps, app, finalBody, LAND, missingItems, people, results, stepOf } from "./model.js";
import { ANSWERABLE } from "./rules.js";
import { getRecord, putRecord } from "./store.js";
import { requeue } from "./sync.js";

const stepLink = (uuid, step) => `#edit/${uuid}/${step}`;
// Why a household may stay partly unanswered: a code list of the questionnaire.
const reasons = () => app.Q.code_lists.incomplete_reason?.values || [];

export async function showEdit(uuid, stepId, setTitle) {
  const main = document.getElementById("main");
  const rec = await getRecord(uuid);
  if (!rec) { location.hash = "#home"; return; }
  const steps = allSteps(rec);
  let idx = steps.findIndex((s) => s.id === stepId);
  if (idx < 0) idx = 0;
  const step = steps[idx];
  const asked = steps.filter((s) => s.ask);
  const pos = asked.indexOf(step);
  const prev = steps.slice(0, idx).reverse().find((s) => s.ask);
  const next = steps.slice(idx + 1).find((s) => s.ask);
  setTitle(step.title, "#home");
  rec.tried ||= {};
  main.innerHTML = `${step.group ? `<p class="group">${esc(step.group)}</p>` : ""}
    <div class="progress-bar" aria-hidden="true"><span style="width:${Math.round(((pos + 1) / asked.length) * 100)}%"></span></div>
    ${errorsCard(rec)}<div id="step"></div>
    <nav class="steps">${prev ? `<a class="btn" id="prev" href="${stepLink(uuid, prev.id)}">‹ ก่อนหน้า</a>` : "<span></span>"}
    <a class="pos" id="to-summary" href="${stepLink(uuid, "summary")}" title="ไปหน้าสรุป">${pos + 1}/${asked.length}</a>${next ? `<button class="primary" id="next">ถัดไป ›</button>` : "<span></span>"}</nav>`;
  const el = document.getElementById("step");
  const save = () => putRecord(rec);
  const errors = (path) => fieldErrors(rec, path);
  let leaveCheck = () => true;
  if (step.id === "house") leaveCheck = renderHouse(el, rec, save, errors);
  else if (step.id === "members") renderMembers(el, rec, save, errors);
  else if (step.block) leaveCheck = bindQuestions(el, rec, save, app.Q.questions.filter((x) => x.block === step.block), errors, step.id);
  else if (step.id === "summary") renderSummary(el, rec, save);
  else renderSign(el, rec, save);
  document.getElementById("next")?.addEventListener("click", async () => {
    // the first tap on a screen with unanswered questions marks them; the next one moves on
    if (!rec.tried[step.id] && !leaveCheck()) { rec.tried[step.id] = true; await save(); return; }
    // the roster and answers of this screen decide which screens come next
    const now = allSteps(rec);
    location.hash = stepLink(uuid, now.slice(now.findIndex((s) => s.id === step.id) + 1).find((s) => s.ask).id);
  });
  window.scrollTo(0, 0);
  main.dataset.screen = `edit:${step.id}`;
}

// Problems the server reported, in Thai, each linked to the screen where it is fixed.
function errorsCard(rec) {
  if (!rec.errors) return "";
  return `<section class="card errors"><h2>ต้องแก้ไขก่อนส่งใหม่</h2><ul>${issuesHtml(app.Q, rec.errors,
    { linkTo: (path) => (path === "_" ? null : stepLink(rec.client_uuid, stepOf(path))) })}</ul></section>`;
}

function fieldErrors(rec, path) {
  const list = rec.errors?.[path];
  return list ? `<span class="msg server">${list.map((e) => esc(e.message_th || e.message)).join(" ")}</span>` : "";
}

function renderHouse(el, rec, save, errors) {
  const b = rec.body;
  el.innerHTML = `<div class="card">
    <label>รหัสประจำบ้าน (11 หลัก) <input id="house_code" inputmode="numeric" maxlength="11" autocomplete="off" value="${esc(b.house_code || "")}"></label>
    <span class="msg" id="house_code-msg"></span>${errors("house_code")}
    <label>บ้านเลขที่ <input id="house_number" autocomplete="off" value="${esc(b.house_number || "")}"></label><span class="msg" id="house_number-msg"></span>${errors("house_number")}
    <div class="row3"><label>หมู่ที่ <input id="moo" inputmode="numeric" maxlength="3" value="${esc(b.address?.moo || "")}"></label>
    <label>ซอย <input id="soi" value="${esc(b.address?.soi || "")}"></label>
    <label>ถนน <input id="road" value="${esc(b.address?.road || "")}"></label></div>
    <p class="note">หมู่บ้าน/ชุมชน ${esc(b.village_code)} · สัมภาษณ์วันที่ ${beDate(b.interviewed_on)}</p></div>
    <div id="land"></div>`;
  const check = () => {
    const v = el.querySelector("#house_code").value;
    el.querySelector("#house_code-msg").textContent = v && !/^\d{11}$/.test(v) ? `รหัสบ้านต้องเป็นตัวเลข 11 หลัก (กรอกแล้ว ${v.length})` : "";
  };
  el.querySelector(".card").oninput = async () => {
    b.house_code = el.querySelector("#house_code").value || null;
    b.house_number = el.querySelector("#house_number").value;
    b.address = { moo: el.querySelector("#moo").value, soi: el.querySelector("#soi").value, road: el.querySelector("#road").value };
    check(); await save();
  };
  check();
  const landCheck = bindQuestions(el.querySelector("#land"), rec, save, LAND.map((id) => app.Q.questionsById[id]), errors, "house", true);
  return () => {
    const ok = landCheck() && !!b.house_number.trim();
    el.querySelector("#house_number-msg").textContent = b.house_number.trim() ? "" : "ยังไม่ได้กรอก";
    return ok;
  };
}

// Renders questions, saves every change, and returns the check run when leaving the screen.
function bindQuestions(el, rec, save, questions, errors, stepId, land = false) {
  const Q = app.Q;
  const values = () => (land ? Object.fromEntries(LAND.map((id) => [id, rec.body[id] ?? undefined])) : rec.body.answers);
  el.innerHTML = questions.map((x) => questionHtml(Q, x, values()[x.id]) + errors(land ? x.id : `answers.${x.id}`)).join("");
  const update = () => refresh(Q, el, rec.body.answers, people(rec), questions,
    { values: values(), showMissing: !!rec.tried[stepId] });
  const onChange = async (e) => {
    const box = e.target.closest("[data-qbox]");
    if (!box) return;
    const question = Q.questionsById[box.dataset.qbox];
    if (!ANSWERABLE.has(question.widget)) return;
    if (e.target.dataset.choice && e.target.checked && question.widget === "multi_choice") {
      // exclusive options (e.g. "ทุกคน") stand alone
      const opt = question.options.find((o) => o.value === e.target.dataset.choice);
      box.querySelectorAll("[data-choice]").forEach((c) => {
        const other = question.options.find((o) => o.value === c.dataset.choice);
        if (c !== e.target && (opt.exclusive || other.exclusive)) c.checked = false;
      });
    }
    const value = readAnswer(Q, question, box);
    if (land) rec.body[question.id] = value === undefined ? null : value;
    else if (value === undefined) delete rec.body.answers[question.id];
    else rec.body.answers[question.id] = value;
    update(); await save();
  };
  el.addEventListener("change", onChange);
  el.addEventListener("input", (e) => { if (e.target.matches("input[data-input]")) onChange(e); });
  update();
  return () => {
    rec.tried[stepId] = true;
    update();
    const first = el.querySelector(".q.missing:not([hidden])");
    first?.scrollIntoView({ block: "center" });
    return !first;
  };
}

// ---- before signing: what is missing, the household's results, happiness ---------------

function missingHtml(rec, items) {
  if (!items.length) return "";
  const byStep = new Map();
  for (const m of items) byStep.set(m.step, [...(byStep.get(m.step) || []), m]);
  const titles = Object.fromEntries(allSteps(rec).map((s) => [s.id, s.group && s.block ? `${s.group} · ${s.title}` : s.title]));
  return `<section class="card errors" id="missing"><h2>ยังตอบไม่ครบ ${num(items.length)} ข้อ</h2>
    <ul class="missing-list">${[...byStep].map(([step, list]) => `<li><a href="${stepLink(rec.client_uuid, step)}">${esc(titles[step] || "")}</a>
      <small>${list.map((m) => esc(m.text)).join(" · ")}</small></li>`).join("")}</ul></section>`;
}

function reasonHtml(rec, excusable) {
  const list = reasons();
  if (!excusable || !list.length) return "";
  const b = rec.body;
  return `<section class="card"><h2>ถ้าครัวเรือนตอบได้ไม่ครบ</h2><p class="note">เลือกเหตุผล แล้วส่งได้โดยไม่ต้องตอบข้อที่เหลือ (นับแยกเป็นครัวเรือนที่ข้อมูลไม่สมบูรณ์)</p>
    <fieldset class="chips col" id="incomplete_reason"><label class="chip"><input type="radio" name="ir" value="" ${b.incomplete_reason ? "" : "checked"}><span>ยังไม่เลือก (จะกลับไปตอบให้ครบ)</span></label>
    ${list.map((r) => `<label class="chip"><input type="radio" name="ir" value="${esc(r.value)}" ${b.incomplete_reason === r.value ? "checked" : ""}><span>${esc(r.label_th)}</span></label>`).join("")}</fieldset>
    <label id="incomplete-note-box" ${list.find((r) => r.value === b.incomplete_reason)?.note_required ? "" : "hidden"}>รายละเอียด
      <input id="incomplete_note" value="${esc(b.incomplete_note || "")}"></label></section>`;
}

export function indicatorList(rows) {
  const Q = app.Q;
  return `<ol class="indicators">${rows.map((r) => `<li class="ind ${esc(r.outcome)}" data-ind="${r.number}">
    <b>${r.number}. ${esc(Q.indicators[r.number - 1]?.title_th || "")}</b> <span class="outcome" data-outcome="${esc(r.outcome)}">${esc(OUTCOME_TH[r.outcome] || "")}</span>
    <small>${esc(r.reason_th || "")}</small></li>`).join("")}</ol>`;
}

function renderSummary(el, rec, save) {
  const h = app.Q.happiness;
  const items = missingItems(rec);
  const excusable = items.some((m) => m.excusable);
  const rows = results(rec);
  const count = (o) => rows.filter((r) => r.outcome === o).length;
  el.innerHTML = `${missingHtml(rec, items)}${reasonHtml(rec, excusable)}
    <div class="card"><h2>${esc(h.title_th)}</h2>${h.texts_th.map((t) => `<p class="note">${esc(t)}</p>`).join("")}
    <fieldset class="chips scale" id="happiness"><legend>${esc(h.label_th)}</legend>${Array.from({ length: h.max - h.min + 1 }, (_, i) => h.min + i)
      .map((v) => `<label class="chip"><input type="radio" name="happiness" value="${v}" ${rec.body.happiness === v ? "checked" : ""}><span>${v}</span></label>`).join("")}</fieldset>
    <span class="msg">${rec.tried.summary && rec.body.happiness == null ? "ยังไม่ได้ตอบ" : ""}</span></div>
    <div class="card"><h2>ผลตัวชี้วัด 31 ข้อ ของครัวเรือนนี้</h2>
    <p class="note" id="tally">ผ่าน ${count("pass")} · ไม่ผ่าน ${count("fail")} · ไม่เกี่ยวข้อง ${count("na")} · ข้อมูลไม่ครบ ${count("incomplete")}</p>
    ${indicatorList(rows)}</div>`;
  el.onchange = async (e) => {
    if (e.target.name === "happiness") rec.body.happiness = Number(e.target.value);
    if (e.target.name === "ir") {
      rec.body.incomplete_reason = e.target.value || null;
      const spec = reasons().find((r) => r.value === e.target.value);
      el.querySelector("#incomplete-note-box").hidden = !spec?.note_required;
      if (!spec?.note_required) rec.body.incomplete_note = null;
    }
    await save();
  };
  el.oninput = async (e) => { if (e.target.id === "incomplete_note") { rec.body.incomplete_note = e.target.value.trim() || null; await save(); } };
}

// ---- consent, signatures, GPS, finish ---------------------------------------------------

const gpsText = (g) => `ละติจูด ${g.lat.toFixed(5)} ลองจิจูด ${g.lon.toFixed(5)} ความแม่นยำ ±${num(Math.round(g.accuracy_m))} ม.`;

// What still blocks finishing: unanswered items (indicator questions are excused by a reason).
function blockers(rec) {
  const b = rec.body;
  return missingItems(rec).filter((m) => !(m.excusable && b.incomplete_reason
    && (!reasons().find((r) => r.value === b.incomplete_reason)?.note_required || b.incomplete_note)));
}

function renderSign(el, rec, save) {
  const c = app.Q.consent;
  const head = rec.body.members.find((m) => m.is_head);
  const blocked = blockers(rec);
  if (blocked.length) {
    el.innerHTML = `${missingHtml(rec, blocked)}<p class="note">ตอบให้ครบ (หรือเลือกเหตุผลที่ตอบไม่ครบในหน้าผลตัวชี้วัด) ก่อนให้ครัวเรือนลงชื่อ</p>`;
    return;
  }
  el.innerHTML = `<div class="card"><h2>${esc(c.title_th)}</h2>${c.statements_th.map((s) => `<p>${esc(s)}</p>`).join("")}
    <h3>${esc(c.signers_th[0])}</h3>
    <label>ชื่อผู้ลงนาม <input id="signer" value="${esc(rec.body.head_signoff?.name || (head ? `${head.first_name} ${head.last_name}` : ""))}"></label>
    <p>${esc(c.signature_prompt_th)}</p><canvas id="sig" width="320" height="160"></canvas>
    <button type="button" id="sig-clear">ล้างลายเซ็น</button><p class="msg" id="sig-msg"></p>
    <h3>${esc(c.signers_th[1])}</h3>
    <label class="choice"><input type="checkbox" id="confirm"><span>ข้าพเจ้าได้แจ้งผลตัวชี้วัดให้ครัวเรือนทราบ และยืนยันว่าข้อมูลที่จัดเก็บถูกต้องตามที่ได้รับแจ้ง</span></label>
    <p class="msg" id="confirm-msg"></p>
    <p class="note">${esc(c.signers_th[2] || "")}: ตรวจสอบภายหลังในขั้นตอนรับรองข้อมูล</p></div>
    <div class="card"><h2>พิกัด GPS</h2><p id="gps-status">${rec.body.gps ? gpsText(rec.body.gps) : "ยังไม่มีพิกัด"}</p>
    <button type="button" id="gps-get">ขอพิกัด</button>
    <label>เหตุผลที่ไม่มีพิกัด (ถ้าไม่มี) <input id="gps-reason" value="${esc(rec.body.gps_missing_reason || "")}"></label></div>
    <button class="primary big" id="finish">บันทึกและส่ง</button><p class="msg" id="finish-msg"></p>`;
  const canvas = el.querySelector("#sig");
  const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  pad.addEventListener("endStroke", () => { el.querySelector("#sig-msg").textContent = ""; });
  el.querySelector("#sig-clear").onclick = () => pad.clear();
  el.querySelector("#confirm").onchange = () => { el.querySelector("#confirm-msg").textContent = ""; };
  el.querySelector("#gps-get").onclick = () => {
    const status = el.querySelector("#gps-status");
    status.textContent = "กำลังหาพิกัด…";
    navigator.geolocation.getCurrentPosition(async (p) => {
      rec.body.gps = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy * 10) / 10 };
      rec.body.gps_missing_reason = null;
      status.textContent = gpsText(rec.body.gps); await save();
    }, () => { status.textContent = "หาพิกัดไม่ได้ ลองใหม่ในที่โล่ง หรือระบุเหตุผลด้านล่าง"; },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  };
  el.querySelector("#finish").onclick = async () => {
    const msg = el.querySelector("#finish-msg");
    const reason = el.querySelector("#gps-reason").value.trim();
    if (pad.isEmpty()) { el.querySelector("#sig-msg").textContent = c.signature_missing_th; return; }
    if (!el.querySelector("#confirm").checked) { el.querySelector("#confirm-msg").textContent = "ผู้จัดเก็บข้อมูลต้องยืนยันก่อนส่ง"; return; }
    if (!rec.body.gps && !reason) { msg.textContent = "ยังไม่มีพิกัด: กดขอพิกัดอีกครั้ง หรือระบุเหตุผล"; return; }
    if (!rec.body.gps) rec.body.gps_missing_reason = reason;
    const now = isoWithOffset();
    rec.body.head_signoff = { name: el.querySelector("#signer").value.trim(), signed_at: now,
      signature_png: pad.toDataURL("image/png"), enumerator_confirmed_at: now };
    await finish(rec);
  };
}

// Store in the outbox and move on at once; the outbox sends in the background.
export async function finish(rec) {
  rec.body = finalBody(rec);
  if (!missingItems(rec).some((m) => m.excusable)) { rec.body.incomplete_reason = null; rec.body.incomplete_note = null; }
  rec.errors = null;
  rec.finished_at = new Date().toISOString();
  await requeue(rec);
  location.hash = `#record/${rec.client_uuid}`;
}
