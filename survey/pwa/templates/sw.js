// Service worker of the enumerator app: the shell is served cache-first so the app opens
// with no network; data lives in IndexedDB (the app's job), never in this cache. The one
// exception is the questionnaire, which is part of the app rather than data: it is
// precached with the shell (its version is in this file's), and a request for it at its
// API address is answered from that copy, so opening the app downloads it once per deploy.
const CACHE = "bmn-collect-{{ version }}";
const SHELL = {{ urls | tojson }};
const QUESTIONNAIRES = {{ questionnaires | tojson }}; // API path → precached copy

// On the first install the page has just downloaded most of the shell: those copies are
// taken from the browser's HTTP cache instead of asking the server again (on a slow link each
// question is a round trip, and they would hold up the sign-in's requests). An update asks
// as usual, so no copy from an older deploy slips into the new version.
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const first = !(await caches.keys()).some((k) => k.startsWith("bmn-collect-"));
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: first ? "force-cache" : "default" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("bmn-collect-") && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  const copy = QUESTIONNAIRES[url.pathname];
  if (copy) {
    event.respondWith(caches.match(copy, { ignoreVary: true }).then((hit) => hit || fetch(req)));
    return;
  }
  if (url.pathname.startsWith("/api/")) return;
  const key = req.mode === "navigate" && url.pathname.startsWith("/collect") ? "/collect/" : req;
  event.respondWith(caches.match(key, { ignoreSearch: true, ignoreVary: true }).then((hit) => hit || fetch(req)));
});
