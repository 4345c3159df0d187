// Calls to the project's own server with the device's bearer token. Every call has a
// timeout, so a stalled server never freezes a screen; a call that gets no answer throws
// NetworkError telling "no internet" (the phone is offline) from "server not answering".
import { kvGet } from "./store.js";

export const TIMEOUT_MS = 15000;

export class NetworkError extends Error {
  constructor(kind) { super(kind); this.kind = kind; } // "offline" | "timeout" | "unreachable"
}

export const NET_TH = { offline: "ไม่มีสัญญาณอินเทอร์เน็ต", timeout: "เซิร์ฟเวอร์ไม่ตอบ (หมดเวลารอ)",
  unreachable: "ติดต่อเซิร์ฟเวอร์ไม่ได้", server: "เซิร์ฟเวอร์ขัดข้องชั่วคราว" };

export async function api(method, path, { body, headers = {}, token, timeout = TIMEOUT_MS } = {}) {
  token ??= (await kvGet("auth"))?.token;
  if (!navigator.onLine) throw new NetworkError("offline");
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let res, data = null;
  try {
    res = await fetch(path, {
      method, cache: "no-store", signal: abort.signal,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    try { data = await res.json(); } catch { /* empty body */ }
  } catch {
    throw new NetworkError(abort.signal.aborted ? "timeout" : navigator.onLine ? "unreachable" : "offline");
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, data, etag: res.headers.get("ETag"), headers: res.headers };
}
