// The web app's offline half (docs/offline.md): the service worker's registration,
// the last snapshot kept in IndexedDB, and the queue of writes taken while the
// server cannot be reached, sent in order, once each, when it can.
// app.js loads this module and hands it what it needs (installOffline): nothing here
// imports app.js, so the two stay separate files.

const DB_NAME = "cafe-offline";
const DB_VERSION = 1;
// Where a queued write may go. Payments, refunds, shifts, splits and merges are never queued:
// money is taken only against the server's current bill (docs/offline.md, "No payments offline").
const QUEUEABLE = [
  /^\/api\/cafe\/orders\/$/,
  /^\/api\/cafe\/orders\/[^/]+\/(items|fire|cancel|discount|move)\/$/,
  /^\/api\/cafe\/orders\/[^/]+\/lines\/[^/]+\/(void\/)?$/,
];
const LOCAL = "local-"; // a placeholder id: an order or a line the server has not answered for yet
const LOCAL_ID = /local-[0-9a-z-]+/g;
// The offline screens' words, merged into app.js's TEXT table (kept here so the two files merge apart).
export const TEXT = {
  ru: {
    pending: "Ждут отправки", refused: "Сервер не принял", pendingOrder: "ждёт отправки", retryWithout: "Отправить без",
    retryChanged: "Отправить за этот стол", drop: "Отказаться", waitsForThis: "Ждёт этого", quantity: "Количество",
    offlineBusy: "Это действие сейчас отправляется: повторите через секунду",
    payOffline: "Оплата без связи не принимается: дождитесь связи и отправки заказа",
    offlineCopy: "Нет связи: показан последний снимок от", notQueued: "Без связи это сделать нельзя",
  },
  en: {
    pending: "Waiting to send", refused: "The server refused", pendingOrder: "waiting to send", retryWithout: "Send without",
    retryChanged: "Send for this table", drop: "Drop", waitsForThis: "Waits for this", quantity: "Quantity",
    offlineBusy: "This action is being sent: try again in a second",
    payOffline: "No payments while offline: wait until the order is sent",
    offlineCopy: "Offline: showing the last snapshot, taken at", notQueued: "This needs a connection",
  },
};
const SNAPSHOT_MAX_AGE = 24 * 3600 * 1000; // a cached snapshot older than a day is not shown

// ---------- IndexedDB, as promises ----------
function openDb() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB_NAME, DB_VERSION);
    opening.onupgradeneeded = () => {
      const db = opening.result;
      db.createObjectStore("actions", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("ids", { keyPath: "local" });
      db.createObjectStore("cache", { keyPath: "name" });
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

let dbPromise = null;
const db = () => { dbPromise ||= openDb(); return dbPromise; };

async function tx(store, mode, work) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(store, mode);
    const result = work(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(result?.result ?? result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}
const all = (store) => tx(store, "readonly", (s) => s.getAll());
const put = (store, value) => tx(store, "readwrite", (s) => s.put(value));
const remove = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
const read = (store, key) => tx(store, "readonly", (s) => s.get(key));

// A write that was queued instead of sent: the caller's screen shows it as pending.
export class Queued extends Error {
  constructor(action) {
    super("queued");
    this.action = action;
  }
}

const localId = () => `${LOCAL}${crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`}`;
const orderOf = (path) => /^\/api\/cafe\/orders\/([^/]+)\//.exec(path)?.[1] || null;
const lineOf = (path) => /\/lines\/([^/]+)\//.exec(path)?.[1] || null;

export function installOffline(deps) {
  const { request, t, h, state } = deps;
  const queue = { actions: [], ids: new Map(), sending: null, timer: null, wait: 1000 };
  const listeners = { change: new Set(), answer: new Set(), settled: new Set(), queued: new Set() };
  deps.view ||= {}; // the floor view's hooks: its menu and tables (set by app.js's floorView)
  const emit = (kind, ...args) => listeners[kind].forEach((fn) => { try { fn(...args); } catch (error) { console.warn(error); } });
  const ready = (async () => {
    try {
      queue.actions = (await all("actions")).sort((a, b) => a.seq - b.seq);
      queue.ids = new Map((await all("ids")).map((row) => [row.local, row.id]));
    } catch (error) { console.warn("offline storage unavailable", error); }
    redraw();
  })();

  // The device's clock against the server's (the Date header of the last answer read here):
  // an order taken offline carries the device's moment corrected by it, so a clock off by an hour
  // records the true moment and the server's bounds on taken_at never refuse it.
  let skew = Number(localStorage.getItem("cafe.skew") || 0);
  const serverNow = () => new Date(Date.now() + skew);
  function measure(response) {
    const date = Date.parse(response.headers.get("Date") || "");
    if (!Number.isNaN(date)) {
      skew = date + 500 - Date.now(); // the header has whole seconds: half a second on average is cut
      localStorage.setItem("cafe.skew", String(skew));
    }
  }

  // ---------- registration of the service worker ----------
  const worker = document.body.dataset.worker;
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker, { scope: "/app/" }).catch((error) => console.warn("service worker", error));
  }

  // ---------- who is signed in, kept for a start without network ----------
  const remember = (user) => {
    ready.then(redraw); // the queue kept from before a reload is this user's: counted and shown now
    flushSoon(500);
    return put("cache", { name: "user", value: user, at: Date.now() }).catch(() => null);
  };
  async function cachedUser() {
    const row = await read("cache", "user").catch(() => null);
    return row?.value || null;
  }
  async function forget() {
    // Logout: the cached user and snapshots go; queued writes stay (they are the device's, sent
    // only under the session of the employee who took them: docs/offline.md).
    const rows = await all("cache").catch(() => []);
    await Promise.all(rows.map((row) => remove("cache", row.name))).catch(() => null);
  }

  // ---------- the snapshot ----------
  // The branch as of one seq (GET snapshot/), kept as the last one seen: a start without network shows it.
  async function snapshot(branch) {
    const name = `snapshot:${branch}`;
    try {
      const response = await request("GET", `/api/cafe/snapshot/?branch=${branch}`, undefined, { raw: true });
      measure(response);
      const data = await response.json();
      put("cache", { name, value: data, at: Date.now() }).catch(() => null);
      return { ...data, cached: false };
    } catch (error) {
      if (error.status !== 0) throw error; // the server answered: its answer stands
      const row = await read("cache", name).catch(() => null);
      if (!row || Date.now() - row.at > SNAPSHOT_MAX_AGE) throw error;
      return { ...row.value, cached: true, cachedAt: row.at };
    }
  }

  // ---------- the queue ----------
  const unsent = () => queue.actions.filter((action) => action.user === state.user?.id && action.state !== "refused");
  const queueable = (path) => QUEUEABLE.some((pattern) => pattern.test(path));

  async function write(method, path, body, key) {
    await ready;
    const local = lineOf(path)?.startsWith(LOCAL) ? lineOf(path) : null;
    if (local) return editLocalLine(method, path, body, local);
    const named = JSON.stringify([path, body ?? null]).includes(LOCAL);
    const direct = named ? resolved([path, body]) : { missing: null };
    if (named && !direct.missing) [path, body] = direct.value; // an order opened offline and answered since: its real id
    if (!queueable(path) || (navigator.onLine && !unsent().length && !direct.missing)) {
      try {
        return await request(method, path, body, { key });
      } catch (error) {
        // The answer was lost (request() already retried once with the same key): queued with
        // the same key and body, so whatever the server did, it is done once.
        if (error.status !== 0 || !queueable(path)) throw error;
        throw new Queued(await enqueue(method, path, body, key, { sent: true }));
      }
    }
    if (method === "POST" && path === "/api/cafe/orders/") body = { ...body, taken_at: serverNow().toISOString() };
    const last = queue.actions[queue.actions.length - 1];
    if (method === "POST" && /\/items\/$/.test(path) && last?.path === path && last.state === "pending"
        && !last.sent && queue.sending !== last.seq) {
      // Dishes tapped one after another for one order, none sent yet: one request adds them all
      // (a new request, so a new key), as the server would take them in one go.
      last.body = { ...last.body, items: [...last.body.items, ...body.items] };
      last.lines = [...last.lines, ...body.items.map(() => localId())];
      last.key = key;
      await put("actions", last);
      redraw();
      flushSoon();
      throw new Queued(last);
    }
    const action = await enqueue(method, path, body, key, {});
    flushSoon();
    throw new Queued(action);
  }

  async function enqueue(method, path, body, key, { sent }) {
    const action = {
      method, path, body, key, user: state.user?.id, state: "pending", error: null, at: Date.now(), sent: Boolean(sent),
      creates: method === "POST" && path === "/api/cafe/orders/" ? localId() : null,
    };
    if (action.method === "POST" && /\/items\/$/.test(path)) {
      // Each line gets a placeholder id, so the screen can change or void it before it is sent.
      action.lines = (body.items || []).map(() => localId());
    }
    action.seq = await put("actions", action);
    queue.actions.push(action);
    emit("queued", action); // before the redraw: the screen may follow the new order
    redraw();
    return action;
  }

  // A line not sent yet is changed in its queued request (quantity) or taken out of it (void):
  // the kitchen never saw it, so nothing else is sent for it.
  async function editLocalLine(method, path, body, local) {
    const action = queue.actions.find((one) => one.lines?.includes(local));
    if (!action || queue.sending === action.seq) throw Object.assign(new Error(t("offlineBusy")), { status: 409 });
    const index = action.lines.indexOf(local);
    if (/\/void\/$/.test(path)) {
      action.body = { ...action.body, items: action.body.items.filter((_, i) => i !== index) };
      action.lines = action.lines.filter((_, i) => i !== index);
    } else {
      action.body = { ...action.body, items: action.body.items.map((item, i) => (i === index ? { ...item, ...body } : item)) };
    }
    // The request changed: it gets a fresh key (a key stands for one exact request).
    action.key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}`;
    if (action.body.items.length) await put("actions", action);
    else await drop(action, { quiet: true });
    redraw();
    throw new Queued(action);
  }

  // Placeholders in a path or body, replaced by the server's ids once their creates were answered.
  function resolved(value) {
    let missing = null;
    const text = JSON.stringify(value ?? null).replace(LOCAL_ID, (local) => {
      if (queue.ids.has(local)) return queue.ids.get(local);
      missing ||= local;
      return local;
    });
    return { value: JSON.parse(text), missing };
  }

  // What an action waits for: the create of an order it names (not answered yet), or an earlier
  // refused action on the same order (sent out of order it could change another meaning).
  function blocker(action) {
    const earlier = queue.actions.filter((one) => one.seq < action.seq);
    const { missing } = resolved([action.path, action.body]);
    if (missing) return earlier.find((one) => one.creates === missing) || { seq: 0, dropped: true };
    const order = orderOf(action.path);
    return earlier.find((one) => one.state === "refused" && order && (orderOf(one.path) === order || one.creates === order)) || null;
  }

  function flushSoon(delay = 0) {
    clearTimeout(queue.timer);
    queue.timer = setTimeout(flush, delay);
  }

  let flushing = null;
  function flush() {
    flushing ||= send().finally(() => { flushing = null; });
    return flushing;
  }

  async function send() {
    await ready;
    let sentAny = false;
    for (;;) {
      if (!state.user || !navigator.onLine) return;
      const next = unsent().find((action) => !blocker(action));
      if (!next) break;
      if (!state.access && !(await deps.refresh())) return; // no session yet: the queue waits for one
      queue.sending = next.seq;
      redraw();
      const { value: [path, body] } = resolved([next.path, next.body]);
      let answer;
      try {
        answer = await request(next.method, path, body, { key: next.key });
      } catch (error) {
        queue.sending = null;
        if (error.status === 0 || error.status >= 500 || error.status === 429 || error.status === 401) {
          // Not an answer about this action: the same request, with the same key, later.
          redraw();
          queue.wait = Math.min(5000, queue.wait * 2);
          flushSoon(queue.wait);
          return;
        }
        next.state = "refused";
        next.status = error.status;
        next.error = error.message;
        await put("actions", next);
        redraw();
        continue;
      }
      queue.wait = 1000;
      queue.sending = null;
      sentAny = true;
      if (next.creates && answer?.id) {
        queue.ids.set(next.creates, answer.id);
        await put("ids", { local: next.creates, id: answer.id });
      }
      await remove("actions", next.seq);
      queue.actions = queue.actions.filter((one) => one.seq !== next.seq);
      emit("answer", next, answer);
      redraw();
    }
    // Placeholders nothing queued names any more are forgotten (the screen follows the real ids).
    const named = JSON.stringify(queue.actions);
    for (const local of [...queue.ids.keys()]) {
      if (!named.includes(local)) { queue.ids.delete(local); await remove("ids", local); }
    }
    // Everything this device could send is sent: the screen reloads through the snapshot.
    if (sentAny) emit("settled");
  }

  async function drop(action, { quiet = false } = {}) {
    // Dropping a create drops what was queued for that order too (shown before, in its card).
    const gone = [action, ...dependents(action)];
    for (const one of gone) {
      await remove("actions", one.seq);
      queue.actions = queue.actions.filter((other) => other.seq !== one.seq);
    }
    if (!quiet) redraw();
    flushSoon();
  }

  function dependents(action) {
    if (!action.creates) return [];
    return queue.actions.filter((one) => one.seq !== action.seq && JSON.stringify([one.path, one.body]).includes(action.creates));
  }

  async function retry(action, change) {
    if (change) {
      action.body = change(structuredClone(action.body));
      action.key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}`; // another request: another key
    }
    action.state = "pending";
    action.error = null;
    await put("actions", action);
    redraw();
    flushSoon();
  }

  // ---------- the screen: optimistic orders ----------
  const money = (value) => (Math.round(value * 100) / 100).toFixed(2);
  // Sold by weight (docs/weighed.md): a portion costs its weight × the kilogram's price, half-up
  // to the cent, as the server reckons it; in whole cents and grams, so no float decides a cent.
  const cents = (text) => Math.round(Number(text || 0) * 100);
  const weighedCents = (perKg, grams) => Math.floor((cents(perKg) * grams + 500) / 1000);
  const kilograms = (grams) => `${Math.floor(grams / 1000)}.${String(grams % 1000).padStart(3, "0")}`;
  const gramsOf = (body) => (body?.grams ?? (body?.weight !== undefined && body?.weight !== null ? Math.round(Number(body.weight) * 1000) : null));

  // A line added offline, priced as the server will price it (modifiers aside: the server's answer adds them).
  function placeholder(item, dish, id) {
    const quantity = item.quantity ?? 1;
    const grams = gramsOf(item);
    const line = {
      id, pending: true, menu_item: item.menu_item, title: dish?.title || "?", quantity, note: item.note || "", modifiers: [],
      voided: false, weight: null, price_per_kg: null,
    };
    if (grams === null) return { ...line, price: money(Number(dish?.price || 0)), total: money(Number(dish?.price || 0) * quantity) };
    const portion = weighedCents(dish?.price, grams);
    return {
      ...line, weight: kilograms(grams), price_per_kg: dish?.price ?? null, price: money(portion / 100), total: money((portion * quantity) / 100),
    };
  }

  // A sent line's queued edit: its quantity, or its portions weighed again at the line's own price_per_kg.
  function edited(line, body) {
    const grams = gramsOf(body);
    if (grams === null || !line.price_per_kg || !line.weight) {
      return { ...line, ...body, pending: true, total: money((Number(line.total) / line.quantity) * (body.quantity ?? line.quantity)) };
    }
    const quantity = body.quantity ?? line.quantity;
    const before = cents(line.price);
    const price = before - weighedCents(line.price_per_kg, gramsOf({ weight: line.weight })) + weighedCents(line.price_per_kg, grams); // modifiers kept
    const discount = before * line.quantity - cents(line.total); // the line's discount, as it stands
    return {
      ...line, ...body, pending: true, quantity, weight: kilograms(grams), price: money(price / 100),
      total: money((price * quantity - discount) / 100),
    };
  }

  // The orders as the server last told them, with every queued action applied on top, marked pending.
  function overlay(orders, { menu = [], tables = [] } = {}) {
    const shown = new Map(orders);
    const touched = (id) => {
      const order = shown.get(id) || shown.get(queue.ids.get(id));
      if (!order) return null;
      const copy = { ...order, items: [...order.items], pending: true };
      shown.set(copy.id, copy);
      return copy;
    };
    const mine = queue.actions.filter((action) => action.user === state.user?.id);
    for (const action of mine) {
      if (action.creates) {
        if (queue.ids.has(action.creates) && shown.has(queue.ids.get(action.creates))) continue;
        const table = tables.find((one) => one.id === action.body.table);
        shown.set(action.creates, {
          id: action.creates, local: true, pending: true, status: "open", status_display: t("pendingOrder"),
          service: action.body.service || "dine_in", table: action.body.table || null, table_number: table?.number ?? null,
          branch: table?.branch || action.body.branch || state.user?.branch_id, guests: action.body.guests || 0,
          pickup_number: "…", items: [], created_at: action.body.taken_at || new Date(action.at).toISOString(),
          updated_at: null, money: { total: "0.00", paid: "0.00", due: "0.00" },
        });
        continue;
      }
      const id = orderOf(action.path);
      const order = touched(id);
      if (!order) continue;
      const line = lineOf(action.path);
      if (/\/items\/$/.test(action.path)) {
        (action.body.items || []).forEach((item, index) => {
          const dish = menu.find((one) => one.id === item.menu_item);
          order.items.push(placeholder(item, dish, action.lines?.[index] || `${LOCAL}${action.seq}-${index}`));
        });
      } else if (line && /\/void\/$/.test(action.path)) {
        order.items = order.items.map((one) => (one.id === line ? { ...one, voided: true, void_reason: action.body.reason, pending: true } : one));
      } else if (line) {
        order.items = order.items.map((one) => (one.id === line ? edited(one, action.body) : one));
      } else if (/\/cancel\/$/.test(action.path)) {
        order.status = "cancelled";
      } else if (/\/move\/$/.test(action.path)) {
        const table = tables.find((one) => one.id === action.body.table);
        Object.assign(order, { table: action.body.table, table_number: table?.number ?? order.table_number });
      }
      if (action.state === "refused") order.refused = true;
    }
    for (const order of shown.values()) {
      if (!order.pending) continue;
      const total = order.items.filter((line) => !line.voided).reduce((sum, line) => sum + Number(line.total), 0);
      if (order.local || order.items.some((line) => line.pending)) {
        order.money = { ...(order.money || {}), total: money(total), due: money(total - Number(order.money?.paid || 0)) };
      }
      if (order.status !== "open") shown.delete(order.id);
    }
    return shown;
  }

  // Payments need the server's bill as it is: never offline, never on an order with queued changes.
  const payable = (order) => navigator.onLine && !order?.pending && !order?.local;

  // The placeholder an order was opened under, once the server answered it: its real id.
  const realId = (id) => queue.ids.get(id) || id;

  // ---------- the screen: badge and the refused actions ----------
  const badge = h("span", { id: "pending", role: "status", "aria-live": "polite", hidden: true });
  const problems = h("section", { id: "offline-problems", class: "offline-problems", "aria-label": t("refused"), hidden: true });

  // Which order an action is about, as the waiter knows it: its table or its pickup number.
  function orderName(id) {
    const create = queue.actions.find((one) => one.creates === id);
    if (create) return create.body.service === "takeaway" ? t("takeaway") : `${t("table")} ${deps.view.tableNumber?.(create.body.table) ?? ""}`;
    const order = deps.view.order?.(queue.ids.get(id) || id);
    if (!order) return "";
    return order.service === "takeaway" ? `${t("takeaway")} #${order.pickup_number}` : `${t("table")} ${order.table_number}`;
  }

  function describe(action) {
    const what = describeAction(action);
    const order = action.creates ? "" : orderName(orderOf(action.path));
    return order ? `${order} · ${what}` : what;
  }

  function describeAction(action) {
    const path = action.path;
    const menu = deps.view.menu?.() || [];
    const weight = (body) => (gramsOf(body) === null ? "" : ` ${kilograms(gramsOf(body))} ${t("kg")}`);
    const items = (action.body?.items || []).map((item) => `${menu.find((one) => one.id === item.menu_item)?.title || "?"}${weight(item)} × ${item.quantity ?? 1}`);
    if (action.creates) return action.body.service === "takeaway" ? t("takeaway") : `${t("openOrder")}: ${t("table")} ${deps.view.tableNumber?.(action.body.table) ?? ""}`;
    if (/\/items\/$/.test(path)) return `${t("add")}: ${items.join(", ")}`;
    if (/\/void\/$/.test(path)) return t("void");
    if (lineOf(path)) return gramsOf(action.body) === null ? `${t("quantity")}: ${action.body.quantity}` : `${t("weigh")}:${weight(action.body)}`;
    if (/\/fire\/$/.test(path)) return t("fire");
    if (/\/cancel\/$/.test(path)) return t("cancelOrder");
    if (/\/move\/$/.test(path)) return t("move");
    if (/\/discount\/$/.test(path)) return t("discount");
    return `${action.method} ${path}`;
  }

  function redraw() {
    const mine = queue.actions.filter((action) => action.user === state.user?.id);
    const pending = mine.filter((action) => action.state !== "refused").length;
    const refused = mine.filter((action) => action.state === "refused");
    badge.hidden = !mine.length;
    badge.dataset.count = String(pending);
    badge.dataset.refused = String(refused.length);
    badge.textContent = `${t("pending")}: ${pending}${refused.length ? ` · ${t("refused")}: ${refused.length}` : ""}`;
    problems.hidden = !refused.length;
    problems.replaceChildren(...(refused.length ? [h("h2", {}, t("refused"))] : []), ...refused.map(card));
    emit("change");
  }

  // A refused action, with the server's words and the ways out: send it again as it is (the
  // table is free now), send it changed (without the stopped dish, at another table), or drop it
  // (with what depends on it, listed).
  function card(action) {
    const waiting = [...dependents(action), ...queue.actions.filter((one) => one !== action && blocker(one) === action && !dependents(action).includes(one))];
    const buttons = [h("button", { class: "retry", onclick: () => retry(action) }, t("retry"))];
    if (/\/items\/$/.test(action.path) && action.body.items.length > 1) {
      const menu = deps.view.menu?.() || [];
      action.body.items.forEach((item, index) => {
        const dish = menu.find((one) => one.id === item.menu_item);
        buttons.push(h("button", {
          class: "retry-without", dataset: { item: item.menu_item },
          onclick: () => retry(action, (body) => {
            action.lines = action.lines?.filter((_, i) => i !== index);
            return { ...body, items: body.items.filter((_, i) => i !== index) };
          }),
        }, `${t("retryWithout")} ${dish?.title || "?"}`));
      });
    }
    if (action.creates && action.body.table) {
      const free = (deps.view.freeTables?.() || []).filter((table) => table.id !== action.body.table);
      if (free.length) {
        const select = h("select", { class: "other-table", "aria-label": t("table") },
          ...free.map((table) => h("option", { value: table.id }, table.number)));
        buttons.push(h("label", {}, t("table"), " ", select),
          h("button", { class: "retry-table", onclick: () => retry(action, (body) => ({ ...body, table: select.value })) }, t("retryChanged")));
      }
    }
    buttons.push(h("button", { class: "drop", onclick: () => drop(action) },
      waiting.length ? `${t("drop")} (+${waiting.length})` : t("drop")));
    return h("article", { class: "refused card", dataset: { seq: action.seq, status: action.status } },
      h("strong", {}, describe(action)),
      h("p", { class: "refused-error" }, action.error),
      waiting.length ? h("ul", { class: "waiting" }, ...waiting.map((one) => h("li", {}, `${t("waitsForThis")}: ${describe(one)}`))) : null,
      h("div", { class: "actions" }, ...buttons));
  }

  window.addEventListener("online", () => {
    if (state.user && !state.access) deps.refresh(); // started without network: a session now
    redraw();
    flushSoon(200);
  });
  window.addEventListener("offline", () => redraw());
  setInterval(() => { if (unsent().length) flushSoon(); }, 5000);

  return {
    Queued, write, snapshot, view: deps.view, overlay, payable, realId, badge, problems, flush, cachedUser, remember, forget, redraw,
    pending: () => unsent().length,
    on: (kind, fn) => { listeners[kind].add(fn); return () => listeners[kind].delete(fn); },
    // For the browser tests: the queue as it stands.
    inspect: () => queue.actions.map(({ seq, method, path, body, key, state: status, error }) => ({ seq, method, path, body, key, status, error })),
  };
}
