// braid web board. Plain JS, no dependencies: the data comes from the JSON API and the event stream.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { sessions: [], selected: null, notes: [], conflicts: null, screenTimer: null, project: "" };

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok && !(r.status === 409 && data.stoppedAt)) throw new Error(data.fix ? `${data.error} — ${data.fix}` : data.error || `HTTP ${r.status}`);
  return data;
}

function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

// ---- sessions -------------------------------------------------------------------------------------------

function badge(v) {
  const label = v.state === "queued" && v.queuePosition ? `queued #${v.queuePosition}` : v.state;
  return h("span", { class: `badge ${v.state}` }, label);
}

function figures(v) {
  const items = [];
  if (v.ahead !== null) items.push(h("span", { title: "commits ahead / behind the base" }, h("b", {}, `↑${v.ahead}`), ` ↓${v.behind}`));
  if (v.changedFiles !== null) items.push(h("span", { title: "changed files" }, h("b", {}, v.changedFiles), " files"));
  if (v.linesAdded !== null) items.push(h("span", { title: "lines" }, h("span", { class: "add" }, `+${v.linesAdded}`), " ", h("span", { class: "del" }, `-${v.linesRemoved}`)));
  if (v.costUsd !== null && v.costUsd !== undefined) items.push(h("span", { title: "cost" }, h("b", {}, `$${v.costUsd.toFixed(2)}`)));
  return items;
}

function card(v) {
  const pills = [];
  for (const c of v.conflictsWith || []) pills.push(h("span", { class: "pill conflict", title: "would conflict" }, `⚠ ${c}`));
  if (v.unreadNotes) pills.push(h("span", { class: "pill unread" }, `✉ ${v.unreadNotes} unread`));
  return h(
    "div",
    {
      role: "button",
      tabindex: 0,
      "aria-label": `${v.name}: ${v.state}`,
      class: `card ${v.state}${state.selected === v.name ? " selected" : ""}`,
      dataset: { session: v.name, state: v.state },
      onclick: () => select(v.name, true),
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(v.name, true); } },
    },
    h("div", { class: "row" }, h("span", { class: "order" }, `#${v.order}`), h("span", { class: "name" }, v.name), badge(v),
      h("span", { class: "since", dataset: { since: v.since || "" } }, ago(v.since))),
    h("div", { class: "detail-line" }, v.detail || `${v.type}${v.agent ? ` · ${v.agent}` : ""}`),
    h("div", { class: "row" }, h("span", { class: "pill" }, v.branch), ...pills),
    h("div", { class: "figures" }, ...figures(v)),
  );
}

function renderSessions() {
  const cards = $("cards");
  cards.replaceChildren(...(state.sessions.length ? state.sessions.map(card) : [h("p", { class: "empty" }, "No sessions yet — braid start <name> <task>")]));
  const waiting = state.sessions.filter((v) => v.state === "waiting");
  $("needs-you").hidden = waiting.length === 0;
  $("needs-list").replaceChildren(...waiting.map((v) => h("button", { type: "button", onclick: () => select(v.name, true) }, `${v.name} — ${v.detail || "waiting"}`)));
  const counts = {};
  for (const v of state.sessions) counts[v.state] = (counts[v.state] || 0) + 1;
  $("summary").replaceChildren(...Object.entries(counts).map(([s, n]) => h("span", { class: `badge ${s}` }, `${n} ${s}`)));
  document.title = waiting.length ? `(${waiting.length}) braid — waiting` : "braid";
  const to = $("note-to");
  const chosen = to.value;
  to.replaceChildren(h("option", { value: "all" }, "to all"), ...state.sessions.map((v) => h("option", { value: v.name }, `to ${v.name}`)));
  to.value = [...to.options].some((o) => o.value === chosen) ? chosen : "all";
  renderDetailHead();
}

function selectedView() {
  return state.sessions.find((v) => v.name === state.selected) || null;
}

/** `byUser`: a click or key, not the automatic first pick — on a phone, scroll to the screen and box. */
function select(name, byUser = false) {
  state.selected = name;
  if (location.hash.slice(1) !== encodeURIComponent(name)) history.replaceState(null, "", `#${encodeURIComponent(name)}`);
  $("detail-msg").textContent = "";
  renderSessions();
  $("screen").textContent = "";
  pollScreen();
  if (byUser && matchMedia("(max-width: 720px)").matches) document.querySelector(".detail").scrollIntoView({ behavior: "smooth" });
  else $("answer").focus({ preventScroll: true });
}

function renderDetailHead() {
  const v = selectedView();
  $("detail").hidden = !v;
  $("detail-empty").hidden = Boolean(v);
  if (!v) return;
  $("detail-name").textContent = v.name;
  const b = $("detail-state");
  b.className = `badge ${v.state}`;
  b.textContent = v.state;
  $("detail-detail").textContent = v.detail || "";
  document.querySelector(".detail").classList.toggle("waiting-now", v.state === "waiting");
}

async function pollScreen() {
  clearTimeout(state.screenTimer);
  const name = state.selected;
  if (!name) return;
  try {
    const r = await api("GET", `/api/sessions/${encodeURIComponent(name)}/screen`);
    if (state.selected !== name) return;
    const pre = $("screen");
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    pre.textContent = r.screen === null ? "(no screen: the session is not running)" : r.screen || "(the screen is empty)";
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  } catch (e) {
    $("screen").textContent = `(${e.message})`;
  }
  state.screenTimer = setTimeout(pollScreen, document.hidden ? 5000 : 1000);
}

async function send(text) {
  const name = state.selected;
  if (!name || !text) return;
  const msg = $("detail-msg");
  msg.className = "msg";
  msg.textContent = `sending to ${name}…`;
  try {
    await api("POST", `/api/sessions/${encodeURIComponent(name)}/send`, { text });
    msg.textContent = `sent to ${name}: ${text}`;
    $("answer").value = "";
    setTimeout(pollScreen, 300);
  } catch (e) {
    msg.className = "msg error";
    msg.textContent = e.message;
  }
}

// ---- notes ----------------------------------------------------------------------------------------------

function noteItem(n) {
  return h("li", { dataset: { note: n.id } },
    h("div", { class: "meta" }, h("b", {}, n.from), "→", n.to, h("span", { class: "spacer" }), h("time", { datetime: n.time, dataset: { since: n.time } }, ago(n.time))),
    h("div", { class: "text" }, n.text));
}

function renderNotes() {
  const list = $("notes");
  const shown = state.notes.slice(-100).reverse();
  list.replaceChildren(...(shown.length ? shown.map(noteItem) : [h("li", { class: "empty" }, "No notes yet.")]));
}

// ---- conflicts ------------------------------------------------------------------------------------------

function renderConflicts() {
  const r = state.conflicts;
  const box = $("matrix");
  if (!r) return;
  $("conflicts-when").textContent = `checked in ${r.elapsedMs} ms`;
  if (r.sessions.length < 1) return box.replaceChildren(h("p", { class: "empty" }, "No live sessions to check."));
  const names = r.sessions.map((s) => s.name);
  const pair = (a, b) => r.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  const cell = (p) => {
    if (!p) return h("td", {}, "·");
    const label = p.status === "conflict" ? `✗ ${p.conflictFiles.length}` : p.status === "same-files" ? `~${p.sharedFiles.length}` : "✓";
    return h("td", { class: p.status, title: [...(p.conflictFiles.length ? p.conflictFiles : p.sharedFiles)].join("\n") || "no shared files" }, label);
  };
  const table = h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, ""), ...names.map((n) => h("th", {}, n)), h("th", {}, "base"))),
    h("tbody", {}, ...r.sessions.map((s) => h("tr", {}, h("th", {}, s.name + (s.dirty ? "*" : "")),
      ...names.map((n) => (n === s.name ? h("td", {}, "—") : cell(pair(s.name, n)))),
      cell(r.withBase.find((p) => p.a === s.name))))));
  const bad = [...r.pairs, ...r.withBase].filter((p) => p.status === "conflict");
  box.replaceChildren(table, ...bad.map((p) => h("div", { class: "files" }, `${p.a} × ${p.b}: ${p.conflictFiles.join(", ")}`)));
}

async function loadConflicts() {
  try {
    state.conflicts = await api("GET", "/api/conflicts");
    renderConflicts();
  } catch (e) {
    $("matrix").replaceChildren(h("p", { class: "empty" }, e.message));
  }
  setTimeout(loadConflicts, 10000);
}

// ---- live events ----------------------------------------------------------------------------------------

function connect() {
  const es = new EventSource("/api/events");
  const conn = $("conn");
  es.onopen = () => { conn.className = "conn live"; $("conn-text").textContent = "live"; };
  es.onerror = () => { conn.className = "conn down"; $("conn-text").textContent = "reconnecting…"; };
  es.addEventListener("sessions", (e) => {
    const d = JSON.parse(e.data);
    state.sessions = d.sessions;
    if (d.project && !state.project) { state.project = d.project; $("project").textContent = d.project; }
    if (!state.selected) {
      const wanted = decodeURIComponent(location.hash.slice(1));
      const pick = state.sessions.find((v) => v.name === wanted) || state.sessions.find((v) => v.state === "waiting");
      if (pick) return select(pick.name);
    }
    renderSessions();
  });
  es.addEventListener("state", (e) => {
    const s = JSON.parse(e.data);
    if (s.state === "waiting" && s.previous && s.previous !== "waiting") toast(`${s.name} is waiting: ${s.detail || ""}`);
  });
  es.addEventListener("note", (e) => {
    const n = JSON.parse(e.data);
    if (!state.notes.some((x) => x.id === n.id)) state.notes.push(n);
    renderNotes();
  });
  es.addEventListener("merge", (e) => {
    const r = JSON.parse(e.data);
    toast(r.stoppedAt ? `merge stopped at ${r.stoppedAt.name}: ${r.stoppedAt.reason}` : `merged ${r.merged.map((m) => m.name).join(", ") || "nothing"} into ${r.baseRef}`);
    loadConflicts();
  });
}

// ---- wiring ---------------------------------------------------------------------------------------------

$("answer-form").addEventListener("submit", (e) => { e.preventDefault(); send($("answer").value); });
for (const b of document.querySelectorAll("[data-quick]")) b.addEventListener("click", () => send(b.dataset.quick));
$("note-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  try {
    const n = await api("POST", "/api/notes", { text, to: $("note-to").value });
    $("note-text").value = "";
    if (!state.notes.some((x) => x.id === n.id)) state.notes.push(n);
    renderNotes();
    toast(`note posted to ${n.to}`);
  } catch (err) { toast(err.message); }
});
$("stop").addEventListener("click", async () => {
  const name = state.selected;
  if (!name || !confirm(`Stop ${name}? Its worktree stays.`)) return;
  try { const r = await api("POST", `/api/sessions/${encodeURIComponent(name)}/stop`); toast(r.stopped ? `stopped ${name}` : `${name} was not running`); }
  catch (err) { toast(err.message); }
});
$("merge").addEventListener("click", async () => {
  const name = state.selected;
  if (!name || !confirm(`Merge ${name} into its base (merge train)?`)) return;
  toast(`merging ${name}…`);
  try { await api("POST", "/api/merge", { names: [name] }); } catch (err) { toast(err.message); }
});
setInterval(() => {
  for (const el of document.querySelectorAll("[data-since]")) el.textContent = ago(el.dataset.since);
}, 1000);

api("GET", "/api/notes").then((r) => { state.notes = r.notes; renderNotes(); }).catch((e) => toast(e.message));
loadConflicts();
connect();
