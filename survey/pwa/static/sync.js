// The outbox: send every "waiting" record in the background, new ones in batches of up to 20
// (POST /households:batch, each item idempotent by client_uuid), returned ones by PUT with
// If-Match. A record leaves "waiting" only on an answer from the server: 201/200 → sent
// (kept, with the server's results and warnings), 422 → rejected with the per-field
// messages, 409 → conflict, 412 → latest version reloaded. No answer (offline, timeout) and
// 5xx/429 retry with exponential backoff and a visible countdown; 401 stops and asks for a
// new sign-in, keeping the queue. Discarded records wait in the trash until the next
// successful send, then are deleted.
import { api, NetworkError, TIMEOUT_MS } from "./api.js";
import { allRecords, deleteRecord, kvSet, putRecord } from "./store.js";

const BASE_DELAY_MS = 2000, MAX_DELAY_MS = 5 * 60 * 1000;
let running = null, timer = null;
export const listeners = new Set();
// What the header shows: the last exchange with the server and when the next try is due.
export const status = { net: null, next_at: null, sending: false };
const notify = (info) => listeners.forEach((fn) => fn(info));

export function syncNow({ force = false } = {}) {
  running ??= drain(force).finally(() => { running = null; });
  return running;
}

const BATCH = 20; // new households per request: about 160 KB on a slow uplink
const PER_ITEM_MS = 2000; // a batch may take longer than one request, not forever

async function drain(force) {
  const now = Date.now();
  let sent = 0;
  status.sending = true; notify({ status });
  const due = (await allRecords()).filter((r) => r.state === "waiting" && (force || !r.next_at || r.next_at <= now));
  // new households go by batch, corrections (PUT with If-Match) one by one
  const groups = [...chunks(due.filter((r) => !r.household_id), BATCH), ...due.filter((r) => r.household_id).map((r) => [r])];
  for (const [i, group] of groups.entries()) {
    const outcomes = await (group[0].household_id ? sendOne(group[0]) : sendBatch(group));
    if (outcomes.includes("auth")) { status.sending = false; notify({ auth: true }); return; }
    sent += outcomes.filter((o) => o === "sent").length;
    notify({ records: true });
    if (outcomes.includes("retry")) { // no answer: the rest waits for the same countdown
      await Promise.all(groups.slice(i + 1).flat().map((r) => putRecord(Object.assign(r, { next_at: group[0].next_at, retry_reason: group[0].retry_reason }))));
      break;
    }
  }
  if (sent) await emptyTrash();
  const waiting = (await allRecords()).filter((r) => r.state === "waiting");
  const next = waiting.length ? Math.min(...waiting.map((r) => r.next_at || Date.now())) : null;
  clearTimeout(timer);
  status.next_at = next;
  if (next) timer = setTimeout(() => syncNow(), Math.max(next - Date.now(), 500));
  status.sending = false;
  notify({ done: true, sent, status });
}

const chunks = (list, n) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));

async function emptyTrash() {
  for (const rec of await allRecords()) if (rec.state === "trash") await deleteRecord(rec.client_uuid);
}

// Up to BATCH new households in one request; each item is answered as a single POST would be.
async function sendBatch(recs) {
  let res;
  try {
    res = await api("POST", "/api/v1/households:batch", { body: { items: recs.map((r) => r.body) },
      timeout: TIMEOUT_MS + PER_ITEM_MS * recs.length });
  } catch (e) {
    return Promise.all(recs.map((r) => retryLater(r, e instanceof NetworkError ? e.kind : "unreachable")));
  }
  if (res.status !== 200) return Promise.all(recs.map((r) => answered(r, res.status, res.data, res.etag)));
  return Promise.all(res.data.results.map((item) => answered(recs[item.index], item.status,
    item.household ?? item.error, item.household?.etag)));
}

async function sendOne(rec) {
  let res;
  try {
    res = await api("PUT", `/api/v1/households/${rec.household_id}`, { body: rec.body, headers: { "If-Match": rec.etag } });
  } catch (e) {
    return [await retryLater(rec, e instanceof NetworkError ? e.kind : "unreachable")];
  }
  return [await answered(rec, res.status, res.data, res.etag)];
}

// What the server's answer about one record means for it (the same for a batch item).
async function answered(rec, code, data, etag) {
  status.net = code >= 500 ? "server" : "ok";
  rec.last_status = code;
  if (code === 200 || code === 201) {
    Object.assign(rec, { state: "sent", server: data, errors: null, sent_at: new Date().toISOString(),
      etag: etag || rec.etag, household_id: data?.id || rec.household_id, retry_reason: null, next_at: null });
  } else if (code === 401) {
    await kvSet("auth_expired", data?.error_code || "UNAUTHENTICATED");
    return "auth";
  } else if (code === 412 && rec.household_id) {
    const latest = await api("GET", `/api/v1/households/${rec.household_id}`).catch(() => null);
    if (latest?.status === 200) { rec.etag = latest.etag; rec.server = latest.data; }
    Object.assign(rec, { state: "conflict", errors: { _: [{ error_code: "STALE", message: "ข้อมูลบนเซิร์ฟเวอร์ถูกแก้ไขแล้ว โหลดฉบับล่าสุดแล้ว ตรวจสอบแล้วส่งใหม่" }] } });
  } else if (code >= 500 || code === 429) {
    return retryLater(rec, "server");
  } else {
    Object.assign(rec, { state: code === 409 ? "conflict" : "rejected",
      errors: data?.errors || { _: [{ message: data?.message_th || "เซิร์ฟเวอร์ไม่รับข้อมูลนี้" }] }, message: data?.message_th });
  }
  await putRecord(rec);
  return rec.state;
}

async function retryLater(rec, why) {
  status.net = why;
  rec.attempts = (rec.attempts || 0) + 1;
  rec.next_at = Date.now() + Math.min(BASE_DELAY_MS * 2 ** (rec.attempts - 1), MAX_DELAY_MS);
  rec.retry_reason = why;
  await putRecord(rec);
  return "retry";
}

// A record the enumerator finished, fixed or resolved goes (back) into the queue with a fresh
// backoff; sending starts in the background and the caller never waits for the network.
export async function requeue(rec) {
  Object.assign(rec, { state: "waiting", attempts: 0, next_at: 0, retry_reason: null });
  await putRecord(rec);
  syncNow({ force: true }).catch(() => {});
}

// "Send now": every waiting record is due at once.
export async function sendAllNow() {
  for (const rec of await allRecords()) {
    if (rec.state === "waiting" && rec.next_at) { rec.next_at = 0; await putRecord(rec); }
  }
  return syncNow({ force: true });
}
