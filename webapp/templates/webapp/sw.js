// The web app's service worker (docs/offline.md): the app's shell — its pages, script,
// stylesheet, manifest and icon — cached under this release's version, so a reload with
// no network still opens the app. The API and the sockets are never touched here: the
// app keeps its last snapshot and its queue of writes in IndexedDB itself.
const VERSION = "{{ version }}";
const SHELL = {{ shell|safe }};
const CACHE = `cafe-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  // A new release (another version: other hashed names) fills its own cache, then takes over.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // The old releases' caches go.
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key.startsWith("cafe-shell-") && key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/app/")) {
    // A page: the server's (always fresh: no-store) while it answers, else this release's copy.
    event.respondWith(fetch(request).catch(() => caches.open(CACHE)
      .then((cache) => cache.match(url.pathname).then((page) => page || cache.match("/app/")))));
    return;
  }
  if (SHELL.includes(url.pathname + url.search)) {
    // A file of this release (a hashed name, or ?v=<content hash>): never changes, the cache first.
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request))));
  }
  // Anything else (the API): the network, untouched.
});
