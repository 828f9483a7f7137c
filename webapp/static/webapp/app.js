// The cafe's web app: plain ES module, no dependencies, no build step.
// It talks to the public API like any device: REST with an access token kept in
// memory (the refresh token is an HttpOnly cookie the script never sees), and
// ws/cafe/<stream>/ sockets resumed with `since`. See docs/web.md.
import { device } from "./device.js"; // shared tablets: device credential, PIN sessions, time clock (docs/devices.md)

const TEXT = {
  ru: {
    email: "Эл. почта", password: "Пароль", login: "Войти", logout: "Выйти", floor: "Зал", kitchen: "Кухня",
    till: "Касса", pickup: "Выдача", allBranches: "Все филиалы", branch: "Филиал", live: "онлайн",
    reconnecting: "переподключение…", offline: "нет связи", guests: "Гостей", openOrder: "Открыть заказ",
    takeaway: "С собой", search: "Поиск", add: "Добавить", pay: "Оплатить", cash: "Наличные", card: "Карта", transfer: "Перевод",
    tip: "Чаевые", change: "Сдача", cancelOrder: "Отменить заказ", void: "Удалить", reason: "Причина",
    fire: "Подать курс", course: "Курс", hold: "Придержать", note: "Комментарий", move: "Пересадить",
    discount: "Скидка", total: "Итого", due: "К оплате", paid: "Оплачено", left: "осталось", close: "Закрыть",
    feed: "События", min: "мин", pickupNumber: "Номер выдачи", claim: "Взять", ready: "Готово", undo: "Вернуть",
    served: "Выдано", held: "придержано", mute: "Звук выкл.", unmute: "Звук вкл.", preparing: "Готовится",
    readyToCollect: "Готово — заберите", openShift: "Открыть смену", float: "Размен", cashIn: "Внесение",
    cashOut: "Изъятие", closeShift: "Закрыть смену", counted: "Посчитано наличных", xReport: "X-отчёт",
    zReport: "Z-отчёт", daily: "Отчёт за день", csv: "CSV", noShift: "Смена не открыта", amount: "Сумма",
    newToken: "Новый токен экрана", revoke: "Отозвать", label: "Подпись", revokedBoard: "Экран отключён",
    table: "Стол", order: "Заказ", language: "Язык", noTasks: "Нет задач", percent: "Процент",
    networkError: "Нет связи с сервером", retry: "Повторить", byMethod: "Продажи по способу оплаты",
    split: "Разделить", merge: "Объединить", toServe: "Готово к подаче", halls: "Залы", noHall: "Без зала",
    booking: "Бронь", required: "обязательно", optional: "по желанию", upTo: "до", cancel: "Отмена", here: "сюда",
    pickLines: "Отметьте строки для нового счёта", refund: "Возврат", refunds: "Возвраты", byHour: "Продажи по часам",
    method: "Способ", everything: "всё", kg: "кг", grams: "Вес, г", weigh: "Взвесить",
    badGrams: "Вес — целое число граммов от 1 до 50000",
  },
  en: {
    email: "Email", password: "Password", login: "Log in", logout: "Log out", floor: "Floor", kitchen: "Kitchen",
    till: "Till", pickup: "Pickup", allBranches: "All branches", branch: "Branch", live: "live",
    reconnecting: "reconnecting…", offline: "offline", guests: "Guests", openOrder: "Open order",
    takeaway: "Takeaway", search: "Search", add: "Add", pay: "Pay", cash: "Cash", card: "Card", transfer: "Transfer", tip: "Tip",
    change: "Change", cancelOrder: "Cancel order", void: "Void", reason: "Reason", fire: "Fire course",
    course: "Course", hold: "Hold", note: "Note", move: "Move", discount: "Discount", total: "Total", due: "Due",
    paid: "Paid", left: "left", close: "Close", feed: "Events", min: "min", pickupNumber: "Pickup number",
    claim: "Claim", ready: "Ready", undo: "Undo", served: "Served", held: "held", mute: "Sound off",
    unmute: "Sound on", preparing: "Preparing", readyToCollect: "Ready to collect", openShift: "Open shift",
    float: "Float", cashIn: "Cash in", cashOut: "Cash out", closeShift: "Close shift", counted: "Counted cash",
    xReport: "X report", zReport: "Z report", daily: "Daily report", csv: "CSV", noShift: "No open shift",
    amount: "Amount", newToken: "New display token", revoke: "Revoke", label: "Label",
    revokedBoard: "This screen was switched off", table: "Table", order: "Order", language: "Language",
    noTasks: "No tasks", percent: "Percent", networkError: "Cannot reach the server", retry: "Retry",
    byMethod: "Sales by payment method", split: "Split", merge: "Merge", toServe: "Ready to serve", halls: "Halls",
    noHall: "No hall", booking: "Booked", required: "required", optional: "optional", upTo: "up to", cancel: "Cancel",
    here: "here", pickLines: "Tick the lines for the new bill", refund: "Refund", refunds: "Refunds",
    byHour: "Sales by hour", method: "Method", everything: "everything", kg: "kg", grams: "Weight, g", weigh: "Weigh",
    badGrams: "The weight is a whole number of grams from 1 to 50000",
  },
};

const state = {
  lang: localStorage.getItem("cafe.lang") || document.body.dataset.language || "ru",
  access: null, accessExp: 0, user: null, branch: localStorage.getItem("cafe.branch") || "", branches: [],
  view: document.body.dataset.view || "floor", sockets: [], refreshTimer: null,
};
const t = (key) => TEXT[state.lang][key] || TEXT.en[key] || key;

// ---------- DOM helpers ----------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value); // CSSOM: allowed by the CSP, a style="" is not
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const $ = (selector, root = document) => root.querySelector(selector);
const app = () => $("#app");

function toast(message, kind = "error") {
  const box = $("#toasts") || document.body.appendChild(h("div", { id: "toasts", role: "alert" }));
  const item = h("div", { class: `toast ${kind}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

// ---------- API ----------
function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.split("=")[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(ApiError.words(body, status));
    this.status = status;
    this.body = body;
  }

  // The API's own message, already in the user's language (Accept-Language).
  static words(body, status) {
    // DRF errors nest (items → 0 → menu_item → [message]): every message, once.
    const messages = [];
    const walk = (value) => {
      if (value === null || value === undefined) return;
      if (typeof value !== "object") messages.push(String(value));
      else if (Array.isArray(value)) value.forEach(walk);
      else if ("detail" in value) walk(value.detail);
      else Object.values(value).forEach(walk);
    };
    walk(body);
    return messages.length ? [...new Set(messages)].join(" ") : `HTTP ${status}`;
  }
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

async function request(method, path, body, { key, auth = true, retried = false, raw = false } = {}) {
  const headers = { "Accept-Language": state.lang, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && state.access) headers.Authorization = `Bearer ${state.access}`;
  if (key) headers["Idempotency-Key"] = key;
  if (path.startsWith("/api/users/web/")) headers["X-CSRFToken"] = cookie("csrftoken");
  device.sign(path, headers);
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin",
    });
  } catch (error) {
    // The answer was lost: a write is retried once with the same key, so it never doubles.
    if (key && !retried) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return request(method, path, body, { key, auth, retried: true, raw });
    }
    throw new ApiError(0, { detail: t("networkError") });
  }
  if (response.status === 401 && auth && !retried && state.user) {
    if (await refresh()) return request(method, path, body, { key, auth, retried: true, raw });
    showLogin();
  }
  if (raw && response.ok) return response;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text.slice(0, 200) }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// ---------- offline: offline.js (the queue, the snapshot, the service worker; docs/offline.md) ----------
const offlineModule = await import(document.body.dataset.offline);
for (const lang of Object.keys(TEXT)) Object.assign(TEXT[lang], offlineModule.TEXT[lang]);
const offline = offlineModule.installOffline({ request, t, h, state, refresh: () => refresh() });
window.cafeOffline = offline; // the browser tests read its queue

export const api = {
  get: (path) => request("GET", path),
  // Every write carries an Idempotency-Key; offline (or when the answer is lost) it is queued with it.
  post: (path, body = {}) => offline.write("POST", path, body, newKey()),
  patch: (path, body = {}) => offline.write("PATCH", path, body, newKey()),
  delete: (path) => offline.write("DELETE", path, undefined, newKey()),
};

// A view's first load: retried (1 s, 2 s, … 10 s apart) until it succeeds while the view is shown,
// so a failed request never leaves a screen empty behind a "live" badge.
async function loaded(load, view) {
  for (let wait = 1000; ; wait = Math.min(10_000, wait * 2)) {
    try { return await load(); } catch (error) {
      toast(error.message || String(error));
      console.warn("load failed", error);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (!view.isConnected) return null;
  }
}

async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof offline.Queued) return null; // queued: shown as pending (offline.js)
    toast(error.message || String(error));
    return null;
  }
}

// A read the server may not offer (an older server: 404) or this role may not make: null, never an error.
async function optional(path) {
  try { return await api.get(path); } catch { return null; }
}

// Today in the branch's own time zone (its business day's date), else the browser's.
const zones = new Map();
async function today() {
  const branchId = state.user?.branch_id || state.branch;
  if (branchId && !zones.has(branchId)) {
    const branch = await optional(`/api/users/branches/${branchId}/`);
    zones.set(branchId, branch?.timezone || undefined);
  }
  const timeZone = branchId ? zones.get(branchId) : undefined;
  return new Intl.DateTimeFormat("en-CA", timeZone ? { timeZone } : {}).format(new Date());
}

function withBranch(path) {
  if (!state.branch) return path;
  return `${path}${path.includes("?") ? "&" : "?"}branch=${state.branch}`;
}

// ---------- session ----------
function tokenExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp * 1000;
  } catch { return Date.now() + 60_000; }
}

function setAccess(token) {
  state.access = token;
  state.accessExp = tokenExpiry(token);
  clearTimeout(state.refreshTimer);
  // Refresh before it expires: at 80% of what is left, at least 5 s from now.
  const wait = Math.max(5_000, (state.accessExp - Date.now()) * 0.8);
  state.refreshTimer = setTimeout(refresh, wait);
}

let refreshing = null;
async function refresh() {
  if (device.session) return device.lost(); // a PIN session has no refresh token: back to the PIN screen
  if (!refreshing) {
    refreshing = request("POST", "/api/users/web/refresh/", {}, { auth: false })
      .then((data) => { setAccess(data.access); return true; })
      .catch(() => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function login(email, password) {
  const data = await request("POST", "/api/users/web/login/", { email, password }, { auth: false });
  setAccess(data.access);
  state.user = data.user;
}

async function logout() {
  stopSockets();
  clearTimeout(state.refreshTimer);
  await request("POST", "/api/users/web/logout/", {}, { auth: false }).catch(() => null);
  await offline.forget();
  state.access = null;
  state.user = null;
  showLogin();
}

// ---------- live sockets ----------
const connection = { states: new Map() };

function renderConnection() {
  const badge = $("#connection");
  if (!badge) return;
  const values = [...connection.states.values()];
  let status = "live";
  // Not live until the view has its data and its sockets have joined.
  if (connection.loading) status = "connecting";
  if (!navigator.onLine || values.includes("offline")) status = "offline";
  else if (values.includes("reconnecting") || values.includes("connecting")) status = "reconnecting";
  badge.dataset.state = status;
  badge.textContent = t(status === "connecting" ? "reconnecting" : status);
}
window.addEventListener("online", () => { renderConnection(); state.sockets.forEach((socket) => socket.wake()); });
window.addEventListener("offline", () => { state.sockets.forEach((socket) => socket.drop()); renderConnection(); });

// ---------- measurements (read by the browser tests: docs/web.md, "Measurements") ----------
// `cafe:ready` marks the first view drawn with its data; each socket event records
// when its message arrived, when its handler had updated the DOM and the next frame.
const metrics = {
  events: [],
  ready(view) {
    document.body.dataset.ready = view;
    if (!performance.getEntriesByName("cafe:ready").length) performance.mark("cafe:ready", { detail: view });
  },
  event(type, received) {
    const entry = { type, received, drawn: performance.now(), painted: null };
    this.events.push(entry);
    if (this.events.length > 500) this.events.shift();
    requestAnimationFrame(() => { entry.painted = performance.now(); });
  },
};
window.cafeMetrics = metrics;

export class LiveStream {
  // One socket that always comes back: reconnects by itself with `since`,
  // asks for a REST reload on `resync_required`, reports its state.
  constructor(stream, { onEvent, onResync, params = {} }) {
    this.stream = stream;
    this.onEvent = onEvent;
    this.onResync = onResync;
    this.params = params;
    this.seq = null;
    this.failures = 0;
    this.closed = false;
    this.id = `${stream}-${Math.random()}`;
    this.connect();
  }

  setState(value) {
    connection.states.set(this.id, value);
    renderConnection();
  }

  url() {
    const query = new URLSearchParams({ token: state.access || "", lang: state.lang, ...this.params, ...device.socketParams() });
    if (state.branch) query.set("branch_id", state.branch);
    if (this.seq !== null) query.set("since", String(this.seq));
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/ws/cafe/${this.stream}/?${query}`;
  }

  connect() {
    clearTimeout(this.timer);
    this.setState(this.failures ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = (message) => {
      const received = performance.now();
      this.receive(JSON.parse(message.data), received);
    };
    socket.onclose = (event) => { if (socket === this.socket) this.closedWith(event.code); };
  }

  // The browser went offline: the socket is as good as dead, so it is closed now
  // (not whenever TCP notices); back online, it reconnects at once with `since`.
  drop() {
    if (this.closed || !this.socket) return;
    const socket = this.socket;
    this.socket = null;
    socket.onmessage = null;
    socket.close();
    this.failures += 1;
    this.setState("offline");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), 5_000); // in case "online" never comes
  }

  wake() {
    if (this.closed) return;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.connect();
  }

  receive(message, received = performance.now()) {
    if (message.type === "connection_established") {
      this.failures = 0;
      this.setState("live");
      if (this.seq === null) this.seq = message.seq;
      return;
    }
    if (message.type === "resync_required") {
      this.seq = message.seq;
      this.onResync?.();
      return;
    }
    if (typeof message.seq === "number") {
      if (this.seq !== null && message.seq <= this.seq) return; // seen already (a resume replays)
      this.seq = message.seq;
    }
    if (message.type !== "pong" && message.type !== "error") {
      this.onEvent?.(message);
      metrics.event(message.type, received);
    }
  }

  async closedWith(code) {
    if (this.closed) return;
    this.failures += 1;
    this.setState(this.failures > 8 ? "offline" : "reconnecting");
    if (code === 4003) await refresh(); // an expired access token: a fresh one, then back
    const delay = Math.min(5_000, 250 * 2 ** Math.min(this.failures, 5));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { if (!this.closed) this.connect(); }, delay);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    connection.states.delete(this.id);
    this.socket?.close();
  }
}

function stopSockets() {
  for (const socket of state.sockets) socket.close();
  state.sockets = [];
  connection.states.clear();
}

// A view opens its sockets before its first load, so nothing between the load's reads and
// the sockets' joining is lost: their events wait until the load is applied, then apply in order.
function buffered(handler) {
  let queue = [];
  const wrapped = (message) => { if (queue) queue.push(message); else handler(message); };
  wrapped.release = () => { const pending = queue || []; queue = null; pending.forEach(handler); };
  return wrapped;
}

// An older copy than the one shown (a queued event behind a fresher load) changes nothing.
// An order's updated_at as [milliseconds, microseconds]: ISO 8601 with any offset and precision.
const instant = (text) => [Date.parse(text), Number((/\.(\d+)/.exec(text)?.[1] ?? "").padEnd(6, "0").slice(3, 6))];
const older = (incoming, known) => {
  if (!known?.updated_at || !incoming?.updated_at) return false;
  const [a, b] = [instant(incoming.updated_at), instant(known.updated_at)];
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
};

function live(stream, handlers) {
  const socket = new LiveStream(stream, handlers);
  state.sockets.push(socket);
  return socket;
}

// ---------- shell ----------
function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("cafe.lang", lang);
  document.documentElement.lang = lang;
}

function langSelect() {
  return h("label", { class: "lang" }, t("language"), " ",
    h("select", {
      "aria-label": t("language"),
      onchange: (event) => { setLang(event.target.value); state.user ? start() : showLogin(); },
    },
    ...["ru", "en"].map((code) => h("option", { value: code, selected: code === state.lang }, code.toUpperCase()))));
}

function showLogin(message) {
  stopSockets();
  if (device.showStart(message)) return; // a registered tablet starts with its list of names and a PIN
  const form = h("form", {
    class: "login card",
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      try {
        await login(data.get("email"), data.get("password"));
        await start();
      } catch (error) {
        $(".login-error", form).textContent = error.message;
      }
    },
  },
  h("h1", {}, "Cafe"),
  h("label", {}, t("email"), h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
  h("label", {}, t("password"),
    h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
  h("button", { type: "submit" }, t("login")),
  h("p", { class: "login-error", role: "alert" }, message || ""),
  langSelect());
  app().replaceChildren(h("main", { class: "center" }, form));
  metrics.ready("login");
}

const VIEW_ROLES = {
  floor: ["owner", "admin", "manager", "waiter", "cashier"],
  kitchen: ["owner", "admin", "manager", "cook"],
  till: ["owner", "admin", "manager", "cashier"],
  pickup: ["owner", "admin", "manager"],
};

function navigate(view) {
  history.pushState({}, "", view === "floor" ? "/app/" : `/app/${view}/`);
  state.view = view;
  start();
}
window.addEventListener("popstate", () => {
  const parts = location.pathname.split("/").filter(Boolean);
  state.view = parts[1] || "floor";
  start();
});

function header() {
  const role = state.user?.role;
  const nav = h("nav", { "aria-label": "views" },
    ...Object.keys(VIEW_ROLES).filter((view) => VIEW_ROLES[view].includes(role)).map((view) =>
      h("button", {
        class: view === state.view ? "active" : "", "aria-current": view === state.view ? "page" : false, dataset: { view },
        onclick: () => navigate(view),
      }, t(view))));
  const branchPicker = ["owner", "admin"].includes(role)
    ? h("label", {}, t("branch"), " ", h("select", {
      id: "branch", "aria-label": t("branch"),
      onchange: (event) => { state.branch = event.target.value; localStorage.setItem("cafe.branch", state.branch); start(); },
    },
    h("option", { value: "" }, t("allBranches")),
    ...state.branches.map((branch) => h("option", { value: branch.id, selected: branch.id === state.branch }, branch.name))))
    : null;
  return h("header", { class: "bar" },
    nav, branchPicker,
    h("span", { id: "connection", role: "status", "aria-live": "polite", dataset: { state: "connecting" } }, t("reconnecting")),
    offline.badge,
    h("span", { class: "who" }, state.user?.email || ""),
    langSelect(),
    h("button", { onclick: logout }, t("logout")));
}

async function start() {
  stopSockets();
  if (!state.user) {
    state.user = await api.get("/api/users/me/");
  }
  offline.remember(state.user);
  if (["owner", "admin"].includes(state.user.role) && !state.branches.length) {
    state.branches = (await api.get("/api/users/branches/?limit=100")).results;
  }
  if (!VIEW_ROLES[state.view]?.includes(state.user.role) || !device.allows(state.view)) {
    state.view = Object.keys(VIEW_ROLES).find((view) => VIEW_ROLES[view].includes(state.user.role) && device.allows(view)) || "floor";
  }
  const main = h("main", { id: "view", class: `view-${state.view}` });
  app().replaceChildren(device.header(header()), main);
  connection.loading = true;
  renderConnection();
  try {
    await VIEWS[state.view](main);
  } finally {
    connection.loading = false;
    renderConnection();
  }
  metrics.ready(state.view);
}

// ---------- floor ----------
const minutesSince = (iso) => Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));

async function floorView(main) {
  const floor = {
    tables: [], orders: new Map(), menu: [], categories: [], selected: null, search: "", category: "", ready: new Map(),
    zones: null, zone: localStorage.getItem("cafe.zone") || "", bookings: null, splitting: new Set(),
  };
  const halls = h("div", { class: "halls", role: "tablist", "aria-label": t("halls") });
  const grid = h("section", { class: "tables", "aria-label": t("floor") });
  const panel = h("section", { class: "order-panel", "aria-label": t("order") });
  const feed = h("ol", { class: "feed", "aria-label": t("feed") });
  // Portions the kitchen made ready (kitchen_task_ready on the orders socket): to serve.
  const readyList = h("ul", { id: "ready-to-serve", class: "ready-list" });
  main.append(
    h("div", { class: "floor-tools" },
      h("button", { id: "takeaway", onclick: () => takeaway() }, t("takeaway"))),
    offline.problems,
    h("div", { class: "floor-body" }, h("div", { class: "plan-box" }, halls, grid), panel),
    h("aside", {}, h("h2", {}, t("toServe")), readyList, h("h2", {}, t("feed")), feed));

  // Orders as the server told them, with the device's queued actions on top (offline.js).
  const shown = () => offline.overlay(floor.orders, floor);
  Object.assign(offline.view, {
    menu: () => floor.menu, tableNumber: (id) => floor.tables.find((one) => one.id === id)?.number,
    freeTables: () => floor.tables.filter((one) => one.status === "free"), order: (id) => floor.orders.get(id),
  });

  async function load() {
    // One snapshot (GET snapshot/, or the last one kept when the server cannot be reached), then the rest.
    const day = await today();
    const branchId = state.user.branch_id || state.branch;
    const snap = branchId ? await offline.snapshot(branchId) : null;
    if (snap?.cached) toast(`${t("offlineCopy")} ${new Date(snap.cachedAt).toLocaleTimeString(state.lang)}`, "info");
    const [tables, orders, menu, categories, ready, zones, bookings] = await Promise.all([
      snap ? { results: snap.tables } : api.get(withBranch("/api/cafe/tables/?limit=500")),
      snap ? { results: snap.orders } : api.get(withBranch("/api/cafe/orders/?status=open&limit=500")),
      snap ? { results: snap.menu } : api.get(withBranch("/api/cafe/menu-items/?limit=500")),
      snap ? { results: snap.categories } : api.get("/api/cafe/categories/?limit=500"),
      snap ? { results: snap.tasks.filter((task) => task.status === "ready") }
        : api.get(withBranch("/api/cafe/kitchen/tasks/?status=ready&limit=500")),
      // The halls and the book, when the server has them (older servers answer 404: a grid, no bookings).
      optional(withBranch("/api/cafe/zones/?limit=100")),
      optional(withBranch(`/api/cafe/bookings/?date=${day}&status=booked&status=confirmed&limit=500`)),
    ]);
    floor.ready = new Map(ready.results.map((task) => [task.id, task]));
    drawReady();
    floor.zones = zones ? [...zones.results].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name)) : null;
    floor.bookings = bookings ? bookings.results : null;
    floor.tables = tables.results;
    floor.orders = new Map(orders.results.map((order) => [order.id, order]));
    floor.menu = menu.results;
    floor.categories = categories.results;
    drawTables();
    drawPanel();
  }

  function openOrdersAt(tableId) {
    return [...shown().values()].filter((order) => order.table === tableId && order.status === "open");
  }

  function drawHalls() {
    const zones = floor.zones || [];
    const loose = floor.tables.some((table) => !table.zone || !zones.some((zone) => zone.id === table.zone));
    if (!zones.length) { halls.replaceChildren(); floor.zone = ""; return null; }
    if (floor.zone && !zones.some((zone) => zone.id === floor.zone)) floor.zone = "";
    if (!floor.zone && !loose) floor.zone = zones[0].id;
    const choose = (id) => { floor.zone = id; localStorage.setItem("cafe.zone", id); drawTables(); };
    const tabs = zones.map((zone) => [zone.id, zone.name]);
    if (loose) tabs.push(["", t("noHall")]);
    halls.replaceChildren(...tabs.map(([id, name]) => h("button", {
      role: "tab", "aria-selected": floor.zone === id ? "true" : "false", dataset: { zone: id }, onclick: () => choose(id),
    }, name)));
    return zones.find((zone) => zone.id === floor.zone) || null;
  }

  function upcoming(table) {
    // The table's next bookings today (booked or confirmed, not yet over), soonest first.
    const now = Date.now();
    return (floor.bookings || [])
      .filter((booking) => ["booked", "confirmed"].includes(booking.status)
        && (booking.tables || []).some((one) => one.id === table.id)
        && new Date(booking.end || booking.start).getTime() > now)
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  function drawTables() {
    const zone = drawHalls();
    const shown = floor.tables.filter((table) => (zone ? table.zone === zone.id
      : !table.zone || !(floor.zones || []).some((one) => one.id === table.zone)));
    grid.classList.toggle("planned", Boolean(zone));
    grid.style.aspectRatio = zone ? `${zone.width} / ${zone.height}` : "";
    grid.replaceChildren(...shown.sort((a, b) => a.number - b.number).map((table) => {
      const orders = openOrdersAt(table.id);
      const guests = orders.reduce((sum, order) => sum + order.guests, 0);
      const total = orders.reduce((sum, order) => sum + Number(order.money?.total ?? order.total), 0);
      const since = orders.length ? Math.max(...orders.map((order) => minutesSince(order.created_at))) : null;
      const ready = [...floor.ready.values()].filter((task) => orders.some((order) => order.id === task.order)).length;
      // On a hall's plan: placed and sized in percent of its canvas, so it scales with the screen.
      const style = zone ? {
        left: `${(100 * table.x) / zone.width}%`, top: `${(100 * table.y) / zone.height}%`,
        width: `${(100 * table.width) / zone.width}%`, height: `${(100 * table.height) / zone.height}%`,
        transform: table.rotation ? `rotate(${table.rotation}deg)` : "",
      } : false;
      const booked = upcoming(table);
      const next = booked[0];
      const at = next ? next.start.slice(11, 16) : ""; // the branch's own clock, as the API writes it
      return h("button", {
        class: `table ${table.status} ${table.shape || ""}${orders.some((one) => one.pending) ? " pending" : ""}`, style, dataset: { number: table.number, status: table.status, ready, booked: booked.length },
        "aria-label": `${t("table")} ${table.number}, ${table.status_display}${next ? `, ${t("booking")} ${at}` : ""}`,
        onclick: () => { floor.selected = { table: table.id }; floor.asking = null; floor.choosing = null; drawPanel(); },
      },
      h("strong", {}, table.number),
      h("span", { class: "status" }, table.status_display),
      orders.length ? h("span", {}, `${t("guests")}: ${guests}`) : null,
      orders.length ? h("span", { class: "money" }, total.toFixed(2)) : null,
      since !== null ? h("span", {}, `${since} ${t("min")}`) : null,
      ready ? h("span", { class: "ready-badge" }, `${t("ready")}: ${ready}`) : null,
      next ? h("span", { class: "booking", title: next.guest_name }, `${t("booking")} ${at} · ${next.guests}`) : null);
    }));
  }

  function drawReady() {
    const tasks = [...floor.ready.values()].sort((a, b) => (a.ready_at || "").localeCompare(b.ready_at || ""));
    readyList.replaceChildren(...tasks.map((task) => h("li", { dataset: { task: task.id } },
      h("span", {}, task.service === "takeaway" ? `#${task.pickup_number}` : `${t("table")} ${task.table_number}`,
        " · ", h("strong", {}, task.title), task.weight ? ` ${task.weight} ${t("kg")}` : ""),
      h("button", {
        "aria-label": `${t("served")}: ${task.title}`,
        onclick: () => attempt(async () => {
          await api.post(`/api/cafe/kitchen/tasks/${task.id}/served/`, {});
          floor.ready.delete(task.id);
          drawReady(); drawTables();
        }),
      }, t("served")))));
  }

  function selectedOrder() {
    if (!floor.selected) return null;
    if (floor.selected.order) return shown().get(offline.realId(floor.selected.order)) || shown().get(floor.selected.order) || null;
    return openOrdersAt(floor.selected.table)[0] || null;
  }

  function menuItems() {
    const search = floor.search.toLowerCase();
    return floor.menu.filter((item) => (!floor.category || item.category === floor.category)
      && (!search || item.title.toLowerCase().includes(search)));
  }

  function drawPanel() {
    const order = selectedOrder();
    panel.hidden = !floor.selected; // no order open: the floor takes the width
    if (!floor.selected) { panel.replaceChildren(); return; }
    if (!order) {
      const table = floor.tables.find((one) => one.id === floor.selected.table);
      const guests = h("input", { id: "guests", type: "number", min: 1, max: 1000, value: 2 });
      panel.replaceChildren(h("h2", {}, `${t("table")} ${table?.number ?? ""}`),
        h("label", {}, t("guests"), guests),
        h("button", {
          id: "open-order",
          onclick: () => attempt(async () => {
            const created = await api.post("/api/cafe/orders/", { table: floor.selected.table, guests: Number(guests.value), items: [] });
            floor.orders.set(created.id, created);
            floor.selected = { order: created.id };
            drawTables(); drawPanel();
          }),
        }, t("openOrder")));
      return;
    }
    const money = order.money || {};
    const title = order.service === "takeaway"
      ? `${t("pickupNumber")} ${order.pickup_number}` : `${t("table")} ${order.table_number}`;
    const note = h("input", { id: "line-note", placeholder: t("note"), maxlength: 200, "aria-label": t("note") });
    const course = h("input", { id: "line-course", type: "number", min: 1, max: 20, value: 1, "aria-label": t("course") });
    const hold = h("input", { id: "line-hold", type: "checkbox" });
    const search = h("input", {
      id: "menu-search", type: "search", placeholder: t("search"), "aria-label": t("search"), value: floor.search,
      oninput: (event) => { floor.search = event.target.value; drawMenu(); },
    });
    const menuBox = h("div", { class: "menu" });
    function drawMenu() {
      menuBox.replaceChildren(...menuItems().map((item) => {
        const out = !item.is_available || item.remaining === 0;
        const weighed = item.sold_by === "weight"; // its price is a kilogram's (docs/weighed.md)
        const price = weighed ? `${item.price} / ${t("kg")}` : item.price;
        return h("button", {
          class: `menu-item${out ? " stopped" : ""}`, disabled: out, dataset: { item: item.id, title: item.title },
          "aria-label": `${item.title} ${price}`,
          onclick: () => {
            const options = { note: note.value, course: Number(course.value), hold: hold.checked };
            // Sold by weight: the portion's grams first; then, as for any item, its modifier groups.
            if (weighed) { floor.choosing = null; ask("weigh", { item: item.id, options }); }
            else if (item.modifier_groups?.length) { floor.choosing = { item: item.id, picked: new Set(), options }; drawPanel(); }
            else addLine(order, item, options);
          },
        }, h("span", {}, item.title), h("span", { class: "money" }, price),
        item.remaining !== null && item.remaining !== undefined ? h("small", {}, `${item.remaining} ${t("left")}`) : null);
      }));
    }
    drawMenu();
    const lines = h("ul", { class: "lines" }, ...order.items.map((line) => h("li", { class: `${line.voided ? "voided" : ""}${line.pending ? " pending" : ""}`, dataset: { line: line.id } },
      line.voided ? null : h("input", {
        type: "checkbox", class: "split-pick", "aria-label": `${t("split")}: ${line.title}`, checked: floor.splitting.has(line.id),
        onchange: (event) => { if (event.target.checked) floor.splitting.add(line.id); else floor.splitting.delete(line.id); },
      }),
      h("span", {}, `${line.title}${line.modifiers?.length ? ` (${line.modifiers.map((m) => m.name || m.title).join(", ")})` : ""}`),
      line.weight ? h("span", { class: "weight" }, `${line.weight} ${t("kg")}`,
        line.price_per_kg ? h("small", {}, ` · ${line.price_per_kg} / ${t("kg")}`) : null) : null,
      line.note ? h("em", {}, line.note) : null,
      h("span", {}, `× ${line.quantity}`), h("span", { class: "money" }, line.total),
      line.voided ? h("small", {}, line.void_reason) : [
        h("button", { "aria-label": `- ${line.title}`, onclick: () => changeQuantity(order, line, -1) }, "−"),
        h("button", { "aria-label": `+ ${line.title}`, onclick: () => changeQuantity(order, line, 1) }, "+"),
        line.weight ? h("button", {
          class: "reweigh", "aria-label": `${t("weigh")}: ${line.title}`,
          onclick: () => ask("weigh", { line: line.id, values: { grams: String(Math.round(Number(line.weight) * 1000)) } }),
        }, "⚖") : null,
        h("button", { class: "void", "aria-label": `${t("void")}: ${line.title}`, onclick: () => voidLine(order, line) }, t("void")),
      ])));
    const cash = h("input", { id: "pay-cash", type: "number", min: 0, step: "0.01", "aria-label": t("cash") });
    const card = h("input", { id: "pay-card", type: "number", min: 0, step: "0.01", "aria-label": t("card") });
    const tip = h("input", { id: "pay-tip", type: "number", min: 0, step: "0.01", value: "", "aria-label": t("tip") });
    const categoryTabs = h("div", { class: "categories", role: "tablist" },
      h("button", { role: "tab", "aria-selected": !floor.category, onclick: () => { floor.category = ""; drawMenu(); } }, "*"),
      ...floor.categories.map((category) => h("button", {
        role: "tab", "aria-selected": floor.category === category.id,
        onclick: () => { floor.category = category.id; drawMenu(); },
      }, category.name)));
    // Other open orders of the table (a split, a second party): switch to one, or merge it into this one.
    const others = order.table ? openOrdersAt(order.table).filter((one) => one.id !== order.id) : [];
    const siblings = others.length ? h("div", { class: "order-tabs" },
      ...[order, ...others].sort((a, b) => a.created_at.localeCompare(b.created_at)).map((one, index) => h("button", {
        class: "order-tab", "aria-pressed": one.id === order.id ? "true" : "false", dataset: { order: one.id },
        onclick: () => { floor.selected = { order: one.id }; floor.splitting.clear(); drawPanel(); },
      }, `${t("order")} ${index + 1} · ${one.money?.total ?? one.total}`)),
      ...others.map((other) => h("button", {
        class: "merge", dataset: { order: other.id }, onclick: () => merge(order, other),
      }, `${t("merge")}: ${t("order")} ${other.money?.total ?? other.total} → ${t("here")}`))) : null;
    panel.replaceChildren(...[
      h("h2", {}, title, " ", h("small", {}, order.status_display)),
      siblings,
      h("div", { class: "line-options" }, note, h("label", {}, t("course"), course), h("label", {}, hold, t("hold"))),
      categoryTabs, search, menuBox, chooser(order), lines, askForm(order),
      h("p", { class: "bill" }, `${t("total")}: `, h("strong", { id: "order-total" }, money.total ?? order.total),
        ` · ${t("paid")}: ${money.paid ?? "0.00"} · ${t("due")}: `, h("strong", { id: "order-due" }, money.due ?? "")),
      h("div", { class: "pay" },
        h("label", {}, t("cash"), cash), h("label", {}, t("card"), card), h("label", {}, t("tip"), tip),
        // No payments offline, nor on an order with queued changes (docs/offline.md): the button says so.
        h("button", { id: "pay", disabled: !offline.payable(order), onclick: () => pay(order, cash.value, card.value, tip.value) },
          offline.payable(order) ? t("pay") : t("payOffline"))),
      h("div", { class: "actions" },
        h("button", { onclick: () => fire(order, Number(course.value)) }, t("fire")),
        h("button", { id: "discount", onclick: () => discount(order) }, t("discount")),
        h("button", { id: "move", onclick: () => move(order) }, t("move")),
        order.table ? h("button", { id: "split", onclick: () => split(order) }, t("split")) : null,
        h("button", { id: "cancel-order", onclick: () => cancel(order) }, t("cancelOrder")),
        h("button", { onclick: () => { floor.selected = null; drawPanel(); } }, t("close"))),
      h("p", { id: "change", role: "status" }),
    ].filter(Boolean)); // the DOM's replaceChildren writes a null as "null"
  }

  function chooser(order) {
    // The modifier groups of the item being added: a fieldset each, its rule in words.
    const choosing = floor.choosing;
    const item = choosing && floor.menu.find((one) => one.id === choosing.item);
    if (!item) return null;
    const error = h("p", { class: "chooser-error", role: "alert" });
    const groups = item.modifier_groups.map((group) => {
      const rule = `${group.required ? t("required") : t("optional")}, ${t("upTo")} ${group.max_choices}`;
      return h("fieldset", { class: "modifier-group", dataset: { group: group.id } },
        h("legend", {}, `${group.name} (${rule})`),
        ...group.modifiers.map((modifier) => h("label", {},
          h("input", {
            type: "checkbox", name: `group-${group.id}`, value: modifier.id, checked: choosing.picked.has(modifier.id),
            onchange: (event) => { if (event.target.checked) choosing.picked.add(modifier.id); else choosing.picked.delete(modifier.id); },
          }),
          `${modifier.name}${Number(modifier.price) ? ` +${modifier.price}` : ""}`)));
    });
    const confirm = () => {
      for (const group of item.modifier_groups) {
        const count = group.modifiers.filter((modifier) => choosing.picked.has(modifier.id)).length;
        if ((group.required && count < 1) || count > group.max_choices) {
          error.textContent = `${group.name}: ${group.required ? t("required") : t("optional")}, ${t("upTo")} ${group.max_choices}`;
          return;
        }
      }
      floor.choosing = null;
      addLine(order, item, { ...choosing.options, modifiers: [...choosing.picked] });
    };
    return h("section", { class: "chooser card", "aria-label": item.title },
      h("h3", {}, item.title), ...groups, error,
      h("button", { id: "add-with-modifiers", onclick: confirm }, t("add")),
      h("button", { onclick: () => { floor.choosing = null; drawPanel(); } }, t("cancel")));
  }

  function remember(order) {
    // Two writes in flight (two taps on a dish): their answers may come back in either order.
    if (older(order, floor.orders.get(order.id))) return;
    floor.orders.set(order.id, order);
    drawTables();
    drawPanel();
  }

  const addLine = (order, item, options) => attempt(async () =>
    remember(await api.post(`/api/cafe/orders/${order.id}/items/`, {
      items: [{
        menu_item: item.id, quantity: 1, note: options.note, course: options.course || 1,
        ...(options.grams ? { grams: options.grams } : {}),
        ...(options.modifiers?.length ? { modifiers: options.modifiers } : {}), ...(options.hold ? { hold: true } : {}),
      }],
    })));
  const changeQuantity = (order, line, delta) => attempt(async () => {
    if (line.quantity + delta < 1) return voidLine(order, line);
    remember(await api.patch(`/api/cafe/orders/${order.id}/lines/${line.id}/`, { quantity: line.quantity + delta }));
  });
  // Void, discount and move ask in a small form inside the panel (labelled, keyboard-operable).
  const ask = (kind, extra = {}) => { floor.asking = { kind, values: {}, ...extra }; drawPanel(); $(".ask input, .ask select", panel)?.focus(); };
  const voidLine = (order, line) => ask("void", { line: line.id });
  const fire = (order, course) => attempt(async () => {
    await api.post(`/api/cafe/orders/${order.id}/fire/`, { course });
    remember(await api.get(`/api/cafe/orders/${order.id}/`));
  });
  const discount = () => ask("discount");
  const move = () => ask("move");

  function askForm(order) {
    const asking = floor.asking;
    if (!asking) return null;
    const keep = (name) => (event) => { asking.values[name] = event.target.value; };
    const field = (name, label, attrs = {}) => h("label", {}, label,
      h("input", { name, value: asking.values[name] ?? "", oninput: keep(name), required: true, ...attrs }));
    const done = () => { floor.asking = null; };
    let title; let fields; let send; let check = null;
    if (asking.kind === "void") {
      const line = order.items.find((one) => one.id === asking.line);
      title = `${t("void")}: ${line?.title ?? ""}`;
      fields = [field("reason", t("reason"), { maxlength: 200 })];
      send = async (values) => remember(await api.post(`/api/cafe/orders/${order.id}/lines/${asking.line}/void/`, { reason: values.reason }));
    } else if (asking.kind === "weigh") {
      // A weighed dish's portion (asking.item: a new line) or a line weighed again (asking.line), in grams.
      const line = asking.line ? order.items.find((one) => one.id === asking.line) : null;
      const item = floor.menu.find((one) => one.id === (line ? line.menu_item : asking.item));
      title = `${t("weigh")}: ${line?.title ?? item?.title ?? ""}`;
      fields = [field("grams", t("grams"), { type: "number", min: 1, max: 50000, step: 1, inputmode: "numeric" })];
      check = (values) => (/^\d+$/.test(values.grams ?? "") && Number(values.grams) >= 1 && Number(values.grams) <= 50000
        ? null : t("badGrams"));
      send = async (values) => {
        const grams = Number(values.grams);
        if (asking.line) return remember(await api.patch(`/api/cafe/orders/${order.id}/lines/${asking.line}/`, { grams }));
        if (!item) return null;
        const options = { ...asking.options, grams };
        if (!item.modifier_groups?.length) return addLine(order, item, options);
        floor.choosing = { item: item.id, picked: new Set(), options };
        return drawPanel();
      };
    } else if (asking.kind === "discount") {
      title = t("discount");
      fields = [field("value", t("percent"), { type: "number", min: "0.01", max: 100, step: "0.01" }), field("reason", t("reason"), { maxlength: 200 })];
      send = async (values) => remember(await api.post(`/api/cafe/orders/${order.id}/discount/`, { kind: "percent", value: values.value, reason: values.reason }));
    } else {
      title = t("move");
      const free = floor.tables.filter((one) => one.branch === order.branch && one.id !== order.table && one.status === "free")
        .sort((a, b) => a.number - b.number);
      if (asking.values.table === undefined && free.length) asking.values.table = free[0].id;
      fields = [h("label", {}, t("table"), h("select", { name: "table", onchange: keep("table") },
        ...free.map((one) => h("option", { value: one.id, selected: asking.values.table === one.id }, one.number))))];
      send = async (values) => {
        const moved = await api.post(`/api/cafe/orders/${order.id}/move/`, { table: values.table });
        floor.selected = { order: moved.id }; // the panel follows the order to its new table
        remember(moved);
      };
    }
    // A form that checks its own values says what is wrong beside them (not the browser's bubble).
    const error = h("p", { class: "ask-error", role: "alert" }, asking.error || "");
    const form = h("form", {
      class: "ask card", "aria-label": title, novalidate: Boolean(check),
      onsubmit: (event) => {
        event.preventDefault();
        const values = { ...asking.values };
        const problem = check?.(values);
        if (problem) {
          asking.error = problem;
          error.textContent = problem;
          $("input", form)?.focus();
          return;
        }
        done();
        drawPanel();
        attempt(() => send(values));
      },
    }, h("h3", {}, title), ...fields, error,
    h("button", { type: "submit", id: "ask-ok" }, "OK"),
    h("button", { type: "button", onclick: () => { done(); drawPanel(); } }, t("cancel")));
    return form;
  }
  const split = (order) => attempt(async () => {
    // The ticked lines, whole, to a new order on the same table.
    const picked = order.items.filter((line) => floor.splitting.has(line.id) && !line.voided);
    if (!picked.length) { toast(t("pickLines")); return; }
    const answer = await api.post(`/api/cafe/orders/${order.id}/split/`, { lines: picked.map((line) => ({ line: line.id, quantity: line.quantity })) });
    floor.splitting.clear();
    floor.orders.set(answer.order.id, answer.order);
    floor.orders.set(answer.new_order.id, answer.new_order);
    floor.selected = { order: answer.new_order.id };
    drawTables(); drawPanel();
  });
  const merge = (order, other) => attempt(async () => {
    const merged = await api.post(`/api/cafe/orders/${order.id}/merge/`, { order: other.id });
    floor.orders.delete(other.id);
    remember(merged);
  });
  const cancel = (order) => attempt(async () => {
    const done = await api.post(`/api/cafe/orders/${order.id}/cancel/`, {});
    floor.orders.delete(done.id);
    floor.selected = null;
    drawTables(); drawPanel();
  });
  const pay = (order, cash, card, tip) => attempt(async () => {
    const tenders = [];
    if (Number(card) > 0) tenders.push({ method: "card", amount: Number(card).toFixed(2) });
    if (Number(cash) > 0) tenders.push({ method: "cash", amount: Number(cash).toFixed(2) });
    const done = await api.post(`/api/cafe/orders/${order.id}/pay/`, { tenders, tip: Number(tip || 0).toFixed(2) });
    const paidOrder = done.order || done;
    const change = paidOrder.money?.change ?? "0.00";
    if (paidOrder.status !== "open") {
      floor.orders.delete(paidOrder.id);
      floor.selected = null;
      drawTables(); drawPanel();
    } else remember(paidOrder);
    toast(`${t("change")}: ${change}`, "info");
    const box = $("#change");
    if (box) box.textContent = `${t("change")}: ${change}`;
    $("#last-change")?.remove();
    main.append(h("p", { id: "last-change", role: "status" }, `${t("change")}: ${change}`));
  });
  const takeaway = () => attempt(async () => {
    const branch = state.user.branch_id || state.branch;
    const created = await api.post("/api/cafe/orders/", { service: "takeaway", items: [], ...(state.user.branch_id ? {} : { branch }) });
    remember(created);
    floor.selected = { order: created.id };
    drawPanel();
    toast(`${t("pickupNumber")}: ${created.pickup_number}`, "info");
  });

  function log(message) {
    const data = message.data || {};
    const what = data.order ? (data.order.service === "takeaway" ? `#${data.order.pickup_number}` : `${data.order.table_number ?? ""}`)
      : data.task ? `${data.task.table_number ?? `#${data.task.pickup_number}`} ${data.task.title}`
        : data.table_number ?? data.menu_item?.title ?? "";
    feed.prepend(h("li", {}, `${new Date(message.ts || Date.now()).toLocaleTimeString(state.lang)} ${message.type} ${what}`));
    while (feed.children.length > 30) feed.lastChild.remove();
  }

  function onEvent(message) {
    const data = message.data || {};
    log(message);
    if (data.order && older(data.order, floor.orders.get(data.order.id))) {
      // an older copy: the screen already shows something newer
    } else if (data.order) {
      if (data.order.status === "open") floor.orders.set(data.order.id, data.order);
      else {
        floor.orders.delete(data.order.id);
        for (const [id, task] of floor.ready) if (task.order === data.order.id) floor.ready.delete(id);
      }
      drawReady();
    }
    if (message.type === "kitchen_task_ready" && data.task) {
      floor.ready.set(data.task.id, data.task);
      drawReady();
    }
    if (message.type === "table_status_changed") {
      const table = floor.tables.find((one) => one.id === data.table_id);
      if (table) Object.assign(table, { status: data.status, status_display: data.status_display });
      else attempt(load); // a table this screen never loaded (say, its first load failed): reload
    }
    if (data.table && message.type.startsWith("table_")) {
      floor.tables = floor.tables.filter((one) => one.id !== data.table.id);
      if (message.type !== "table_deleted") floor.tables.push(data.table);
    }
    if (message.type === "menu_item_updated") {
      const index = floor.menu.findIndex((item) => item.id === data.menu_item.id);
      if (index >= 0) floor.menu[index] = data.menu_item;
    }
    if (data.zone && message.type.startsWith("zone_") && floor.zones) {
      floor.zones = floor.zones.filter((one) => one.id !== data.zone.id);
      if (message.type !== "zone_deleted") floor.zones.push(data.zone);
      floor.zones.sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
    }
    if (data.booking && message.type.startsWith("booking_") && floor.bookings) {
      floor.bookings = floor.bookings.filter((one) => one.id !== data.booking.id);
      floor.bookings.push(data.booking);
    }
    drawTables();
    if (!document.activeElement || !panel.contains(document.activeElement) || document.activeElement.tagName === "BUTTON") drawPanel();
  }

  // Bookings reach both sockets: the tables socket's copy is the one handled.
  const fromOrders = buffered((message) => { if (!message.type.startsWith("booking_")) onEvent(message); });
  const fromTables = buffered((message) => { if (message.type !== "table_status_changed") onEvent(message); });
  live("orders", { onEvent: fromOrders, onResync: () => loaded(load, grid) });
  live("tables", { onEvent: fromTables, onResync: () => loaded(load, grid) });
  await loaded(load, grid);
  fromOrders.release();
  fromTables.release();
  // The queue's changes and answers, once the floor has its data (a draw before would lose the chosen hall).
  const unhook = [
    offline.on("change", () => {
      if (!grid.isConnected) { unhook.forEach((off) => off()); return; }
      drawTables();
      if (!document.activeElement || !panel.contains(document.activeElement) || document.activeElement.tagName === "BUTTON") drawPanel();
    }),
    offline.on("queued", (action) => { if (action.creates) floor.selected = { order: action.creates }; }),
    offline.on("answer", (action, answer) => {
      if (floor.selected?.order === action.creates) floor.selected = { order: answer.id };
      if (answer?.id && answer.items) remember(answer);
    }),
    offline.on("settled", () => loaded(load, grid)),
  ];
  const ticker = setInterval(() => { if (!grid.isConnected) clearInterval(ticker); else drawTables(); }, 30_000);
}

// ---------- kitchen ----------
async function kitchenView(main) {
  const kitchen = { tasks: new Map(), muted: localStorage.getItem("cafe.muted") === "1", focus: 0 };
  const board = h("section", { class: "kitchen", "aria-label": t("kitchen") });
  const muteButton = h("button", { id: "mute", "aria-pressed": kitchen.muted ? "true" : "false", onclick: () => {
    kitchen.muted = !kitchen.muted;
    localStorage.setItem("cafe.muted", kitchen.muted ? "1" : "0");
    muteButton.textContent = kitchen.muted ? t("unmute") : t("mute");
    muteButton.setAttribute("aria-pressed", kitchen.muted ? "true" : "false");
  } }, kitchen.muted ? t("unmute") : t("mute"));
  main.append(h("div", { class: "floor-tools" }, muteButton, h("small", {}, "Enter/Space: bump · U: undo · ↑↓")), board);

  function beep() {
    if (kitchen.muted) return;
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      tone.connect(audio.destination);
      tone.frequency.value = 880;
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch { /* no audio device */ }
  }

  async function load() {
    const answer = await api.get(withBranch("/api/cafe/kitchen/tasks/?limit=500"));
    kitchen.tasks = new Map(answer.results.filter(isLive).map((task) => [task.id, task]));
    draw();
  }
  const isLive = (task) => !["served", "cancelled"].includes(task.status);
  // Cooks claim and ready portions; whoever takes orders serves them (the API's roles).
  const serves = state.user.role !== "cook";
  const NEXT = { pending: "claim", in_progress: "ready", ...(serves ? { ready: "served" } : {}) };

  function ageClass(task) {
    const minutes = minutesSince(task.fired_at || task.created_at);
    return minutes >= 15 ? "late" : minutes >= 8 ? "warn" : "fresh";
  }

  function draw() {
    const tasks = [...kitchen.tasks.values()].sort((a, b) => (a.fired_at || a.created_at).localeCompare(b.fired_at || b.created_at));
    if (!tasks.length) { board.replaceChildren(h("p", {}, t("noTasks"))); return; }
    const stations = new Map();
    for (const task of tasks) {
      if (!stations.has(task.station_name)) stations.set(task.station_name, new Map());
      const orders = stations.get(task.station_name);
      const key = `${task.order}/${task.course}`;
      if (!orders.has(key)) orders.set(key, []);
      orders.get(key).push(task);
    }
    let index = 0;
    board.replaceChildren(...[...stations].map(([station, orders]) => h("div", { class: "station" },
      h("h2", {}, station),
      ...[...orders.values()].map((group) => {
        const first = group[0];
        const where = first.service === "takeaway" ? `#${first.pickup_number}` : `${t("table")} ${first.table_number}`;
        return h("article", { class: `ticket ${ageClass(first)}` },
          h("h3", {}, `${where} · ${t("course")} ${first.course}`, " ", h("small", {}, `${minutesSince(first.fired_at || first.created_at)} ${t("min")}`)),
          ...group.map((task) => {
            const position = index++;
            return h("div", {
              class: `task ${task.status}${position === kitchen.focus ? " focused" : ""}`, tabindex: 0,
              dataset: { task: task.id, status: task.status, position },
              "aria-label": `${task.title}${task.weight ? ` ${task.weight} ${t("kg")}` : ""} ${task.status_display}`,
              onkeydown: (event) => keys(event, task),
              onfocus: () => { kitchen.focus = position; },
            },
            h("strong", {}, task.title),
            task.weight ? h("span", { class: "weight" }, `${task.weight} ${t("kg")}`) : null, // the piece the cook weighs
            task.modifiers?.length ? h("span", { class: "mods" }, task.modifiers.map((m) => m.name || m.title).join(", ")) : null,
            task.note ? h("span", { class: "note" }, task.note) : null,
            h("span", { class: "state" }, task.status === "held" ? t("held") : task.status_display),
            task.status === "held" ? null : h("span", { class: "task-actions" },
              task.status === "pending" ? h("button", { onclick: () => act(task, "claim") }, t("claim")) : null,
              task.status === "in_progress" ? h("button", { onclick: () => act(task, "ready") }, t("ready")) : null,
              task.status === "ready" ? h("button", { onclick: () => act(task, "unready") }, t("undo")) : null,
              task.status === "ready" && serves ? h("button", { onclick: () => act(task, "served") }, t("served")) : null));
          }));
      }))));
  }

  function keys(event, task) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); if (NEXT[task.status]) act(task, NEXT[task.status]); }
    else if (event.key === "u" || event.key === "U") { if (task.status === "ready") act(task, "unready"); }
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const all = [...board.querySelectorAll(".task")];
      const at = all.indexOf(event.currentTarget) + (event.key === "ArrowDown" ? 1 : -1);
      all[Math.max(0, Math.min(all.length - 1, at))]?.focus();
    }
  }

  const act = (task, action) => attempt(async () => {
    const answer = await api.post(`/api/cafe/kitchen/tasks/${task.id}/${action}/`, {});
    const updated = answer.task || answer;
    if (updated && updated.id) upsert(updated);
    draw();
    board.querySelector(`[data-position="${kitchen.focus}"]`)?.focus();
  });

  function upsert(task) {
    if (isLive(task)) kitchen.tasks.set(task.id, task);
    else kitchen.tasks.delete(task.id);
  }

  const fromKitchen = buffered((message) => {
    const task = message.data?.task;
    if (!task || older(task, kitchen.tasks.get(task.id))) return;
    if (message.type === "kitchen_task_created" && !kitchen.tasks.has(task.id)) beep();
    upsert(task);
    draw();
  });
  live("kitchen", { onEvent: fromKitchen, onResync: () => loaded(load, board) });
  await loaded(load, board);
  fromKitchen.release();
}

// ---------- pickup screen ----------
async function pickupBoard(main, key) {
  document.body.classList.add("tv");
  const preparing = h("ul", { id: "preparing", class: "numbers" });
  const ready = h("ul", { id: "ready", class: "numbers" });
  const status = h("p", { id: "board-status", role: "status" });
  main.append(h("div", { class: "board" },
    h("section", {}, h("h1", {}, t("preparing")), preparing),
    h("section", { class: "ready" }, h("h1", {}, t("readyToCollect")), ready)), status);
  const draw = (list, numbers) => list.replaceChildren(...numbers.map((number) => h("li", {}, number)));
  async function poll() {
    try {
      const response = await fetch("/api/cafe/pickup-board/", { headers: { Authorization: `Display ${key}`, "Accept-Language": state.lang } });
      if (response.status === 401) {
        draw(preparing, []); draw(ready, []);
        status.textContent = t("revokedBoard");
        status.dataset.state = "revoked";
        return;
      }
      const board = await response.json();
      draw(preparing, board.preparing);
      draw(ready, board.ready);
      status.textContent = "";
      status.dataset.state = "live";
    } catch {
      status.textContent = t("offline");
      status.dataset.state = "offline";
    }
    setTimeout(poll, 2000);
  }
  poll();
}

async function pickupView(main) {
  // For managers: the display tokens that open the pickup screen on a TV.
  const list = h("ul", { class: "tokens" });
  const label = h("input", { id: "token-label", maxlength: 80, "aria-label": t("label"), placeholder: t("label") });
  const made = h("p", { id: "token-made", role: "status" });
  async function load() {
    const tokens = await api.get("/api/users/display-tokens/?limit=100");
    list.replaceChildren(...tokens.results.map((token) => h("li", {},
      `${token.label || token.id} · ${new Date(token.created_at).toLocaleString(state.lang)}`,
      token.revoked_at ? h("em", {}, ` (${t("revoke")}: ${new Date(token.revoked_at).toLocaleString(state.lang)})`)
        : h("button", { onclick: () => attempt(async () => { await api.delete(`/api/users/display-tokens/${token.id}/`); await load(); }) }, t("revoke")))));
  }
  main.append(h("h2", {}, t("pickup")), h("div", { class: "floor-tools" }, label,
    h("button", { id: "make-token", onclick: () => attempt(async () => {
      const branch = state.user.branch_id || state.branch || undefined;
      const token = await api.post("/api/users/display-tokens/", { label: label.value, ...(branch ? { branch } : {}) });
      const url = `${location.origin}${token.url}`;
      made.replaceChildren(h("a", { href: url, target: "_blank", rel: "noopener" }, url));
      await load();
    }) }, t("newToken"))), made, list);
  await attempt(load);
}

// ---------- till ----------
function barChart(rows) {
  const max = Math.max(1, ...rows.map((row) => Number(row.amount)));
  const width = 420; const bar = 28;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * (bar + 8) + 8}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("byMethod"));
  rows.forEach((row, index) => {
    const y = 8 + index * (bar + 8);
    const length = (Number(row.amount) / max) * (width - 180);
    const rect = document.createElementNS(svg.namespaceURI, "rect");
    Object.entries({ x: 90, y, width: Math.max(1, length), height: bar, class: "bar" }).forEach(([k, v]) => rect.setAttribute(k, v));
    const name = document.createElementNS(svg.namespaceURI, "text");
    Object.entries({ x: 0, y: y + bar * 0.7 }).forEach(([k, v]) => name.setAttribute(k, v));
    name.textContent = row.method;
    const value = document.createElementNS(svg.namespaceURI, "text");
    Object.entries({ x: 96 + length, y: y + bar * 0.7 }).forEach(([k, v]) => value.setAttribute(k, v));
    value.textContent = row.amount;
    svg.append(rect, name, value);
  });
  return svg;
}

function hourChart(rows) {
  // Sales by the branch-local hour: 24 columns, the revenue of each.
  const max = Math.max(1, ...rows.map((row) => Number(row.revenue)));
  const width = 24 * 18 + 10; const height = 160;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("class", "hours");
  const busy = rows.filter((row) => Number(row.revenue) > 0).map((row) => `${row.hour}:00 ${row.revenue}`);
  svg.setAttribute("aria-label", `${t("byHour")}: ${busy.join(", ") || "0"}`);
  rows.forEach((row) => {
    const length = (Number(row.revenue) / max) * height;
    const rect = document.createElementNS(ns, "rect");
    Object.entries({ x: 5 + row.hour * 18, y: height - length, width: 14, height: Math.max(0, length), class: "bar" })
      .forEach(([k, v]) => rect.setAttribute(k, v));
    rect.dataset.hour = row.hour;
    rect.dataset.revenue = row.revenue;
    const title = document.createElementNS(ns, "title");
    title.textContent = `${row.hour}:00 — ${row.revenue} (${row.orders})`;
    rect.append(title);
    svg.append(rect);
    if (row.hour % 3 === 0) {
      const label = document.createElementNS(ns, "text");
      Object.entries({ x: 5 + row.hour * 18, y: height + 16 }).forEach(([k, v]) => label.setAttribute(k, v));
      label.textContent = row.hour;
      svg.append(label);
    }
  });
  return svg;
}

async function tillView(main) {
  const shiftBox = h("section", { class: "card", "aria-label": t("till") });
  const reportBox = h("section", { class: "card", "aria-label": t("daily") });
  const refundBox = h("section", { class: "card", "aria-label": t("refunds") });
  main.append(h("div", { class: "till" }, shiftBox, reportBox, refundBox));
  const amountInput = (id, label) => h("label", {}, label, h("input", { id, type: "number", min: 0, step: "0.01" }));

  function figures(report, id) {
    const hidden = new Set(["shift", "branch", "opened_by", "closed_by", "id"]);
    const rows = Object.entries(report.summary || report).filter(([key, value]) => value !== null && typeof value !== "object" && !hidden.has(key));
    const methods = (report.payments || []).map((row) => [`${t("paid")}: ${row.method}`, row.amount, `payment-${row.method}`]);
    return h("dl", { class: "figures", id },
      ...[...rows.map(([key, value]) => [key, value, key]), ...methods].flatMap(([key, value, name]) => [
        h("dt", {}, key), h("dd", { dataset: { key: name } }, String(value))]));
  }

  async function loadShift() {
    const current = await api.get(withBranch("/api/cafe/shifts/current/")).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    });
    const shift = current && current.id ? current : current?.shift;
    if (!shift || shift.status === "closed") {
      shiftBox.replaceChildren(h("h2", {}, t("noShift")), amountInput("float", t("float")),
        h("button", { id: "open-shift", onclick: () => attempt(async () => {
          const branch = state.user.branch_id ? {} : { branch: state.branch };
          await api.post("/api/cafe/shifts/", { opening_float: Number($("#float").value || 0).toFixed(2), ...branch });
          await loadShift();
        }) }, t("openShift")));
      return;
    }
    const report = await api.get(`/api/cafe/shifts/${shift.id}/report/`);
    shiftBox.replaceChildren(h("h2", {}, t("xReport")), figures(report, "x-report"),
      amountInput("move-amount", t("amount")),
      h("input", { id: "move-reason", "aria-label": t("reason"), placeholder: t("reason") }),
      h("button", { onclick: () => cashMove(shift, "in") }, t("cashIn")),
      h("button", { onclick: () => cashMove(shift, "out") }, t("cashOut")),
      amountInput("counted", t("counted")),
      h("button", { id: "close-shift", onclick: () => attempt(async () => {
        const closed = await api.post(`/api/cafe/shifts/${shift.id}/close/`, { counted_cash: Number($("#counted").value || 0).toFixed(2) });
        const z = await api.get(`/api/cafe/shifts/${closed.id}/report/`);
        await loadShift();
        shiftBox.append(h("h2", {}, t("zReport")), figures(z, "z-report"));
      }) }, t("closeShift")));
  }
  const cashMove = (shift, kind) => attempt(async () => {
    await api.post(`/api/cafe/shifts/${shift.id}/cash/`, { kind, amount: Number($("#move-amount").value || 0).toFixed(2), reason: $("#move-reason").value || "-" });
    await loadShift();
  });

  async function loadReport() {
    if (!["owner", "admin", "manager"].includes(state.user.role)) { reportBox.remove(); return; }
    // Today in the branch's own time zone (the report's business day).
    const branchId = state.user.branch_id || state.branch;
    const branch = branchId ? await api.get(`/api/users/branches/${branchId}/`) : null;
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: branch?.timezone || "UTC" }).format(new Date());
    const path = withBranch(`/api/cafe/reports/daily/?date=${day}`);
    const report = (await api.get(path)).totals;
    const csv = h("button", { onclick: () => attempt(async () => {
      const response = await request("GET", `${path}&format=csv`, undefined, { raw: true });
      const link = h("a", { href: URL.createObjectURL(await response.blob()), download: `report-${day}.csv` });
      link.click();
    }) }, t("csv"));
    reportBox.replaceChildren(h("h2", {}, `${t("daily")} ${day}`), figures(report, "daily-report"), h("h3", {}, t("byMethod")),
      barChart(report.payments || []),
      ...(report.by_hour ? [h("h3", {}, t("byHour")), hourChart(report.by_hour)] : []), csv);
  }

  async function loadRefunds() {
    // Managers and above give money back on paid orders (the API's roles).
    if (!["owner", "admin", "manager"].includes(state.user.role)) { refundBox.remove(); return; }
    const paidOrders = (await api.get(withBranch("/api/cafe/orders/?status=closed&limit=20"))).results;
    refundBox.replaceChildren(h("h2", {}, t("refunds")), h("ul", { class: "refunds" }, ...paidOrders.map((order) => {
      const where = order.service === "takeaway" ? `#${order.pickup_number}` : `${t("table")} ${order.table_number}`;
      const method = h("select", { "aria-label": `${t("method")} ${where}` },
        ...["cash", "card", "transfer"].map((value) => h("option", { value }, t(value) || value)));
      const amount = h("input", {
        type: "number", min: "0.01", step: "0.01", placeholder: t("everything"), "aria-label": `${t("amount")} ${where}`,
      });
      const reason = h("input", { maxlength: 200, placeholder: t("reason"), "aria-label": `${t("reason")} ${where}` });
      return h("li", { dataset: { order: order.id } },
        h("span", {}, `${where} · ${order.money.total}`, order.money.refunded !== "0.00" ? ` · ${t("refund")}: ${order.money.refunded}` : ""),
        method, amount, reason,
        h("button", {
          class: "refund", onclick: () => attempt(async () => {
            const body = { method: method.value, reason: reason.value };
            if (amount.value) body.amount = Number(amount.value).toFixed(2);
            await api.post(`/api/cafe/orders/${order.id}/refund/`, body);
            toast(`${t("refund")}: ${where}`, "info");
            await Promise.all([attempt(loadShift), attempt(loadRefunds)]);
            refreshReport();
          }),
        }, t("refund")));
    })));
  }
  // The server runs one report per user at a time (429 beyond): reloads queue up, one at a time.
  let reportRun = null; let reportAgain = false;
  function refreshReport() {
    if (reportRun) { reportAgain = true; return reportRun; }
    reportRun = attempt(loadReport).finally(() => {
      reportRun = null;
      if (reportAgain) { reportAgain = false; refreshReport(); }
    });
    return reportRun;
  }
  await attempt(loadShift);
  await refreshReport();
  await attempt(loadRefunds);
  live("orders", {
    onEvent: (message) => {
      if (message.type.startsWith("shift_") || ["order_paid", "order_refunded"].includes(message.type)) attempt(loadShift);
      if (["order_paid", "order_refunded"].includes(message.type)) refreshReport();
    },
    onResync: () => attempt(loadShift),
  });
}

const VIEWS = { floor: floorView, kitchen: kitchenView, till: tillView, pickup: pickupView };

// ---------- boot ----------
async function boot() {
  setLang(state.lang);
  device.init({
    h, t, $, app, state, request, api, attempt, toast, start, stopSockets, showLogin, logout, langSelect, metrics,
    today, withBranch, TEXT, VIEWS, VIEW_ROLES,
  });
  const key = new URLSearchParams(location.hash.slice(1)).get("display");
  if (state.view === "pickup" && key) {
    const main = h("main", { id: "view", class: "view-board" });
    app().replaceChildren(main);
    return pickupBoard(main, key);
  }
  if (await refresh()) {
    try { await start(); return; } catch { /* fall through to the login */ }
  }
  // No network: the last user and snapshot open the app (docs/offline.md); the queue waits for a session.
  const cached = await offline.cachedUser();
  if (cached && !(await fetch("/api/users/me/").then(() => true, () => false))) {
    state.user = cached;
    try { await start(); return; } catch { /* fall through to the login */ }
  }
  showLogin();
}


boot();
