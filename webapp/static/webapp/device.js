// Shared tablets (issue 21, docs/devices.md "The web app's side"): this browser
// registered as a device, PIN switching between employees, the idle lock, and the
// time clock with the manager's hours report. Plain ES module, imported by app.js,
// which hands it its helpers once (`device.init`), so app.js keeps a few hooks only.
//
// Where the device credential lives: localStorage["cafe.device"] ({key, id, name}).
// It must survive reloads and restarts of a shared tablet, which no one logs into
// with a password, so memory (lost on reload) and an HttpOnly cookie (the server
// reads the `X-Device` header, as every other client sends it) do not fit. It is
// read only by this module and sent only to this origin's API: as `X-Device` on the
// three device routes and on requests of a PIN session, as `&device=` on that
// session's sockets. It opens nothing alone but the list of names (docs/security.md).

const STORE = "cafe.device";
const TEXT = {
  ru: {
    clock: "Табель", devices: "Устройства", registerTablet: "Зарегистрировать этот планшет",
    deviceName: "Название устройства", deviceViews: "Экраны на нём", thisDevice: "Этот браузер — устройство",
    forget: "Забыть на этом браузере", revoked: "отозвано", notRegistered: "Этот планшет не зарегистрирован: менеджер входит по почте и регистрирует его в разделе «Устройства».",
    revokedDevice: "Регистрация этого планшета отозвана.", whoSignsIn: "Кто входит?", enterPin: "PIN для",
    pin: "PIN", pinLocked: "PIN заблокирован", back: "Назад", erase: "Стереть", keypad: "Цифры PIN",
    switchUser: "Сменить пользователя", emailLogin: "Вход по почте", noStaff: "Никто в этом филиале ещё не задал PIN.",
    sessionEnded: "Сеанс завершён: войдите снова.", deviceLabel: "Устройство",
    clockIn: "Начать работу", clockOut: "Закончить работу", breakStart: "Перерыв", breakEnd: "Конец перерыва",
    notClockedIn: "Не на работе", atWorkSince: "На работе с", onBreakSince: "На перерыве с", myPin: "Мой PIN",
    newPin: "Новый PIN (4–6 цифр)", setPin: "Сохранить PIN", pinSaved: "PIN сохранён", hoursReport: "Часы и продажи",
    from: "С", to: "По", show: "Показать", employee: "Сотрудник", date: "Дата", hours: "Часы", orders: "Заказы",
    revenue: "Выручка", tips: "Чаевые", entries: "Отметки", correct: "Исправить", begin: "Начало", end: "Конец",
    corrections: "исправлений", hoursByDay: "Часы по дням", idleLock: "Блокировка без касаний, с",
    serverDefault: "по умолчанию", save: "Сохранить",
    role_waiter: "официант", role_cook: "повар", role_cashier: "кассир", role_manager: "менеджер",
  },
  en: {
    clock: "Time clock", devices: "Devices", registerTablet: "Register this tablet", deviceName: "Device name",
    deviceViews: "Views on it", thisDevice: "This browser is the device", forget: "Forget on this browser",
    revoked: "revoked", notRegistered: "This tablet is not registered: a manager logs in with email and registers it under Devices.",
    revokedDevice: "This tablet's registration was revoked.", whoSignsIn: "Who is signing in?", enterPin: "PIN for",
    pin: "PIN", pinLocked: "PIN locked", back: "Back", erase: "Erase", keypad: "PIN digits",
    switchUser: "Switch user", emailLogin: "Sign in with email", noStaff: "Nobody in this branch has set a PIN yet.",
    sessionEnded: "The session ended: sign in again.", deviceLabel: "Device",
    clockIn: "Clock in", clockOut: "Clock out", breakStart: "Start break", breakEnd: "End break",
    notClockedIn: "Not clocked in", atWorkSince: "At work since", onBreakSince: "On break since", myPin: "My PIN",
    newPin: "New PIN (4–6 digits)", setPin: "Save PIN", pinSaved: "PIN saved", hoursReport: "Hours and sales",
    from: "From", to: "To", show: "Show", employee: "Employee", date: "Date", hours: "Hours", orders: "Orders",
    revenue: "Revenue", tips: "Tips", entries: "Clock entries", correct: "Correct", begin: "Start", end: "End",
    corrections: "corrections", hoursByDay: "Hours by day", idleLock: "Lock when untouched for, s",
    serverDefault: "default", save: "Save",
    role_waiter: "waiter", role_cook: "cook", role_cashier: "cashier", role_manager: "manager",
  },
};
const DEVICE_VIEWS = ["floor", "kitchen", "till", "pickup"];
const MANAGERS = ["owner", "admin", "manager"];
// How often a registered device asks whether it still is (devices/me/): every 3 s while no
// socket is open (the list of names, the PIN pad, the time clock); with one open, its close
// (4003 within seconds of a revocation) tells first, and a check every 30 s backs it up.
const CHECK_MS = 3_000;
const CHECK_LIVE_MS = 30_000;

let app; // app.js's helpers (init)

export const device = {
  session: false, // the access token in use is a PIN session bound to this device
  emailMode: false, // the email login form was asked for on a registered tablet
  info: null, // GET devices/me/
  lastTouch: Date.now(),

  init(helpers) {
    app = helpers;
    for (const lang of Object.keys(TEXT)) Object.assign(app.TEXT[lang], TEXT[lang]);
    app.VIEW_ROLES.clock = ["owner", "admin", "manager", "waiter", "cashier", "cook"];
    app.VIEW_ROLES.devices = MANAGERS;
    app.VIEWS.clock = clockView;
    app.VIEWS.devices = devicesView;
    for (const type of ["pointerdown", "keydown", "touchstart", "wheel"]) {
      document.addEventListener(type, () => { this.lastTouch = Date.now(); }, { capture: true, passive: true });
    }
    setInterval(() => this.tick(), 1_000);
  },

  stored() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch { return null; }
  },
  registered() { return Boolean(this.stored()?.key); },

  // X-Device goes to the device's own routes and with a PIN session's requests, nowhere else.
  sign(path, headers) {
    const key = this.stored()?.key;
    if (!key || !path.startsWith("/api/")) return;
    if (this.session || path.startsWith("/api/users/devices/me/") || path === "/api/users/devices/pin-login/") {
      headers["X-Device"] = key;
    }
  },
  socketParams() {
    const key = this.stored()?.key;
    return this.session && key ? { device: key } : {};
  },
  allows(view) {
    if (!this.session) return true;
    if (view === "devices") return false;
    return view === "clock" || Boolean(this.info?.views.includes(view));
  },

  // A PIN session cannot be refreshed (no refresh token): an expired or refused one locks the tablet.
  lost() {
    if (this.session) setTimeout(() => this.lock(app.t("sessionEnded")), 0);
    return Promise.resolve(false);
  },

  // The bar of a PIN session: the device's name, who is signed in, "switch user" instead of "log out".
  header(bar) {
    this.emailMode = false;
    if (!this.session) return bar;
    const { h, t, state } = app;
    bar.querySelectorAll("nav button[data-view]").forEach((button) => { if (!this.allows(button.dataset.view)) button.remove(); });
    const logout = bar.querySelector(":scope > button:last-of-type");
    const who = bar.querySelector(".who");
    if (who) who.textContent = `${fullName(state.user)} · ${this.info?.name || ""}`;
    logout?.replaceWith(h("button", { id: "switch-user", class: "switch-user", onclick: () => this.lock() }, t("switchUser")));
    return bar;
  },

  // Back to the list of names: the session's token is forgotten at once.
  lock(message = "") {
    clearTimeout(this.expiry);
    app.stopSockets();
    const wasEmail = !this.session && app.state.user;
    this.session = false;
    app.state.access = null;
    app.state.user = null;
    if (wasEmail) { app.logout(); return; } // an email session on a shared tablet: logged out for good
    this.showStart(message);
  },

  tick() {
    if (!this.registered()) return;
    const idle = (this.info?.idle_lock_seconds ?? 120) * 1000;
    const signedIn = this.session || (app.state.user && !document.querySelector(".device-start"));
    if (signedIn && Date.now() - this.lastTouch > idle) this.lock();
    const live = app.state.sockets.some((stream) => stream.socket?.readyState === WebSocket.OPEN);
    if (Date.now() - (this.checkedAt || 0) >= (live ? CHECK_LIVE_MS : CHECK_MS)) this.check();
  },

  // Is this browser still a live device? A revoked one forgets its credential and says so.
  async check() {
    this.checkedAt = Date.now();
    const key = this.stored()?.key;
    if (!key) return false;
    try {
      this.info = await app.request("GET", "/api/users/devices/me/", undefined, { auth: false });
      document.body.dataset.idleLock = String(this.info.idle_lock_seconds);
      return true;
    } catch (error) {
      if (error.status !== 401) return true; // the network: still registered as far as we know
      this.forget();
      const wasSignedIn = this.session || document.querySelector(".device-start, .pin-pad");
      this.session = false;
      app.state.access = null;
      app.state.user = null;
      if (wasSignedIn) app.showLogin(app.t("revokedDevice"));
      return false;
    }
  },

  forget() {
    localStorage.removeItem(STORE);
    this.info = null;
    document.body.dataset.device = "unregistered";
  },

  // Called by app.js's showLogin: on a registered tablet the start screen is the list of
  // names (unless the email form was asked for); true when it took the screen.
  showStart(message) {
    if (!this.registered()) {
      document.body.dataset.device = "unregistered";
      return false;
    }
    if (this.emailMode) return false;
    this.render(message).catch((error) => console.warn("device start", error));
    return true;
  },

  async render(message) {
    const { h, t } = app;
    const list = h("ul", { class: "staff-list", "aria-label": t("whoSignsIn") });
    const error = h("p", { class: "login-error", role: "alert" }, message || "");
    const screen = h("section", { class: "device-start card", "aria-labelledby": "device-title" },
      h("h1", { id: "device-title" }, t("whoSignsIn")),
      h("p", { class: "device-name" }, `${t("deviceLabel")}: ${this.stored()?.name || ""}`),
      list, error,
      h("div", { class: "actions" },
        h("button", { id: "email-login", onclick: () => { this.emailMode = true; app.showLogin(); } }, t("emailLogin")),
        app.langSelect()));
    app.app().replaceChildren(h("main", { class: "center" }, screen));
    document.body.dataset.device = "registered";
    if (!(await this.check())) return;
    screen.querySelector(".device-name").textContent = `${t("deviceLabel")}: ${this.info.name} · ${this.info.branch_name}`;
    try {
      const staff = await app.request("GET", "/api/users/devices/me/staff/?limit=100", undefined, { auth: false });
      list.replaceChildren(...(staff.results.length ? staff.results.map((person) => h("li", {},
        h("button", {
          class: "staff", dataset: { employee: person.id, locked: person.pin_locked ? "true" : "false" },
          onclick: () => this.pinPad(person),
        }, h("strong", {}, fullName(person)), h("span", {}, ` ${t(`role_${person.role}`)}`),
        person.pin_locked ? h("em", {}, ` · ${t("pinLocked")}`) : null))) : [h("li", {}, t("noStaff"))]));
    } catch (failure) {
      error.textContent = failure.message;
    }
    app.metrics.ready("device");
  },

  // One employee's PIN: an on-screen keypad and the keyboard (a numeric input).
  pinPad(person) {
    const { h, t } = app;
    const input = h("input", {
      id: "pin", name: "pin", type: "password", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]{4,6}",
      maxlength: 6, minlength: 4, required: true, "aria-label": `${t("enterPin")} ${fullName(person)}`,
    });
    const error = h("p", { class: "login-error pin-error", role: "alert" });
    const press = (digit) => { if (input.value.length < 6) input.value += digit; input.focus(); };
    const keys = [..."123456789"].map((digit) => h("button", { type: "button", class: "key", onclick: () => press(digit) }, digit));
    const form = h("form", {
      class: "pin-pad card",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          const data = await app.request("POST", "/api/users/devices/pin-login/",
            { employee: person.id, pin: input.value }, { auth: false });
          this.open(data);
        } catch (failure) {
          input.value = "";
          error.textContent = failure.message;
          input.focus();
        }
      },
    },
    h("h1", {}, `${t("enterPin")} ${fullName(person)}`),
    h("label", {}, t("pin"), input),
    h("div", { class: "keypad", role: "group", "aria-label": t("keypad") },
      ...keys,
      h("button", { type: "button", class: "key", "aria-label": t("erase"), onclick: () => { input.value = input.value.slice(0, -1); input.focus(); } }, "⌫"),
      h("button", { type: "button", class: "key", onclick: () => press("0") }, "0"),
      h("button", { type: "submit", class: "key ok", id: "pin-ok" }, app.t("login"))),
    error,
    h("button", { type: "button", id: "pin-back", onclick: () => this.showStart() }, t("back")));
    app.app().replaceChildren(h("main", { class: "center" }, form));
    input.focus();
  },

  // A PIN session: the access token in memory only, bound to this device; no refresh token.
  open(data) {
    const { state } = app;
    this.session = true;
    state.access = data.access;
    state.accessExp = Date.now() + data.expires_in * 1000;
    state.user = data.user;
    clearTimeout(state.refreshTimer);
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.lock(app.t("sessionEnded")), data.expires_in * 1000);
    this.lastTouch = Date.now();
    if (!this.allows(state.view)) state.view = ["floor", "kitchen", "till", "pickup"].find((view) => this.allows(view)
      && app.VIEW_ROLES[view].includes(state.user.role)) || "clock";
    app.start();
  },
};

function fullName(person) {
  const name = `${person?.first_name || ""} ${person?.last_name || ""}`.trim();
  return name || person?.email || person?.role || "";
}

const ymd = (date) => date.toISOString().slice(0, 10);
const when = (iso) => (iso ? new Date(iso).toLocaleString(app.state.lang) : "—");
const localInput = (iso) => {
  if (!iso) return "";
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

// ---------- the time clock ----------
async function clockView(main) {
  const { h, t, state, api, attempt } = app;
  const mine = h("section", { class: "card clock-box", "aria-label": t("clock") });
  const pinBox = h("section", { class: "card", "aria-label": t("myPin") });
  const reportBox = h("section", { class: "card hours-box", "aria-label": t("hoursReport") });
  main.append(h("div", { class: "till" }, mine, pinBox), reportBox);
  const branch = () => (state.user.branch_id ? {} : state.branch ? { branch: state.branch } : {});

  async function loadMine() {
    const { entry } = await api.get("/api/cafe/timeclock/me/");
    const running = entry?.breaks.find((pause) => !pause.ended_at);
    const act = (path) => attempt(async () => { await api.post(`/api/cafe/timeclock/${path}/`, path === "clock-in" ? branch() : {}); await loadMine(); });
    const status = !entry ? t("notClockedIn")
      : running ? `${t("onBreakSince")} ${when(running.started_at)}` : `${t("atWorkSince")} ${when(entry.started_at)}`;
    mine.replaceChildren(h("h2", {}, t("clock")),
      h("p", { id: "clock-state", role: "status", dataset: { state: !entry ? "out" : running ? "break" : "in" } }, status),
      h("div", { class: "actions" },
        h("button", { id: "clock-in", disabled: Boolean(entry), onclick: () => act("clock-in") }, t("clockIn")),
        h("button", { id: "break-start", disabled: !entry || Boolean(running), onclick: () => act("break-start") }, t("breakStart")),
        h("button", { id: "break-end", disabled: !running, onclick: () => act("break-end") }, t("breakEnd")),
        h("button", { id: "clock-out", disabled: !entry, onclick: () => act("clock-out") }, t("clockOut"))));
  }

  function drawPinForm() {
    if (!state.user.branch_id) { pinBox.remove(); return; } // owners and admins have no PIN
    const password = h("input", { id: "pin-password", type: "password", autocomplete: "current-password", required: true });
    const pin = h("input", { id: "new-pin", type: "password", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]{4,6}", minlength: 4, maxlength: 6, required: true });
    const error = h("p", { class: "login-error", role: "alert" });
    const form = h("form", {
      class: "pin-form",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          await api.post("/api/users/me/pin/", { password: password.value, pin: pin.value });
          form.reset();
          app.toast(t("pinSaved"), "info");
        } catch (failure) { error.textContent = failure.message; }
      },
    }, h("h2", {}, t("myPin")), h("label", {}, t("password"), password), h("label", {}, t("newPin"), pin),
    h("button", { type: "submit", id: "save-pin" }, t("setPin")), error);
    pinBox.replaceChildren(form);
  }

  // Managers: hours per employee per day and hours beside sales, with CSV, and corrections.
  async function drawReport() {
    if (!MANAGERS.includes(state.user.role)) { reportBox.remove(); return; }
    const day = await app.today();
    const from = h("input", { id: "hours-from", type: "date", value: day, required: true });
    const to = h("input", { id: "hours-to", type: "date", value: day, required: true });
    const out = h("div", { class: "hours-out" });
    const query = () => app.withBranch(`?from=${from.value}&to=${to.value}`);
    const csv = (kind) => h("button", { class: "csv", dataset: { kind }, onclick: () => attempt(async () => {
      const response = await app.request("GET", `/api/cafe/timeclock/${kind}/${query()}&format=csv`, undefined, { raw: true });
      h("a", { href: URL.createObjectURL(await response.blob()), download: `${kind}-${from.value}-${to.value}.csv` }).click();
    }) }, `${t("csv")}: ${t(kind === "report" ? "hoursReport" : "hoursByDay")}`);
    async function show() {
      const [sales, hours, entries] = await Promise.all([
        api.get(`/api/cafe/timeclock/report/${query()}`),
        api.get(`/api/cafe/timeclock/hours/${query()}`),
        api.get(app.withBranch("/api/cafe/timeclock/?limit=20")),
      ]);
      const names = new Map([...sales.results, ...hours.results].map((row) => [row.employee, fullName(row)]));
      const table = (caption, id, heads, rows) => h("table", { id, class: "hours" }, h("caption", {}, caption),
        h("thead", {}, h("tr", {}, ...heads.map((head) => h("th", { scope: "col" }, head)))),
        h("tbody", {}, ...rows.map(([key, cells]) => h("tr", { dataset: { employee: key } }, ...cells.map((cell) => h("td", {}, String(cell)))))));
      out.replaceChildren(
        table(`${t("hoursReport")} (${sales.timezone})`, "hours-report", [t("employee"), t("hours"), t("orders"), t("revenue"), t("tips")],
          sales.results.map((row) => [row.employee, [fullName(row), row.hours, row.orders, row.revenue, row.tips]])),
        csv("report"),
        table(t("hoursByDay"), "hours-by-day", [t("employee"), t("date"), t("hours")],
          hours.results.map((row) => [row.employee, [fullName(row), row.date, row.hours]])),
        csv("hours"),
        h("h3", {}, t("entries")),
        h("ul", { class: "entries" }, ...entries.results.map((entry) => correction(entry, names.get(entry.employee) || entry.employee.slice(0, 8)))));
    }
    function correction(entry, name) {
      const label = `${name} ${when(entry.started_at)}`;
      const start = h("input", { type: "datetime-local", value: localInput(entry.started_at), "aria-label": `${t("begin")} ${label}` });
      const end = h("input", { type: "datetime-local", value: localInput(entry.ended_at), "aria-label": `${t("end")} ${label}` });
      const reason = h("input", { maxlength: 500, placeholder: t("reason"), "aria-label": `${t("reason")} ${label}` });
      return h("li", { dataset: { entry: entry.id } },
        h("span", {}, `${name}: ${when(entry.started_at)} – ${when(entry.ended_at)}`,
          entry.corrections.length ? ` · ${entry.corrections.length} ${t("corrections")}: ${entry.corrections.at(-1).reason}` : ""),
        start, end, reason,
        h("button", { class: "correct", onclick: () => attempt(async () => {
          const body = { reason: reason.value };
          if (start.value && start.value !== localInput(entry.started_at)) body.started_at = new Date(start.value).toISOString();
          if (end.value && end.value !== localInput(entry.ended_at)) body.ended_at = new Date(end.value).toISOString();
          await api.post(`/api/cafe/timeclock/${entry.id}/correct/`, body);
          await show();
        }) }, t("correct")));
    }
    reportBox.replaceChildren(h("h2", {}, t("hoursReport")),
      h("form", { class: "actions", onsubmit: (event) => { event.preventDefault(); attempt(show); } },
        h("label", {}, t("from"), from), h("label", {}, t("to"), to), h("button", { type: "submit", id: "hours-show" }, t("show"))),
      out);
    await attempt(show);
  }

  drawPinForm();
  await attempt(loadMine);
  await drawReport();
}

// ---------- devices (managers) ----------
async function devicesView(main) {
  const { h, t, state, api, attempt } = app;
  const list = h("ul", { class: "devices", "aria-label": t("devices") });
  const name = h("input", { id: "device-name", maxlength: 80, required: true });
  const idleInput = (id, value, label) => h("input", {
    id, type: "number", min: 10, max: 86400, step: 1, value: value ?? "", placeholder: t("serverDefault"), "aria-label": label,
  });
  const idle = idleInput("device-idle", null, t("idleLock"));
  const kinds = DEVICE_VIEWS.map((kind) => h("label", {}, h("input", { type: "checkbox", name: "views", value: kind, checked: kind === "floor" }), t(kind)));
  const error = h("p", { class: "login-error", role: "alert" });
  const mine = device.stored();
  const form = h("form", {
    class: "card register-device",
    onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = "";
      const views = kinds.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
      const branch = state.user.branch_id || state.branch || undefined;
      try {
        const made = await api.post("/api/users/devices/", {
          name: name.value, views, ...(branch ? { branch } : {}), ...(idle.value ? { idle_lock_seconds: Number(idle.value) } : {}),
        });
        localStorage.setItem(STORE, JSON.stringify({ key: made.key, id: made.id, name: made.name }));
        // The manager's own session ends here: a shared tablet keeps no password session behind the PIN screen.
        app.logout();
      } catch (failure) { error.textContent = failure.message; }
    },
  },
  h("h2", {}, t("registerTablet")),
  mine ? h("p", { id: "this-device" }, `${t("thisDevice")}: ${mine.name} `,
    h("button", { type: "button", onclick: () => { device.forget(); app.start(); } }, t("forget"))) : null,
  h("label", {}, t("deviceName"), name),
  h("fieldset", {}, h("legend", {}, t("deviceViews")), ...kinds),
  h("label", {}, t("idleLock"), idle),
  h("button", { type: "submit", id: "register-device" }, t("registerTablet")), error);
  async function load() {
    const devices = await api.get("/api/users/devices/?limit=100");
    list.replaceChildren(...devices.results.map((row) => {
      const lock = idleInput(null, row.idle_lock_seconds, `${t("idleLock")}: ${row.name}`);
      const save = () => attempt(async () => {
        await api.patch(`/api/users/devices/${row.id}/`, { idle_lock_seconds: lock.value ? Number(lock.value) : null });
        await load();
      });
      return h("li", { class: "device-row", dataset: { device: row.id } },
        `${row.name} · ${row.views.map(t).join(", ")} · ${when(row.created_at)}`,
        row.revoked_at ? h("em", {}, ` (${t("revoked")}: ${when(row.revoked_at)})`) : [
          lock, h("button", { class: "save-idle", onclick: save }, `${t("save")}: ${row.name}`),
          h("button", { class: "revoke-device", onclick: () => attempt(async () => { await api.delete(`/api/users/devices/${row.id}/`); await load(); }) },
            `${t("revoke")}: ${row.name}`)]);
    }));
  }
  main.append(form, h("section", { class: "card" }, h("h2", {}, t("devices")), list));
  await attempt(load);
}
