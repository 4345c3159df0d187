// Service worker of the enumerator app: the shell is served cache-first so the app opens
// with no network; data lives in IndexedDB (the app's job), never in this cache.
const CACHE = "bmn-collect-{{ version }}";
const SHELL = {{ urls | tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
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
  if (req.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = req.mode === "navigate" && url.pathname.startsWith("/collect") ? "/collect/" : req;
  event.respondWith(caches.match(key, { ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
