// The questionnaire a round uses, kept on the phone by version and ETag, so that opening the
// app does not download its 200 KB again: it comes down once per deploy.
//
// It is read from /collect/questionnaires/{version}.json, the copy the service worker
// precaches with the app (same document and ETag as GET /api/v1/questionnaires/{version}):
// - with the worker in control, the worker answers from its cache: nothing is downloaded;
// - on the very first open the worker may still be installing: both ask for the same
//   address through the browser's HTTP cache, so the document comes down once;
// - without a worker (plain HTTP on a local network), the stored ETag goes out as
//   If-None-Match and an unchanged questionnaire costs a 304.
// The last copy is kept in IndexedDB ("questionnaire:{version}" → { version, etag, data })
// for starting offline.
import { kvGet, kvSet } from "./store.js";

const TIMEOUT_MS = 30000;
const key = (version) => `questionnaire:${version}`;

export const questionnaireUrl = (version) => `/collect/questionnaires/${encodeURIComponent(version)}.json`;

// The stored copy of `version` (no network), or null: for starting offline.
export async function cachedQuestionnaire(version) {
  return (await kvGet(key(version)))?.data ?? null;
}

// The questionnaire `version` (the object GET /api/v1/questionnaires/{version} returns), or
// null when the phone has no copy and cannot get one. Never throws: offline, a timeout or a
// server error give the stored copy. `options.token` is accepted and not needed (the
// document needs no sign-in, so the worker can precache it before the first sign-in).
export async function loadQuestionnaire(version, options = {}) {
  const stored = await kvGet(key(version));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeout ?? TIMEOUT_MS);
  try {
    const res = await fetch(questionnaireUrl(version), {
      signal: abort.signal, headers: stored?.etag ? { "If-None-Match": stored.etag } : {} });
    const etag = res.headers.get("ETag");
    if (res.status === 200 && stored && etag === stored.etag) return stored.data; // the worker's copy
    if (res.status === 200) {
      const data = await res.json();
      await kvSet(key(version), { version, etag, data });
      return data;
    }
    return stored?.data ?? null; // 304, or an error: keep what the phone has
  } catch {
    return stored?.data ?? null; // offline or timed out
  } finally {
    clearTimeout(timer);
  }
}
