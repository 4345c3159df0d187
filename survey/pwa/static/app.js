// The enumerator app: start-up, sign-in, the home list, a record's page and the router.
// Screens are hash routes rendered into <main>; the interview itself is in interview.js.
import { api, NET_TH } from "./api.js";
import { beDate, beDateTime, esc, localIsoDate, num } from "./format.js";
import { indicatorList, finish, showEdit } from "./interview.js";
import { issuesHtml, STATE_TH } from "./labels.js";
import { app, stepOf, useQuestionnaire } from "./model.js";
import { cachedQuestionnaire, loadQuestionnaire } from "./questionnaire.js";
import { allRecords, getRecord, kvDelete, kvGet, kvSet, putRecord } from "./store.js";
import { listeners, sendAllNow, status, syncNow } from "./sync.js";

const main = document.getElementById("main");

// ---- start-up and cached server data ----------------------------------------------------

async function loadCached() {
  app.round = await kvGet("round");
  const q = app.round && await cachedQuestionnaire(app.round.questionnaire_version);
  if (q) useQuestionnaire(q);
}

// Everything the app needs offline, fetched after sign-in and whenever the network is back.
async function refreshServerData() {
  const auth = await kvGet("auth");
  if (!auth) return; // nothing to fetch before the first sign-in
  const rounds = await api("GET", "/api/v1/rounds", { token: auth.token });
  if (rounds.status === 401) {
    // only the token this call used is known bad; a fresh sign-in may have replaced it meanwhile
    if ((await kvGet("auth"))?.token === auth.token) return handleAuthLost(rounds.data?.error_code);
    return;
  }
  if (rounds.status !== 200 || !rounds.data.length) return;
  const round = [...rounds.data].sort((a, b) => b.year - a.year)[0];
  await kvSet("round", round);
  app.round = round;
  const [q, , returned] = await Promise.all([loadQuestionnaire(round.questionnaire_version), refreshVillages(),
    api("GET", `/api/v1/households?status=returned&round=${round.year}&limit=200`)]);
  if (q) useQuestionnaire(q);
  await kvDelete("questionnaire"); // the old single copy: questionnaire.js keeps them by version
  for (const item of returned.data?.items || []) {
    const local = await getRecord(item.id);
    if (local && ["waiting", "draft"].includes(local.state)) continue;
    const full = await api("GET", `/api/v1/households/${item.id}`);
    if (full.status === 200) await putRecord(fromServer(full.data, full.etag, local));
  }
}

// The villages' counts as the server has them now; sent records after this are added locally.
async function refreshVillages() {
  const round = await kvGet("round");
  if (!round) return;
  const villages = await api("GET", `/api/v1/rounds/${round.year}/my-villages`);
  if (villages.status === 200) { await kvSet("villages", villages.data); await kvSet("villages_at", new Date().toISOString()); }
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
      incomplete_reason: h.incomplete_reason ?? null, incomplete_note: h.incomplete_note ?? null,
      interviewed_on: h.interviewed_on, gps: h.gps, gps_missing_reason: h.gps_missing_reason, head_signoff: null } };
}

async function handleAuthLost(code) {
  // keep the reason the sync already stored (revoked, expired) unless a new one is given
  if (code || !(await kvGet("auth_expired"))) await kvSet("auth_expired", code || "UNAUTHENTICATED");
  location.hash = "#login";
}

// ---- header: title, back, connection ------------------------------------------------------

function setTitle(text, back) {
  document.getElementById("title").textContent = text;
  const b = document.getElementById("back");
  b.hidden = !back;
  b.onclick = () => { location.hash = back; };
}

// "ออนไลน์" only when the server answered; otherwise why not, and when the next try is.
function showNet() {
  const el = document.getElementById("net");
  const offline = !navigator.onLine || status.net === "offline";
  const trouble = !offline && ["timeout", "unreachable", "server"].includes(status.net);
  const wait = status.next_at ? Math.max(0, Math.ceil((status.next_at - Date.now()) / 1000)) : null;
  el.textContent = offline ? "ออฟไลน์" : trouble ? "เซิร์ฟเวอร์ไม่ตอบ" : status.sending ? "กำลังส่ง…" : "ออนไลน์";
  el.dataset.net = offline ? "offline" : trouble ? "trouble" : "online";
  document.body.classList.toggle("offline", offline || trouble);
  const cd = document.getElementById("countdown");
  if (cd) cd.textContent = wait != null && (offline || trouble) ? `${NET_TH[status.net] || NET_TH.offline} · ลองส่งอีกครั้งใน ${num(wait)} วินาที` : "";
}
setInterval(showNet, 1000);

// ---- screens -----------------------------------------------------------------------------

const EXPIRED_TH = { TOKEN_EXPIRED: "การเข้าสู่ระบบหมดอายุ",
  TOKEN_REVOKED: "การเข้าสู่ระบบถูกยกเลิก (ขอ QR code ลงทะเบียนใหม่จากผู้ประสานงานตำบล)" };

async function showLogin() {
  setTitle("เข้าสู่ระบบ");
  const expired = await kvGet("auth_expired");
  const waiting = (await allRecords()).filter((r) => r.state === "waiting").length;
  main.innerHTML = `<form id="login" class="card">
    ${expired ? `<p class="warn">${EXPIRED_TH[expired] || "กรุณาเข้าสู่ระบบใหม่"}
      ${waiting ? `— ข้อมูลที่รอส่ง ${num(waiting)} ครัวเรือน ยังอยู่ในเครื่องครบ` : ""}</p>` : ""}
    <label>ชื่อผู้ใช้ <input name="username" autocomplete="username" autocapitalize="none" required></label>
    <label>รหัสผ่าน <input name="password" type="password" autocomplete="current-password" required></label>
    <button class="primary big">เข้าสู่ระบบ</button><p class="msg" id="login-msg"></p></form>`;
  main.dataset.screen = "login";
  document.getElementById("login").onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const msg = document.getElementById("login-msg");
    msg.textContent = "กำลังเข้าสู่ระบบ…";
    try {
      const res = await api("POST", "/api/v1/auth/tokens", { token: "", body: {
        username: f.get("username"), password: f.get("password"), device: `collect ${navigator.userAgent.slice(0, 60)}` } });
      if (res.status !== 201) { msg.textContent = res.data?.message_th || "เข้าสู่ระบบไม่สำเร็จ"; return; }
      await signedIn({ token: res.data.token, expires_at: res.data.expires_at, username: f.get("username") });
    } catch (err) { msg.textContent = `${NET_TH[err.kind] || NET_TH.unreachable} — ต้องเข้าสู่ระบบครั้งแรกขณะมีอินเทอร์เน็ต`; }
  };
}

async function signedIn(auth) {
  await kvSet("auth", auth);
  await kvDelete("auth_expired");
  await refreshServerData();
  if (location.hash === "#home") route(); else location.hash = "#home";
  syncNow({ force: true }).catch(() => {});
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
    await signedIn({ token: res.data.token, expires_at: res.data.expires_at, username: res.data.username });
  } catch (err) { msg.textContent = `${NET_TH[err.kind] || NET_TH.unreachable} — ต้องลงทะเบียนขณะมีอินเทอร์เน็ต`; }
}

const headName = (b) => { const h = b.members?.find((m) => m.is_head); return h ? `${h.first_name} ${h.last_name}` : ""; };
const warningsOf = (r) => (r.state === "sent" ? r.server?.warnings || [] : []);

function recordLine(r) {
  const b = r.body, w = warningsOf(r).length;
  return `<li class="rec ${r.state}" data-uuid="${esc(r.client_uuid)}"><a href="#record/${esc(r.client_uuid)}">
    <b>บ้านเลขที่ ${esc(b.house_number || "–")}</b> ${esc(headName(b))}
    <span class="state" data-state="${esc(r.state)}">${esc(STATE_TH[r.state] || "")}${w ? ` <span class="wtag">ข้อสังเกต ${num(w)}</span>` : ""}
    ${b.incomplete_reason ? ' <span class="wtag">ข้อมูลไม่สมบูรณ์</span>' : ""}</span></a></li>`;
}

// Collected = what the server counted at the last refresh + what it acknowledged since;
// the outbox is shown beside it.
async function villageCounts(records) {
  const since = (await kvGet("villages_at")) || "";
  const out = {};
  for (const r of records) {
    const c = (out[r.body.village_code] ||= { acked: 0, waiting: 0 });
    if (r.state === "waiting") c.waiting += 1;
    else if (r.state === "sent" && !r.returned && (r.sent_at || "") > since && r.last_status === 201) c.acked += 1;
  }
  return out;
}

async function showHome() {
  const round = app.round;
  const villages = (await kvGet("villages")) || [];
  const records = (await allRecords()).sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
  setTitle(`จปฐ. ปี ${round?.year ?? ""}`);
  const counts = await villageCounts(records);
  const returned = records.filter((r) => r.state === "returned");
  const trash = records.filter((r) => r.state === "trash");
  const outbox = records.filter((r) => !["returned", "trash"].includes(r.state));
  const waiting = outbox.filter((r) => r.state === "waiting").length;
  main.innerHTML = `
    <section class="card"><h2>หมู่บ้าน/ชุมชนของฉัน</h2><ul class="villages">${villages.map((v) => {
      const c = counts[v.code] || { acked: 0, waiting: 0 };
      return `<li><div><b>${esc(v.name_th)}</b><br><small>${esc(v.lao_name_th || "")}</small></div>
      <div class="progress" data-village="${esc(v.code)}">เก็บแล้ว <b class="collected">${num(v.collected + c.acked)}</b> / ${num(v.target)}${c.waiting ? ` <small>(รอส่ง ${num(c.waiting)})</small>` : ""}</div>
      <button class="primary big" data-new="${esc(v.code)}">+ ครัวเรือนใหม่</button></li>`; }).join("") || "<li>ยังไม่มีหมู่บ้านที่ได้รับมอบหมาย</li>"}</ul></section>
    ${returned.length ? `<section class="card"><h2>ถูกส่งกลับให้แก้ไข (${num(returned.length)})</h2><ul class="records">${returned.map((r) => `
      <li class="rec returned" data-uuid="${esc(r.client_uuid)}"><a href="#record/${esc(r.client_uuid)}"><b>บ้านเลขที่ ${esc(r.body.house_number || "–")}</b>
      <span>${esc(r.returned?.reason || "")}</span><small>โดย ${esc(r.returned?.by_name || "")} (${esc(r.returned?.by_role_th || "")}) ${beDateTime(r.returned?.at)}</small></a></li>`).join("")}</ul></section>` : ""}
    <section class="card"><h2>ข้อมูลในเครื่อง</h2>
      <p>รอส่ง <b id="count-waiting">${num(waiting)}</b> · ส่งแล้ว <b id="count-sent">${num(outbox.filter((r) => r.state === "sent").length)}</b></p>
      <p class="note" id="countdown"></p>
      ${waiting ? `<button id="sync" class="primary">ส่งข้อมูลตอนนี้</button>` : ""}
      <ul class="records">${outbox.map(recordLine).join("") || "<li>ยังไม่มีข้อมูล</li>"}</ul></section>
    ${trash.length ? `<section class="card"><h2>ถังขยะ (${num(trash.length)})</h2><p class="note">ลบถาวรเมื่อส่งข้อมูลสำเร็จครั้งถัดไป</p>
      <ul class="records">${trash.map((r) => `<li class="rec trash"><span>บ้านเลขที่ ${esc(r.body.house_number || "–")} ${esc(headName(r.body))}</span>
      <button data-restore="${esc(r.client_uuid)}">กู้คืน</button></li>`).join("")}</ul></section>` : ""}
    <p><button id="logout" class="link">ออกจากระบบ</button></p>`;
  showNet();
  main.dataset.screen = "home";
  main.querySelectorAll("[data-new]").forEach((b) => { b.onclick = () => newHousehold(b.dataset.new); });
  main.querySelectorAll("[data-restore]").forEach((b) => { b.onclick = async () => {
    const rec = await getRecord(b.dataset.restore);
    rec.state = rec.trashed_from || "draft"; await putRecord(rec); showHome();
  }; });
  document.getElementById("sync")?.addEventListener("click", () => { sendAllNow().catch(() => {}); showNet(); });
  document.getElementById("logout").onclick = async () => {
    if (waiting && !confirm("ยังมีข้อมูลรอส่ง ข้อมูลจะยังอยู่ในเครื่อง ออกจากระบบหรือไม่")) return;
    await kvDelete("auth"); location.hash = "#login";
  };
}

async function newHousehold(villageCode) {
  const uuid = crypto.randomUUID(); // generated once; replays of this record are safe
  await putRecord({ client_uuid: uuid, state: "draft", created_at: new Date().toISOString(),
    body: { client_uuid: uuid, round: app.round.year, village_code: villageCode, house_code: "", house_number: "",
      address: { moo: villageCode.slice(6).replace(/^0+/, ""), soi: "", road: "" }, residence_land: null,
      occupation_land: null, members: [], answers: {}, happiness: null, incomplete_reason: null, incomplete_note: null,
      interviewed_on: localIsoDate(), gps: null, gps_missing_reason: null, head_signoff: null } });
  location.hash = `#edit/${uuid}/house`;
}

// A record's page: its state in Thai, why it waits (with a countdown and "send now"), the
// server's warnings, its problems linked to the screen that fixes them, and its results.
async function showRecord(uuid) {
  const rec = await getRecord(uuid);
  if (!rec) { location.hash = "#home"; return; }
  const Q = app.Q;
  setTitle(`บ้านเลขที่ ${rec.body.house_number || "–"}`, "#home");
  const editable = ["rejected", "conflict", "returned", "draft"].includes(rec.state);
  const discardable = ["rejected", "conflict", "draft"].includes(rec.state) && !rec.household_id;
  const ind = rec.state === "sent" && rec.server?.indicators;
  const warnings = warningsOf(rec);
  const existing = rec.errors?.house_code?.find((e) => e.error_code === "DUPLICATE_HOUSE_CODE");
  const link = (path) => (path === "_" ? null : `#edit/${uuid}/${stepOf(path)}`);
  main.innerHTML = `<section class="card"><p>สถานะ: <b id="rec-state" data-state="${esc(rec.state)}">${esc(STATE_TH[rec.state] || "")}</b></p>
    ${rec.state === "waiting" ? `<p class="note" id="countdown"></p>` : ""}
    ${rec.message && rec.state !== "sent" ? `<p>${esc(rec.message)}</p>` : ""}
    ${existing ? `<p class="warn" id="duplicate">รหัสประจำบ้าน ${esc(rec.body.house_code)} ถูกบันทึกแล้ว${existing.existing_house_number
      ? ` เป็นบ้านเลขที่ ${esc(existing.existing_house_number)}` : ""}${existing.existing_village_name_th ? ` ${esc(existing.existing_village_name_th)}` : existing.existing_village_code ? ` หมู่บ้าน ${esc(existing.existing_village_code)}` : ""}
      — ตรวจรหัสบ้านอีกครั้ง หรือทิ้งแบบนี้ถ้าเป็นครัวเรือนเดียวกัน</p>` : ""}
    ${rec.returned ? `<p class="warn">ส่งกลับโดย ${esc(rec.returned.by_name)} (${esc(rec.returned.by_role_th)}) ${beDateTime(rec.returned.at)}<br>เหตุผล: ${esc(rec.returned.reason)}</p>` : ""}
    <p>สมาชิก ${num(rec.body.members.length)} คน · สัมภาษณ์ ${beDate(rec.body.interviewed_on)}${rec.sent_at ? ` · ส่งเมื่อ ${beDateTime(rec.sent_at)}` : ""}</p>
    <div class="row">${editable ? `<a class="btn primary" id="edit" href="#edit/${esc(uuid)}/house">แก้ไข</a>` : ""}
    ${["rejected", "conflict"].includes(rec.state) ? `<button id="resend">ส่งใหม่</button>` : ""}
    ${rec.state === "waiting" ? `<button id="resend" class="primary">ส่งตอนนี้</button>` : ""}
    ${discardable ? `<button id="discard" class="danger">ทิ้งแบบนี้</button>` : ""}</div></section>
    ${rec.errors ? `<section class="card errors"><h2>ต้องแก้ไข</h2><ul>${issuesHtml(Q, rec.errors, { linkTo: link })}</ul></section>` : ""}
    ${warnings.length ? `<section class="card warnings"><h2>ข้อสังเกตจากเซิร์ฟเวอร์ (${num(warnings.length)})</h2><ul>${warnings.map((w) =>
      `<li>${esc(w.message_th || w.message || "")}</li>`).join("")}</ul></section>` : ""}
    ${ind ? `<section class="card"><h2>ผลตัวชี้วัด</h2>${indicatorList(ind)}</section>` : ""}`;
  showNet();
  main.dataset.screen = `record:${rec.state}`;
  document.getElementById("resend")?.addEventListener("click", async () => {
    if (rec.state === "waiting") await sendAllNow().catch(() => {}); else await finish(rec);
    showRecord(uuid);
  });
  document.getElementById("discard")?.addEventListener("click", async () => {
    if (!confirm("ทิ้งแบบสอบถามนี้หรือไม่ (กู้คืนได้จากถังขยะจนกว่าจะส่งข้อมูลครั้งถัดไป)")) return;
    Object.assign(rec, { trashed_from: rec.state, state: "trash" });
    await putRecord(rec); location.hash = "#home";
  });
}

// ---- router, network ---------------------------------------------------------------------

async function route() {
  const auth = await kvGet("auth");
  const [name, ...args] = (location.hash.slice(1) || "home").split("/");
  if (name === "enrol" && args[0]) return showEnrol(args[0]);
  if (!auth || (await kvGet("auth_expired"))) return showLogin();
  if (!app.Q) await loadCached();
  if (!app.Q) { setTitle("จปฐ."); main.innerHTML = "<p class=card>ยังไม่มีแบบสอบถามในเครื่อง ต่ออินเทอร์เน็ตแล้วเปิดใหม่</p>"; return; }
  if (name === "edit") return showEdit(args[0], args[1], setTitle);
  if (name === "record") return showRecord(args[0]);
  if (name === "login") return showLogin();
  return showHome();
}

listeners.add(async (info) => {
  showNet();
  if (info.auth) return handleAuthLost();
  const [name, arg] = location.hash.slice(1).split("/");
  if (info.done && info.sent && navigator.onLine) await refreshVillages().catch(() => {});
  if (info.done && (name === "home" || name === "") && (await kvGet("auth"))) route();
  if (info.records && name === "record") showRecord(arg);
});

window.addEventListener("hashchange", route);
window.addEventListener("online", () => { status.net = null; showNet(); refreshServerData().catch(() => {}); sendAllNow().catch(() => {}); });
window.addEventListener("offline", () => { status.net = "offline"; showNet(); });
showNet();
if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/collect/sw.js", { scope: "/collect/" });
route().then(async () => {
  if (!(await kvGet("auth"))) return; // the sign-in form starts the rest
  if (navigator.onLine) refreshServerData().then(() => { if (!location.hash || location.hash === "#home") route(); }).catch(() => {});
  syncNow().catch(() => {});
});
