// trawl dashboard: a page of its own server's JSON API. Everything shown is
// fetched from /api/…; the charts are SVG drawn here. No external assets, no
// inline scripts or styles (the server's CSP forbids them), and no innerHTML:
// every value from the API goes into the page as text.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const app = document.getElementById("app");
const statusEl = document.getElementById("status");
const STAGES = ["targeted", "exploited", "compromised"];
const KINDS = ["sigma", "ioc", "correlation"];

// ---- DOM helpers ------------------------------------------------------------------------

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") el.textContent = v;
    else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) if (kid) el.append(kid);
  return el;
}

const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const day = (t) => (t ? t.slice(0, 10) : "–");
const when = (t) => (t ? t.replace("T", " ").replace(/\.\d+Z$/, "Z") : "–");
// Replaces the page's content; kids may be nested arrays, null or false.
const present = (kids) => kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false);
const render = (...kids) => app.replaceChildren(...present(kids));
const pill = (cls, text) => h("span", { class: "pill " + (cls || "") }, text || "–");

function figure(key, label, value) {
  return h("div", { class: "figure" },
    h("div", { class: "v", "data-figure": key, text: fmt(value) }),
    h("div", { class: "k", text: label }));
}

function table(cols, rows, attrs) {
  return h("table", attrs || {},
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: c.num ? "num" : null, text: c.t })))),
    h("tbody", {}, rows));
}

function td(v, num, attrs) {
  return h("td", Object.assign({ class: num ? "num" : null }, attrs || {}),
    v instanceof Node ? v : num ? fmt(v) : v === null || v === undefined ? "–" : String(v));
}

// ---- the API ----------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem("trawl-token");
  if (token) headers.Authorization = "Bearer " + token;
  const r = await fetch(path, { headers, cache: "no-store" });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) throw new HttpError(r.status, (body && body.error) || r.statusText);
  return body;
}

function askToken(retry) {
  render(
    h("h1", { text: "Token required" }),
    h("p", { class: "sub", text: "This server needs its bearer token. It is kept in this tab only (sessionStorage)." }),
    h("form", {
      onsubmit: (ev) => {
        ev.preventDefault();
        sessionStorage.setItem("trawl-token", ev.target.elements.token.value.trim());
        retry();
      },
    }, h("input", { name: "token", type: "password", size: 48, autocomplete: "off" }), " ",
    h("button", { type: "submit", text: "Use token" })));
}

function showError(e, retry) {
  if (e instanceof HttpError && e.status === 401) return askToken(retry);
  render(h("h1", { text: "Error" }),
    h("p", { class: "error", text: e.message || String(e) }),
    h("p", {}, h("a", { href: "#/", text: "Back to the campaigns" })));
}

// ---- charts -----------------------------------------------------------------------------

// Stacked bars per day: rows [{day, k1: n, k2: n, …}], keys stacked bottom-up.
function dayChart(rows, keys, label) {
  const W = 960, H = 220, L = 40, B = 28, T = 10;
  const max = Math.max(1, ...rows.map((r) => keys.reduce((a, k) => a + (r[k] || 0), 0)));
  const bw = (W - L - 10) / Math.max(1, rows.length);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
                         "aria-label": label, "data-chart": "timeline" });
  svg.append(s("line", { class: "axis", x1: L, x2: W - 10, y1: H - B, y2: H - B }));
  svg.append(s("text", { x: L - 6, y: T + 8, "text-anchor": "end", text: fmt(max) }));
  svg.append(s("text", { x: L - 6, y: H - B, "text-anchor": "end", text: "0" }));
  let lastLabel = -1e9;
  rows.forEach((r, i) => {
    const x = L + i * bw;
    let acc = 0;
    const tip = [r.day].concat(keys.map((k) => `${k}: ${r[k] || 0}`)).join("\n");
    const g = s("g", { "data-day": r.day }, s("title", { text: tip }));
    for (const k of keys) {
      const v = r[k] || 0;
      if (!v) continue;
      g.append(s("rect", { class: k, x: x + 0.5, width: Math.max(1, bw - 1),
                           y: y(acc + v), height: y(acc) - y(acc + v) }));
      acc += v;
    }
    svg.append(g);
    if (x - lastLabel > 70) {
      svg.append(s("text", { x: x + bw / 2, y: H - 10, "text-anchor": "middle", text: r.day.slice(5) }));
      lastLabel = x;
    }
  });
  return h("div", {},
    h("div", { class: "legend" }, keys.map((k) => h("span", {}, h("i", { class: "sw-" + k }), k))),
    svg);
}

// Horizontal bars: items [{name, value}] sorted by value.
function barChart(items, label, key) {
  const W = 460, row = 22, L = 150, H = Math.max(1, items.length) * row + 8;
  const max = Math.max(1, ...items.map((i) => i.value));
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
                         "aria-label": label, "data-chart": key });
  items.forEach((it, i) => {
    const y = 4 + i * row, w = ((W - L - 50) * it.value) / max;
    svg.append(s("g", { "data-name": it.name, "data-value": it.value },
      s("title", { text: `${it.name}: ${it.value}` }),
      s("text", { x: L - 6, y: y + 14, "text-anchor": "end", text: it.name }),
      s("rect", { class: "bar", x: L, y: y + 3, width: Math.max(1, w), height: row - 8 }),
      s("text", { class: "value", x: L + w + 6, y: y + 14, text: fmt(it.value) })));
  });
  return svg;
}

function countBy(list, key) {
  const m = new Map();
  for (const t of list) {
    const k = t[key] || "unknown";
    m.set(k, (m.get(k) || 0) + 1);
  }
  return [...m.entries()].map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
}

// ---- pages ------------------------------------------------------------------------------

async function pageHome() {
  const [health, tenants] = await Promise.all([api("/api/health"), api("/api/tenants")]);
  // health.campaigns is null when this build has no campaign engine
  let camps = null, campErr = null;
  if (health.campaigns === null) campErr = "Campaigns are not available in this build of trawl.";
  else camps = await api("/api/campaigns");
  const list = camps ? camps.campaigns : [];
  render(
    h("h1", { text: "Campaigns" }),
    h("p", { class: "sub", text: `View of the store built ${when(health.view.built)}` }),
    h("div", { class: "figures" },
      figure("campaigns", "campaigns", camps ? list.length : null),
      figure("detections", "detections", health.detections),
      figure("tenants", "tenants", tenants.total),
      figure("active", "tenants with detections", tenants.with_detections)),
    h("div", { class: "card" }, campErr ? h("p", { class: "muted", text: campErr }) :
      list.length === 0 ? h("p", { class: "muted", text: "No campaign in this store." }) :
      table([{ t: "Campaign" }, { t: "Actor" }, { t: "Tenants", num: 1 }, { t: "Exploited", num: 1 },
             { t: "Compromised", num: 1 }, { t: "Countries", num: 1 }, { t: "First attempt" },
             { t: "Last attempt" }, { t: "Detections", num: 1 }],
        list.map((c) => h("tr", { "data-campaign": c.id },
          td(h("a", { href: "#/campaign/" + encodeURIComponent(c.id), text: c.name })),
          td(c.actor || (c.cluster ? "unattributed cluster" : "–")),
          td(c.counts.tenants, 1), td(c.counts.exploited, 1), td(c.counts.compromised, 1),
          td(c.counts.countries, 1), td(day(c.first_seen)), td(day(c.last_seen)),
          td(c.counts.detections, 1))),
      { id: "campaigns" })));
}

async function pageTenants() {
  const t = await api("/api/tenants");
  render(
    h("h1", { text: "Tenants" }),
    h("div", { class: "figures" },
      figure("tenants", "tenants", t.total), figure("active", "with detections", t.with_detections),
      figure("detections", "detections", t.detections)),
    h("div", { class: "card" }, table(
      [{ t: "Tenant" }, { t: "Name" }, { t: "Country" }, { t: "Sector" }, { t: "Stage" },
       { t: "Highest level" }, { t: "Detections", num: 1 }, { t: "First" }, { t: "Last" }],
      t.tenants.map((x) => h("tr", { "data-tenant": x.id },
        td(h("a", { href: "#/tenant/" + encodeURIComponent(x.id), text: x.id })), td(x.name),
        td(x.country), td(x.sector), td(x.stage ? pill(x.stage, x.stage) : "–"),
        td(x.max_level ? pill(x.max_level, x.max_level) : "–"), td(x.detections, 1),
        td(day(x.first_seen)), td(day(x.last_seen)))),
      { id: "tenants" })));
}

async function pageCampaign(id) {
  const c = (await api("/api/campaigns/" + encodeURIComponent(id))).campaign;
  const tenants = c.tenants;
  render(
    h("h1", { text: c.name }),
    h("p", { class: "sub", text: (c.actor ? `Actor ${c.actor}` : "Unattributed cluster" +
      (c.seed ? ` grown from ${c.seed}` : "")) + ` · attempts ${day(c.first_seen)} – ${day(c.last_seen)}` }),
    h("div", { class: "figures" },
      figure("tenants", "tenants reached", c.counts.tenants),
      figure("exploited", "exploited", c.counts.exploited),
      figure("compromised", "compromised", c.counts.compromised),
      figure("countries", "countries", c.counts.countries),
      figure("sectors", "sectors", c.counts.sectors),
      figure("detections", "detections", c.counts.detections)),
    h("h2", { text: "Daily timeline by stage (tenants with a detection of that stage)" }),
    h("div", { class: "card" }, dayChart(c.timeline, STAGES, "tenants per day and stage")),
    h("div", { class: "grid2" },
      h("div", {}, h("h2", { text: "Countries (tenants)" }),
        h("div", { class: "card" }, barChart(countBy(tenants, "country"), "tenants per country", "countries"))),
      h("div", {}, h("h2", { text: "Sectors (tenants)" }),
        h("div", { class: "card" }, barChart(countBy(tenants, "sector"), "tenants per sector", "sectors")))),
    h("h2", { text: "Tenants" }),
    h("div", { class: "card" }, table(
      [{ t: "Tenant" }, { t: "Name" }, { t: "Country" }, { t: "Sector" }, { t: "Stage" },
       { t: "CVEs" }, { t: "First attempt" }, { t: "Last activity" }, { t: "Detections", num: 1 }],
      tenants.map((t) => h("tr", { "data-tenant": t.id, "data-stage": t.stage },
        td(h("a", { href: "#/tenant/" + encodeURIComponent(t.id), text: t.id })), td(t.name),
        td(t.country), td(t.sector), td(pill(t.stage, t.stage)), td((t.cves || []).join(", ")),
        td(day(t.first_seen)), td(day(t.activity_last)), td(t.detections, 1))),
      { id: "campaign-tenants" })),
    c.by_cve && c.by_cve.length ? [h("h2", { text: "Vulnerabilities" }), h("div", { class: "card" }, table(
      [{ t: "CVE" }, { t: "Targeted", num: 1 }, { t: "Exploited", num: 1 }, { t: "Compromised", num: 1 },
       { t: "First attempt" }, { t: "Last attempt" }],
      c.by_cve.map((v) => h("tr", {}, td(v.cve), td(v.targeted, 1), td(v.exploited, 1),
        td(v.compromised, 1), td(day(v.first_seen)), td(day(v.last_seen))))))] : null,
    c.infrastructure && c.infrastructure.length ? [h("h2", { text: "Infrastructure" }),
      h("div", { class: "card" }, table(
        [{ t: "Value" }, { t: "Type" }, { t: "Tenants", num: 1 }, { t: "Detections", num: 1 },
         { t: "First" }, { t: "Last" }],
        c.infrastructure.map((v) => h("tr", {}, td(h("span", { class: "mono", text: v.value })),
          td(v.type), td(v.tenants, 1), td(v.detections, 1), td(day(v.first_seen)),
          td(day(v.last_seen))))))] : null,
    c.explanation && c.explanation.length ? [h("h2", { text: "Why these tenants are in it" }),
      h("div", { class: "card" }, h("ul", { class: "explain" },
        c.explanation.map((e) => h("li", { text: e }))))] : null);
}

function sourceView(src) {
  if (!src.available)
    return h("p", { class: "muted", text: `${src.path}:${src.line} — ${src.reason}` });
  return h("div", {},
    h("div", { class: "src-line mono", text: `${src.path}:${src.line}` }),
    h("pre", { class: "src" }, src.records.map((r) =>
      h("span", { class: r.match ? "match" : null, text: `${String(r.line).padStart(7)}  ${r.text}\n` }))));
}

function detectionRows(d) {
  const detail = h("tr", { class: "detail", hidden: true }, h("td", { colspan: 6 }));
  const open = async (ev) => {
    ev.preventDefault();
    if (!detail.hidden) { detail.hidden = true; return; }
    detail.hidden = false;
    detail.firstChild.replaceChildren(h("span", { class: "muted", text: "Reading the source record…" }));
    try {
      const one = await api("/api/detections/" + d.id);
      const fields = Object.entries(one.detection.fields || {}).map(([k, v]) => `${k}=${v}`).join("  ");
      detail.firstChild.replaceChildren(...present([
        h("div", { class: "mono", text: fields }),
        d.indicator ? h("div", { class: "mono",
          text: `indicator ${d.indicator.value} (${d.indicator.type}, ${d.indicator.feed}${d.indicator.actor ? ", " + d.indicator.actor : ""})` }) : null,
        sourceView(one.source)]));
    } catch (e) {
      detail.firstChild.replaceChildren(h("span", { class: "error", text: e.message }));
    }
  };
  const row = h("tr", { "data-detection": d.id },
    td(when(d.ts)), td(d.kind), td(pill(d.level, d.level)),
    td(d.rule_title || d.rule_id),
    td(h("a", { href: "#", class: "mono", onclick: open, text: `${d.path}:${d.line}` })),
    td((d.tags || []).filter((t) => t.startsWith("stage.") || t.startsWith("cve.")).join(" ")));
  return [row, detail];
}

async function pageTenant(id) {
  const t = (await api("/api/tenants/" + encodeURIComponent(id))).tenant;
  const tbody = h("tbody", {});
  const more = h("button", { type: "button", text: "More detections" });
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    const q = "/api/detections?limit=100&tenant=" + encodeURIComponent(id) +
      (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    const page = await api(q);
    for (const d of page.detections) tbody.append(...detectionRows(d));
    cursor = page.next;
    more.hidden = !cursor;
    more.disabled = false;
  };
  more.addEventListener("click", () => load().catch((e) => showError(e, route)));
  const camps = t.campaigns || [];
  render(
    h("h1", { text: t.name ? `${t.id} · ${t.name}` : t.id }),
    h("p", { class: "sub", text: [t.country, t.sector].filter(Boolean).join(" · ") +
      (t.in_fleet ? "" : " (not in the fleet)") }),
    h("div", { class: "figures" },
      figure("detections", "detections", t.detections),
      figure("sigma", "Sigma", t.by_kind.sigma), figure("ioc", "indicator", t.by_kind.ioc),
      figure("correlation", "correlation", t.by_kind.correlation),
      figure("days", "days with detections", t.timeline.length)),
    camps.length ? h("p", {}, "Campaigns: ", camps.map((c, i) => [i ? ", " : "",
      h("a", { href: "#/campaign/" + encodeURIComponent(c.id), text: c.name }), " ",
      pill(c.stage, c.stage)])) : null,
    h("h2", { text: "Daily timeline by kind" }),
    h("div", { class: "card" }, dayChart(t.timeline, KINDS, "detections per day and kind")),
    h("h2", { text: "Detections (oldest first; click path:line for the source record)" }),
    h("div", { class: "card" },
      h("table", { id: "detections" },
        h("thead", {}, h("tr", {}, ["Time", "Kind", "Level", "Rule", "Source", "Tags"].map((c) => h("th", { text: c })))),
        tbody),
      more));
  await load();
}

// ---- routing ----------------------------------------------------------------------------

async function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const parts = hash.split("/").filter(Boolean).map(decodeURIComponent);
  statusEl.textContent = "";
  try {
    if (parts[0] === "campaign" && parts[1]) await pageCampaign(parts[1]);
    else if (parts[0] === "tenant" && parts[1]) await pageTenant(parts[1]);
    else if (parts[0] === "tenants") await pageTenants();
    else await pageHome();
    statusEl.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
    document.body.setAttribute("data-ready", hash);
  } catch (e) {
    showError(e, route);
  }
}

window.addEventListener("hashchange", route);
route();
