// The outbox: send every "waiting" record, new ones by POST (idempotent by client_uuid),
// returned ones by PUT with If-Match. A record leaves "waiting" only on an answer from the
// server: 201/200 → sent (kept, with the server's indicators), 422 → rejected with the
// per-field messages, 409 → conflict, 412 → latest version reloaded. Network failures and
// 5xx retry with exponential backoff; 401 stops and asks for a new login, keeping the queue.
import { api } from "./api.js";
import { allRecords, putRecord, kvSet } from "./store.js";

const BASE_DELAY_MS = 2000, MAX_DELAY_MS = 10 * 60 * 1000;
let running = null, timer = null;
export const listeners = new Set();
const notify = (info) => listeners.forEach((fn) => fn(info));

export function syncNow({ force = false } = {}) {
  running ??= drain(force).finally(() => { running = null; });
  return running;
}

async function drain(force) {
  const now = Date.now();
  let next = Infinity;
  for (const rec of await allRecords()) {
    if (rec.state !== "waiting") continue;
    if (!force && rec.next_at && rec.next_at > now) { next = Math.min(next, rec.next_at); continue; }
    const outcome = await sendOne(rec);
    if (outcome === "auth") { notify({ auth: true }); return; }
    if (rec.state === "waiting") next = Math.min(next, rec.next_at);
    notify({ record: rec });
  }
  clearTimeout(timer);
  if (next < Infinity) timer = setTimeout(() => syncNow(), Math.max(next - Date.now(), 500));
  notify({ done: true });
}

async function sendOne(rec) {
  let res;
  try {
    res = rec.household_id
      ? await api("PUT", `/api/v1/households/${rec.household_id}`, { body: rec.body, headers: { "If-Match": rec.etag } })
      : await api("POST", "/api/v1/households", { body: rec.body });
  } catch {
    return retryLater(rec, "ไม่มีสัญญาณอินเทอร์เน็ต");
  }
  const { status, data } = res;
  rec.last_status = status;
  rec.error_code = data?.error_code || null;
  if (status === 200 || status === 201) {
    Object.assign(rec, { state: "sent", server: data, errors: null, sent_at: new Date().toISOString(),
      etag: res.etag || rec.etag });
  } else if (status === 401) {
    await kvSet("auth_expired", data?.error_code || "UNAUTHENTICATED");
    return "auth";
  } else if (status === 422) {
    Object.assign(rec, { state: "rejected", errors: data?.errors || {}, message: data?.message });
  } else if (status === 409) {
    Object.assign(rec, { state: "conflict", errors: data?.errors || {}, message: data?.message });
  } else if (status === 412 && rec.household_id) {
    const latest = await api("GET", `/api/v1/households/${rec.household_id}`).catch(() => null);
    if (latest?.status === 200) { rec.etag = latest.etag; rec.server = latest.data; }
    Object.assign(rec, { state: "conflict", errors: { _: [{ error_code: "STALE", message: "ข้อมูลบนเซิร์ฟเวอร์ถูกแก้ไขแล้ว โหลดฉบับล่าสุดแล้ว ตรวจสอบแล้วส่งใหม่" }] } });
  } else if (status >= 500 || status === 429 || status === 0) {
    return retryLater(rec, `เซิร์ฟเวอร์ตอบ ${status}`);
  } else {
    Object.assign(rec, { state: "rejected", errors: data?.errors || { _: [{ message: data?.message || `HTTP ${status}` }] } });
  }
  await putRecord(rec);
  return rec.state;
}

async function retryLater(rec, why) {
  rec.attempts = (rec.attempts || 0) + 1;
  rec.next_at = Date.now() + Math.min(BASE_DELAY_MS * 2 ** (rec.attempts - 1), MAX_DELAY_MS);
  rec.retry_reason = why;
  await putRecord(rec);
  return "retry";
}

// A record the enumerator fixed or resolved goes back into the queue with a fresh backoff.
export async function requeue(rec) {
  Object.assign(rec, { state: "waiting", attempts: 0, next_at: 0 });
  await putRecord(rec);
  return syncNow({ force: true });
}
