// The enumerator app: screens, the household model and the glue to the outbox.
// Screens are hash routes rendered into <main>; every edit is saved to IndexedDB at once.
import SignaturePad from "./vendor/signature_pad.js";
import { api } from "./api.js";
import { beDate, beDateTime, esc, isoWithOffset, localIsoDate, num } from "./format.js";
import { questionHtml, readAnswer, refresh } from "./form.js";
import { ANSWERABLE, birthDateProblem, makeRelevance, missingAnswers, nationalIdProblem, roster, todayUtc } from "./rules.js";
import { allRecords, getRecord, kvDelete, kvGet, kvSet, putRecord } from "./store.js";
import { listeners, requeue, syncNow } from "./sync.js";

const main = document.getElementById("main");
const STATE_TH = { draft: "ร่าง", waiting: "รอส่ง", sent: "ส่งแล้ว", rejected: "ถูกปฏิเสธ (แก้ไขแล้วส่งใหม่)",
  conflict: "ขัดแย้ง (ต้องแก้ไข)", returned: "ถูกส่งกลับให้แก้ไข" };
let Q = null; // the questionnaire definition, from the server (cached in IndexedDB)

// ---- start-up and cached server data ----------------------------------------------------

async function loadQuestionnaire() {
  Q = await kvGet("questionnaire");
  if (!Q) return;
  Q.questionsById = Object.fromEntries(Q.questions.map((x) => [x.id, x]));
  for (const f of Q.household_fields.filter((f) => f.type === "choice")) {
    Q.questionsById[f.name] = { id: f.name, widget: "choice", text_th: f.label_th, options: f.options, required: f.required };
  }
}

// Everything the app needs offline, fetched after login and whenever the network is back.
async function refreshServerData() {
  const auth = await kvGet("auth");
  if (!auth) return; // nothing to fetch before the first login
  const rounds = await api("GET", "/api/v1/rounds", { token: auth.token });
  if (rounds.status === 401) {
    // only the token this call used is known bad; a fresh login may have replaced it meanwhile
    if ((await kvGet("auth"))?.token === auth.token) return handleAuthLost(rounds.data?.error_code);
    return;
  }
  if (rounds.status !== 200 || !rounds.data.length) return;
  const round = [...rounds.data].sort((a, b) => b.year - a.year)[0];
  await kvSet("round", round);
  const [q, villages] = await Promise.all([
    api("GET", `/api/v1/questionnaires/${round.questionnaire_version}`),
    api("GET", `/api/v1/rounds/${round.year}/my-villages`)]);
  if (q.status === 200) { await kvSet("questionnaire", q.data); await loadQuestionnaire(); }
  if (villages.status === 200) await kvSet("villages", villages.data);
  const returned = await api("GET", `/api/v1/households?status=returned&round=${round.year}&limit=200`);
  for (const item of returned.data?.items || returned.data?.features || []) {
    const local = await getRecord(item.id);
    if (local && ["waiting", "draft"].includes(local.state)) continue;
    const full = await api("GET", `/api/v1/households/${item.id}`);
    if (full.status === 200) await putRecord(fromServer(full.data, full.etag, local));
  }
}

// A returned household as an editable local record (PUT with If-Match on resubmit).
function fromServer(h, etag, local) {
  const members = h.members.map((m) => {
    const { line_no, age_years, national_id_masked, attributes, ...rest } = m;
    return { ...attributes, ...rest };
  });
  return { ...(local || {}), client_uuid: h.id, household_id: h.id, etag, state: "returned", returned: h.returned,
    server: h, errors: null,
    body: { client_uuid: h.id, round: h.round, village_code: h.village_code, house_code: h.house_code,
      house_number: h.house_number, address: h.address || {}, residence_land: h.residence_land,
      occupation_land: h.occupation_land, members, answers: h.answers || {}, happiness: h.happiness,
      interviewed_on: h.interviewed_on, gps: h.gps, gps_missing_reason: h.gps_missing_reason, head_signoff: null } };
}

async function handleAuthLost(code) {
  // keep the reason the sync already stored (revoked, expired) unless a new one is given
  if (code || !(await kvGet("auth_expired"))) await kvSet("auth_expired", code || "UNAUTHENTICATED");
  location.hash = "#login";
}

// ---- screens -----------------------------------------------------------------------------

function setTitle(text, back) {
  document.getElementById("title").textContent = text;
  const b = document.getElementById("back");
  b.hidden = !back;
  b.onclick = () => { location.hash = back; };
}

async function showLogin() {
  setTitle("เข้าสู่ระบบ");
  const expired = await kvGet("auth_expired");
  const waiting = (await allRecords()).filter((r) => r.state === "waiting").length;
  main.innerHTML = `<form id="login" class="card">
    ${expired ? `<p class="warn">${expired === "TOKEN_EXPIRED" ? "การเข้าสู่ระบบหมดอายุ" : expired === "TOKEN_REVOKED" ? "การเข้าสู่ระบบถูกยกเลิก (ขอ QR code ลงทะเบียนใหม่จากผู้ประสานงานตำบล)" : "กรุณาเข้าสู่ระบบใหม่"}
      ${waiting ? `— ข้อมูลที่รอส่ง ${num(waiting)} ครัวเรือน ยังอยู่ในเครื่องครบ` : ""}</p>` : ""}
    <label>ชื่อผู้ใช้ <input name="username" autocomplete="username" required></label>
    <label>รหัสผ่าน <input name="password" type="password" autocomplete="current-password" required></label>
    <button class="primary">เข้าสู่ระบบ</button><p class="msg" id="login-msg"></p></form>`;
  document.getElementById("login").onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const msg = document.getElementById("login-msg");
    msg.textContent = "กำลังเข้าสู่ระบบ…";
    try {
      const res = await api("POST", "/api/v1/auth/tokens", { token: "", body: {
        username: f.get("username"), password: f.get("password"), device: `collect ${navigator.userAgent.slice(0, 60)}` } });
      if (res.status !== 201 && res.status !== 200) { msg.textContent = res.data?.message_th || res.data?.message || "เข้าสู่ระบบไม่สำเร็จ"; return; }
      await kvSet("auth", { token: res.data.token, expires_at: res.data.expires_at, username: f.get("username") });
      await kvDelete("auth_expired");
      await refreshServerData();
      if (location.hash === "#home") route(); else location.hash = "#home";
      syncNow({ force: true });
    } catch { msg.textContent = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ ต้องเข้าสู่ระบบครั้งแรกขณะมีอินเทอร์เน็ต"; }
  };
}

// A coordinator's QR code opens /collect/#enrol/<code>: the phone exchanges the one-time
// code for the volunteer's device token, with no password typed.
async function showEnrol(code) {
  setTitle("ลงทะเบียนโทรศัพท์");
  history.replaceState(null, "", "/collect/#home"); // the code is spent: keep it out of history
  const auth = await kvGet("auth");
  const waiting = (await allRecords()).filter((r) => r.state === "waiting").length;
  main.innerHTML = `<div class="card"><p class="msg" id="enrol-msg">กำลังลงทะเบียนโทรศัพท์…</p></div>`;
  const msg = document.getElementById("enrol-msg");
  if (auth && waiting && !(await kvGet("auth_expired"))) {
    msg.textContent = `เครื่องนี้ยังมีข้อมูลรอส่ง ${num(waiting)} ครัวเรือนของผู้ใช้ ${auth.username} กรุณาส่งข้อมูลให้ครบก่อนลงทะเบียนผู้ใช้ใหม่`;
    return;
  }
  try {
    const res = await api("POST", "/api/v1/auth/enrolments", { token: "", body: {
      code, device: `collect ${navigator.userAgent.slice(0, 60)}` } });
    if (res.status !== 201) { msg.textContent = res.data?.message_th || "ลงทะเบียนไม่สำเร็จ"; return; }
    await kvSet("auth", { token: res.data.token, expires_at: res.data.expires_at, username: res.data.username });
    await kvDelete("auth_expired");
    await refreshServerData();
    route();
    syncNow({ force: true });
  } catch { msg.textContent = "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ ต้องลงทะเบียนขณะมีอินเทอร์เน็ต"; }
}

function recordLine(r) {
  const b = r.body;
  const head = b.members?.find((m) => m.is_head);
  return `<li class="rec ${r.state}" data-uuid="${esc(r.client_uuid)}"><a href="#record/${esc(r.client_uuid)}">
    <b>บ้านเลขที่ ${esc(b.house_number || "–")}</b> ${esc(head ? `${head.first_name} ${head.last_name}` : "")}
    <span class="state" data-state="${esc(r.state)}">${esc(STATE_TH[r.state] || r.state)}</span></a></li>`;
}

async function showHome() {
  const round = await kvGet("round");
  const villages = (await kvGet("villages")) || [];
  const records = (await allRecords()).sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
  setTitle(`จปฐ. ปี ${round?.year ?? ""}`);
  const localCount = (code) => records.filter((r) => r.body.village_code === code && r.state === "waiting").length;
  const returned = records.filter((r) => r.state === "returned");
  const outbox = records.filter((r) => r.state !== "returned");
  main.innerHTML = `
    <section class="card"><h2>หมู่บ้าน/ชุมชนของฉัน</h2><ul class="villages">${villages.map((v) => `
      <li><div><b>${esc(v.name_th)}</b> <small>${esc(v.code)}</small><br><small>${esc(v.lao_name_th || "")}</small></div>
      <div class="progress">เก็บแล้ว ${num(v.collected)} / ${num(v.target)}${localCount(v.code) ? ` <small>(รอส่ง ${num(localCount(v.code))})</small>` : ""}</div>
      <button class="primary" data-new="${esc(v.code)}">+ ครัวเรือนใหม่</button></li>`).join("") || "<li>ยังไม่มีหมู่บ้านที่ได้รับมอบหมาย</li>"}</ul></section>
    ${returned.length ? `<section class="card"><h2>ถูกส่งกลับให้แก้ไข (${num(returned.length)})</h2><ul class="records">${returned.map((r) => `
      <li class="rec returned" data-uuid="${esc(r.client_uuid)}"><a href="#record/${esc(r.client_uuid)}"><b>บ้านเลขที่ ${esc(r.body.house_number || "–")}</b>
      <span>${esc(r.returned?.reason || "")}</span><small>โดย ${esc(r.returned?.by_name || "")} (${esc(r.returned?.by_role_th || "")}) ${beDateTime(r.returned?.at)}</small></a></li>`).join("")}</ul></section>` : ""}
    <section class="card"><h2>ข้อมูลในเครื่อง</h2>
      <p>รอส่ง <b id="count-waiting">${num(outbox.filter((r) => r.state === "waiting").length)}</b> · ส่งแล้ว ${num(outbox.filter((r) => r.state === "sent").length)}</p>
      <button id="sync" class="primary">ส่งข้อมูลตอนนี้</button>
      <ul class="records">${outbox.map(recordLine).join("") || "<li>ยังไม่มีข้อมูล</li>"}</ul></section>
    <p><button id="logout" class="link">ออกจากระบบ</button></p>`;
  main.querySelectorAll("[data-new]").forEach((b) => { b.onclick = () => newHousehold(b.dataset.new); });
  document.getElementById("sync").onclick = async () => { await syncNow({ force: true }); if (location.hash === "#home") showHome(); };
  document.getElementById("logout").onclick = async () => {
    if (outbox.some((r) => r.state === "waiting") && !confirm("ยังมีข้อมูลรอส่ง ข้อมูลจะยังอยู่ในเครื่อง ออกจากระบบหรือไม่")) return;
    await kvDelete("auth"); location.hash = "#login";
  };
}

async function newHousehold(villageCode) {
  const round = await kvGet("round");
  const uuid = crypto.randomUUID(); // generated once; replays of this record are safe
  await putRecord({ client_uuid: uuid, state: "draft", created_at: new Date().toISOString(),
    body: { client_uuid: uuid, round: round.year, village_code: villageCode, house_code: "", house_number: "",
      address: { moo: villageCode.slice(6).replace(/^0+/, ""), soi: "", road: "" }, residence_land: null,
      occupation_land: null, members: [], answers: {}, happiness: null, interviewed_on: localIsoDate(),
      gps: null, gps_missing_reason: null, head_signoff: null } });
  location.hash = `#edit/${uuid}/house`;
}

// ---- the interview --------------------------------------------------------------------

function steps() {
  const cats = Q.categories.map((c) => ({ id: `cat${c.number}`, title: `หมวด ${c.number} ${c.name_th}`, blocks: c.indicators }));
  const inCats = new Set(cats.flatMap((c) => c.blocks));
  const extra = [...new Set(Q.questions.map((x) => x.block))].filter((b) => !inCats.has(b));
  return [{ id: "house", title: "ข้อมูลบ้าน" }, { id: "members", title: "สมาชิก" }, ...cats,
    ...(extra.length ? [{ id: "extra", title: "ข้อมูลเพิ่มเติม", blocks: extra }] : []),
    { id: "summary", title: "สรุปผลตัวชี้วัด" }, { id: "sign", title: "ยินยอมและลงชื่อ" }];
}

const today = (rec) => { const d = new Date(`${rec.body.interviewed_on}T00:00:00Z`); return isNaN(d) ? todayUtc() : d; };
const people = (rec) => roster(rec.body.members, today(rec));

async function showEdit(uuid, stepId) {
  const rec = await getRecord(uuid);
  if (!rec) { location.hash = "#home"; return; }
  const all = steps();
  const idx = Math.max(0, all.findIndex((s) => s.id === stepId));
  const step = all[idx];
  setTitle(step.title, "#home");
  const nav = `<nav class="steps">${idx > 0 ? `<a class="btn" href="#edit/${uuid}/${all[idx - 1].id}">‹ ก่อนหน้า</a>` : "<span></span>"}
    <span>${idx + 1}/${all.length}</span>${idx < all.length - 1 ? `<a class="btn primary" id="next" href="#edit/${uuid}/${all[idx + 1].id}">ถัดไป ›</a>` : "<span></span>"}</nav>`;
  main.innerHTML = `${serverErrors(rec)}<div id="step"></div>${nav}`;
  const el = document.getElementById("step");
  const save = () => putRecord(rec);
  if (step.id === "house") renderHouse(el, rec, save);
  else if (step.id === "members") renderMembers(el, rec, save);
  else if (step.blocks) renderQuestions(el, rec, save, Q.questions.filter((x) => step.blocks.includes(x.block)));
  else if (step.id === "summary") renderSummary(el, rec, save);
  else renderSign(el, rec, save);
  window.__bmnTest.current = { rec, rerender: () => showEdit(uuid, stepId) };
}

function serverErrors(rec) {
  if (!rec.errors) return "";
  const items = Object.entries(rec.errors).flatMap(([field, list]) => list.map((e) =>
    `<li><code>${esc(field)}</code> ${esc(e.message || e.message_th || e.error_code)}</li>`));
  return `<section class="card errors"><h2>ข้อความจากเซิร์ฟเวอร์</h2><ul>${items.join("")}</ul></section>`;
}

function fieldError(rec, path) {
  const list = rec.errors?.[path];
  return list ? `<span class="msg server">${list.map((e) => esc(e.message)).join(" ")}</span>` : "";
}

function renderHouse(el, rec, save) {
  const b = rec.body;
  el.innerHTML = `<div class="card">
    <label>รหัสประจำบ้าน (11 หลัก) <input id="house_code" inputmode="numeric" maxlength="11" value="${esc(b.house_code || "")}"></label>
    <span class="msg" id="house_code-msg"></span>${fieldError(rec, "house_code")}
    <label>บ้านเลขที่ <input id="house_number" value="${esc(b.house_number || "")}"></label>${fieldError(rec, "house_number")}
    <label>หมู่ที่ <input id="moo" inputmode="numeric" maxlength="3" value="${esc(b.address?.moo || "")}"></label>
    <label>ซอย <input id="soi" value="${esc(b.address?.soi || "")}"></label>
    <label>ถนน <input id="road" value="${esc(b.address?.road || "")}"></label>
    <p>หมู่บ้าน/ชุมชน: <b>${esc(b.village_code)}</b> (ตามที่ได้รับมอบหมาย)</p>
    <p>วันที่สัมภาษณ์: ${beDate(b.interviewed_on)}</p></div>
    <div id="land"></div>`;
  const check = () => {
    const v = el.querySelector("#house_code").value;
    el.querySelector("#house_code-msg").textContent = v && !/^\d{11}$/.test(v) ? `รหัสบ้านต้องเป็นตัวเลข 11 หลัก (กรอกแล้ว ${v.length})` : "";
  };
  el.oninput = async (e) => {
    if (!e.target.id) return;
    b.house_code = el.querySelector("#house_code").value || null;
    b.house_number = el.querySelector("#house_number").value;
    b.address = { moo: el.querySelector("#moo").value, soi: el.querySelector("#soi").value, road: el.querySelector("#road").value };
    check(); await save();
  };
  check();
  const land = el.querySelector("#land");
  bindQuestions(land, rec, save, ["residence_land", "occupation_land"].map((id) => Q.questionsById[id]), true);
}

function renderQuestions(el, rec, save, questions) {
  bindQuestions(el, rec, save, questions, false);
}

function bindQuestions(el, rec, save, questions, land) {
  const get = (id) => (land ? rec.body[id] : rec.body.answers[id]);
  el.innerHTML = questions.map((x) => questionHtml(Q, x, get(x.id)) + fieldError(rec, land ? x.id : `answers.${x.id}`)).join("");
  const update = () => refresh(Q, el, rec.body.answers, people(rec), questions);
  const onChange = async (e) => {
    const box = e.target.closest("[data-qbox]");
    if (!box) return;
    const question = Q.questionsById[box.dataset.qbox];
    if (!ANSWERABLE.has(question.widget)) return;
    // exclusive options (e.g. "ทุกคน") stand alone
    if (e.target.dataset.choice && e.target.checked && question.widget === "multi_choice") {
      const opt = question.options.find((o) => o.value === e.target.dataset.choice);
      box.querySelectorAll("[data-choice]").forEach((c) => {
        const other = question.options.find((o) => o.value === c.dataset.choice);
        if (c !== e.target && (opt.exclusive || other.exclusive)) c.checked = false;
      });
    }
    const value = readAnswer(Q, question, box);
    const target = land ? rec.body : rec.body.answers;
    if (value === undefined) delete target[question.id]; else target[question.id] = value;
    if (land && value === undefined) rec.body[question.id] = null;
    update(); await save();
  };
  el.addEventListener("change", onChange);
  el.addEventListener("input", (e) => { if (e.target.matches("input[data-input]")) onChange(e); });
  update();
}

// ---- roster ------------------------------------------------------------------------------

function memberSummary(m, i, rec) {
  const a = roster([m], today(rec))[0];
  return `<li class="member"><div><b>${i + 1}. ${esc(m.first_name)} ${esc(m.last_name)}</b> ${m.is_head ? "<span class=tag>หัวหน้า</span>" : ""}
    <br><small>อายุ ${a.years ?? "?"} ปี · เกิด ${esc(m.birth_date || "–")}</small>${fieldError(rec, `members[${i}]`)}</div>
    <div><button data-edit="${i}">แก้ไข</button> <button data-remove="${i}" class="danger">ลบ</button></div></li>`;
}

function renderMembers(el, rec, save) {
  const ms = rec.body.members;
  el.innerHTML = `<div class="card"><ul class="members">${ms.map((m, i) => memberSummary(m, i, rec)).join("") || "<li>ยังไม่มีสมาชิก</li>"}</ul>
    <button id="add-member" class="primary">+ เพิ่มสมาชิก</button></div><div id="member-form"></div>`;
  el.querySelector("#add-member").onclick = () => memberForm(el, rec, save, ms.length);
  el.querySelectorAll("[data-edit]").forEach((b) => { b.onclick = () => memberForm(el, rec, save, Number(b.dataset.edit)); });
  el.querySelectorAll("[data-remove]").forEach((b) => { b.onclick = async () => {
    if (!confirm("ลบสมาชิกคนนี้หรือไม่")) return;
    ms.splice(Number(b.dataset.remove), 1); await save(); renderMembers(el, rec, save);
  }; });
}

function memberForm(el, rec, save, index) {
  const ms = rec.body.members;
  const m = { ...(ms[index] || { is_head: ms.length === 0 }) };
  const box = el.querySelector("#member-form");
  const field = (f) => {
    const id = `m-${f.name}`;
    if (f.type === "code") {
      const values = Q.code_lists[f.code_list].values;
      return `<label data-field="${f.name}">${esc(f.label_th)} <select id="${id}"><option value="">– เลือก –</option>${values.map((v, i) =>
        `<option value="${i}" ${m[f.name] === v.value ? "selected" : ""}>${esc(v.label_th)}</option>`).join("")}</select></label>`;
    }
    if (f.type === "boolean") return `<label data-field="${f.name}" class="check"><input type="checkbox" id="${id}" ${m[f.name] ? "checked" : ""}> ${esc(f.label_th)}</label>`;
    const extra = f.type === "national_id" ? 'inputmode="numeric" maxlength="13"' : f.type === "be_date" ? 'inputmode="numeric" placeholder="วว/ดด/ปปปป เช่น 15/04/2530" maxlength="10"' : "";
    return `<label data-field="${f.name}">${esc(f.label_th)} <input id="${id}" ${extra} value="${esc(m[f.name] || "")}"></label>`;
  };
  box.innerHTML = `<form class="card" id="mform"><h2>สมาชิกคนที่ ${index + 1}</h2>
    ${Q.member_fields.map((f) => field(f) + `<span class="msg" id="m-${f.name}-msg"></span>`).join("")}
    <button class="primary">บันทึกสมาชิก</button> <button type="button" id="mcancel">ยกเลิก</button></form>`;
  const form = box.querySelector("#mform");
  const read = () => {
    for (const f of Q.member_fields) {
      const input = form.querySelector(`#m-${f.name}`);
      if (f.type === "code") m[f.name] = input.value === "" ? null : Q.code_lists[f.code_list].values[Number(input.value)].value;
      else if (f.type === "boolean") m[f.name] = input.checked;
      else m[f.name] = input.value.trim();
    }
    if (m.is_head) m.relationship = null;
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
    const bp = birthDateProblem(m.birth_date, today(rec));
    if (bp && m.birth_date) out.birth_date = bp;
    return out;
  };
  const show = (p, only) => Q.member_fields.forEach((f) => {
    if (!only || only === f.name) form.querySelector(`#m-${f.name}-msg`).textContent = p[f.name] || "";
  });
  form.oninput = (e) => {
    form.querySelector('[data-field="relationship"]').hidden = form.querySelector("#m-is_head").checked;
    show(problems(), e.target.id.slice(2)); // as typed, digit by digit
  };
  form.querySelector('[data-field="relationship"]').hidden = !!m.is_head;
  form.querySelector("#mcancel").onclick = () => { box.innerHTML = ""; };
  form.onsubmit = async (e) => {
    e.preventDefault();
    const p = problems();
    show(p);
    if (Object.keys(p).length) return;
    if (m.is_head) ms.forEach((o, i) => { if (i !== index) o.is_head = false; });
    ms[index] = { ...m };
    await save();
    renderMembers(el, rec, save);
  };
}

// ---- summary, consent, signature, GPS ----------------------------------------------------

function indicatorStatus(rec) {
  const ps = people(rec);
  const relevant = makeRelevance(Q, rec.body.answers, ps);
  const missing = missingAnswers(Q, rec.body.answers, ps);
  return Q.indicators.map((ind) => {
    const qs = Q.questions.filter((x) => x.block === ind.number && ANSWERABLE.has(x.widget));
    const miss = missing.filter((x) => x.block === ind.number);
    const asked = qs.filter((x) => relevant(x.id) !== false);
    const status = miss.length ? ["incomplete", `ยังตอบไม่ครบ: ข้อ ${miss.map((x) => x.id).join(", ")}`]
      : asked.length ? ["ready", "ตอบครบแล้ว (ผลประเมินจากเซิร์ฟเวอร์หลังส่ง)"] : ["not_applicable", "ไม่มีคำถามที่ต้องตอบ (อาจไม่เข้าเกณฑ์)"];
    return { number: ind.number, title: ind.title_th, outcome: status[0], reason: status[1] };
  });
}

const OUTCOME_TH = { pass: "ผ่าน", fail: "ไม่ผ่าน", not_applicable: "ไม่เข้าเกณฑ์", incomplete: "ข้อมูลไม่ครบ", ready: "พร้อม" };

function indicatorList(rows) {
  return `<ol class="indicators">${rows.map((r) => `<li class="ind ${esc(r.outcome)}" data-ind="${r.number}">
    <b>${r.number}. ${esc(r.title)}</b> <span class="outcome" data-outcome="${esc(r.outcome)}">${esc(OUTCOME_TH[r.outcome] || r.outcome)}</span>
    <small>${esc(r.reason)}</small></li>`).join("")}</ol>`;
}

function renderSummary(el, rec, save) {
  const h = Q.happiness;
  el.innerHTML = `<div class="card"><h2>${esc(h.title_th)}</h2>${h.texts_th.map((t) => `<p class="note">${esc(t)}</p>`).join("")}
    <label>${esc(h.label_th)} <select id="happiness"><option value="">– เลือก –</option>${Array.from({ length: h.max - h.min + 1 }, (_, i) => h.min + i)
      .map((v) => `<option ${rec.body.happiness === v ? "selected" : ""}>${v}</option>`).join("")}</select></label></div>
    <div class="card"><h2>ตัวชี้วัด 31 ข้อ (ก่อนส่ง)</h2>${indicatorList(indicatorStatus(rec))}</div>`;
  el.querySelector("#happiness").onchange = async (e) => { rec.body.happiness = e.target.value === "" ? null : Number(e.target.value); await save(); };
}

function renderSign(el, rec, save) {
  const c = Q.consent;
  const head = rec.body.members.find((m) => m.is_head);
  el.innerHTML = `<div class="card"><h2>${esc(c.title_th)}</h2>${c.statements_th.map((s) => `<p>${esc(s)}</p>`).join("")}
    <label>ชื่อผู้ลงนาม <input id="signer" value="${esc(rec.body.head_signoff?.name || (head ? `${head.first_name} ${head.last_name}` : ""))}"></label>
    <p>${esc(c.signature_prompt_th)}</p><canvas id="sig" width="320" height="160"></canvas>
    <button type="button" id="sig-clear">ล้างลายเซ็น</button><p class="msg" id="sig-msg"></p></div>
    <div class="card"><h2>พิกัด GPS</h2><p id="gps-status">${rec.body.gps ? gpsText(rec.body.gps) : "ยังไม่มีพิกัด"}</p>
    <button type="button" id="gps-get">ขอพิกัด</button>
    <label>เหตุผลที่ไม่มีพิกัด (ถ้าไม่มี) <input id="gps-reason" value="${esc(rec.body.gps_missing_reason || "")}"></label></div>
    <button class="primary big" id="finish">บันทึกและส่ง</button><p class="msg" id="finish-msg"></p>`;
  const canvas = el.querySelector("#sig");
  const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  el.querySelector("#sig-clear").onclick = () => pad.clear();
  el.querySelector("#gps-get").onclick = () => {
    const status = el.querySelector("#gps-status");
    status.textContent = "กำลังหาพิกัด…";
    navigator.geolocation.getCurrentPosition(async (p) => {
      rec.body.gps = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy * 10) / 10 };
      rec.body.gps_missing_reason = null;
      status.textContent = gpsText(rec.body.gps); await save();
    }, (err) => { status.textContent = `หาพิกัดไม่ได้ (${err.message}) ลองใหม่ หรือระบุเหตุผลด้านล่าง`; },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  };
  el.querySelector("#finish").onclick = async () => {
    const msg = el.querySelector("#finish-msg");
    const reason = el.querySelector("#gps-reason").value.trim();
    if (pad.isEmpty()) { el.querySelector("#sig-msg").textContent = c.signature_missing_th; return; }
    if (!rec.body.gps && !reason) { msg.textContent = "ยังไม่มีพิกัด: กดขอพิกัดอีกครั้ง หรือระบุเหตุผล"; return; }
    if (!rec.body.members.length) { msg.textContent = "ยังไม่มีสมาชิกครัวเรือน"; return; }
    if (!rec.body.gps) rec.body.gps_missing_reason = reason;
    rec.body.head_signoff = { name: el.querySelector("#signer").value.trim(), signed_at: isoWithOffset(), signature_png: pad.toDataURL("image/png") };
    await finish(rec);
  };
}

const gpsText = (g) => `ละติจูด ${g.lat.toFixed(5)} ลองจิจูด ${g.lon.toFixed(5)} ความแม่นยำ ±${num(Math.round(g.accuracy_m))} ม.`;

// The body posted is exactly HouseholdInputSchema; answers to questions that are not
// relevant any more (e.g. after a roster change) are dropped, as the server rejects them.
function finalBody(rec) {
  const b = structuredClone(rec.body);
  const relevant = makeRelevance(Q, b.answers, people(rec));
  b.answers = Object.fromEntries(Object.entries(b.answers).filter(([id]) => Q.questionsById[id] && relevant(id) !== false));
  if (!b.house_code) b.house_code = null;
  b.members = b.members.map((m) => (m.is_head ? { ...m, relationship: null } : m));
  return b;
}

async function finish(rec) {
  rec.body = finalBody(rec);
  rec.errors = null;
  rec.finished_at = new Date().toISOString();
  await requeue(rec).catch(() => {});
  location.hash = `#record/${rec.client_uuid}`;
}

async function showRecord(uuid) {
  const rec = await getRecord(uuid);
  if (!rec) { location.hash = "#home"; return; }
  setTitle(`บ้านเลขที่ ${rec.body.house_number || "–"}`, "#home");
  const editable = ["rejected", "conflict", "returned", "draft"].includes(rec.state);
  const ind = rec.state === "sent" && rec.server?.indicators;
  main.innerHTML = `<section class="card"><p>สถานะ: <b id="rec-state" data-state="${esc(rec.state)}">${esc(STATE_TH[rec.state])}</b>
    ${rec.error_code ? `<code>${esc(rec.error_code)}</code>` : ""}</p>
    ${rec.state === "waiting" && rec.retry_reason ? `<p class="note">${esc(rec.retry_reason)} — จะลองส่งอีกครั้งอัตโนมัติ</p>` : ""}
    ${rec.returned ? `<p class="warn">ส่งกลับโดย ${esc(rec.returned.by_name)} (${esc(rec.returned.by_role_th)}) ${beDateTime(rec.returned.at)}<br>เหตุผล: ${esc(rec.returned.reason)}</p>` : ""}
    <p>สมาชิก ${num(rec.body.members.length)} คน · สัมภาษณ์ ${beDate(rec.body.interviewed_on)}</p>
    ${editable ? `<a class="btn primary" id="edit" href="#edit/${esc(uuid)}/house">แก้ไข</a>` : ""}
    ${["rejected", "conflict"].includes(rec.state) ? `<button id="resend">ส่งใหม่</button>` : ""}
    ${rec.state === "waiting" ? `<button id="resend">ส่งตอนนี้</button>` : ""}</section>
    ${serverErrors(rec)}
    ${ind ? `<section class="card"><h2>ผลตัวชี้วัด (จากเซิร์ฟเวอร์)</h2>${indicatorList(ind.map((r) => ({ ...r, title: Q.indicators[r.number - 1]?.title_th || "", reason: r.reason_th })))}</section>` : ""}`;
  const resend = document.getElementById("resend");
  if (resend) resend.onclick = async () => { if (rec.state === "waiting") await requeue(rec); else await finish(rec); showRecord(uuid); };
}

// ---- router, network, test hook ----------------------------------------------------------

async function route() {
  const auth = await kvGet("auth");
  const [name, ...args] = (location.hash.slice(1) || "home").split("/");
  if (name === "enrol" && args[0]) return showEnrol(args[0]);
  if (!auth || (await kvGet("auth_expired"))) return showLogin();
  if (!Q) await loadQuestionnaire();
  if (!Q && name !== "login") { main.innerHTML = "<p>ยังไม่มีแบบสอบถามในเครื่อง ต่ออินเทอร์เน็ตแล้วเปิดใหม่</p>"; return; }
  if (name === "edit") return showEdit(args[0], args[1]);
  if (name === "record") return showRecord(args[0]);
  if (name === "login") return showLogin();
  return showHome();
}

function showNet() {
  document.getElementById("net").textContent = navigator.onLine ? "ออนไลน์" : "ออฟไลน์";
  document.body.classList.toggle("offline", !navigator.onLine);
}

listeners.add(async (info) => {
  if (info.auth) return handleAuthLost();
  const [name, arg] = location.hash.slice(1).split("/");
  if (info.done && (name === "home" || name === "") && (await kvGet("auth"))) route();
  if (info.record && name === "record" && arg === info.record.client_uuid) showRecord(arg);
});

// Test-only hook (used by tests/e2e): fill answers of the open draft through the same
// model the form edits, instead of tapping through ~150 questions.
window.__bmnTest = {
  current: null,
  async fillAnswers(answers, extra = {}) {
    const { rec, rerender } = this.current;
    Object.assign(rec.body.answers, answers);
    Object.assign(rec.body, extra);
    await putRecord(rec); await rerender();
  },
  allRecords,
};

window.addEventListener("hashchange", route);
window.addEventListener("online", () => { showNet(); refreshServerData().catch(() => {}); syncNow({ force: true }); });
window.addEventListener("offline", showNet);
showNet();
if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/collect/sw.js", { scope: "/collect/" });
route().then(async () => {
  if (!(await kvGet("auth"))) return; // the login form starts the rest
  if (navigator.onLine) refreshServerData().then(() => { if (!location.hash || location.hash === "#home") route(); }).catch(() => {});
  syncNow().catch(() => {});
});
