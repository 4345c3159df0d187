// Calls to the project's own server with the device's bearer token.
import { kvGet } from "./store.js";

export class AuthError extends Error {}

export async function api(method, path, { body, headers = {}, token } = {}) {
  token ??= (await kvGet("auth"))?.token;
  const res = await fetch(path, {
    method, cache: "no-store",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch { /* empty body */ }
  return { status: res.status, data, etag: res.headers.get("ETag") };
}
