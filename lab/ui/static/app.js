// The lab's page: the topology with its live state, the commits, the
// consoles and the captures. The process pushes everything over the state
// WebSocket (topology, then state and event messages).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const $ = (sel, root = document) => root.querySelector(sel);

const lab = {
  topo: null, // the topology message
  state: null, // the last state message
  pos: {}, // node name -> [x, y]
  els: { nodes: {}, links: {} },
  selected: null, // {kind: "node"|"link", id}
  events: [],
};

function el(tag, attrs = {}, ...children) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.setAttribute("class", v);
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// ---- the state WebSocket ----

function wsURL(path) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
}

function connect() {
  const conn = $("#conn");
  const ws = new WebSocket(wsURL("/ws/state"));
  ws.onopen = () => { conn.textContent = "live"; conn.className = "conn live"; };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "topology") onTopology(msg);
    else if (msg.type === "state") onState(msg);
    else if (msg.type === "event") onEvent(msg.event);
  };
  ws.onclose = () => {
    conn.textContent = "disconnected: retrying (if the lab was started again, open the URL mxlab printed)";
    conn.className = "conn down";
    setTimeout(connect, 2000);
  };
}

// ---- topology and layout ----

function posKey() { return "mxlab-ui:" + lab.topo.lab + ":positions"; }

function onTopology(t) {
  const same = lab.topo && JSON.stringify(lab.topo) === JSON.stringify(t);
  if (same) return;
  lab.topo = t;
  document.title = "mxlab lab " + t.lab;
  $("#title").textContent = "lab " + t.lab;
  lab.events = [];
  $("#events").replaceChildren();
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(posKey()) || "{}"); } catch (e) { saved = {}; }
  lab.pos = {};
  for (const n of t.nodes) if (Array.isArray(saved[n.name])) lab.pos[n.name] = saved[n.name];
  layout(t, lab.pos);
  draw();
}

// layout places the nodes without a position: a circle in the order of a
// walk along the links, then springs (links), repulsion between near nodes
// and a little gravity (Fruchterman-Reingold); placed nodes stay.
function layout(t, pos) {
  const G = 0.05; // gravity: long chains fold instead of spreading
  const free = t.nodes.filter((n) => !pos[n.name]).map((n) => n.name);
  if (free.length === 0) return;
  const adj = {};
  for (const n of t.nodes) adj[n.name] = [];
  for (const l of t.links) { adj[l.a.node].push(l.b.node); adj[l.b.node].push(l.a.node); }
  const order = [];
  const seen = new Set();
  for (const start of free) {
    const stack = [start];
    while (stack.length) {
      const n = stack.pop();
      if (seen.has(n) || pos[n]) continue;
      seen.add(n);
      order.push(n);
      for (const m of adj[n].slice().reverse()) stack.push(m);
    }
  }
  const N = t.nodes.length;
  const L = 150;
  const R = Math.max(120, (L * Math.sqrt(N)) / 2);
  order.forEach((n, i) => {
    const a = (2 * Math.PI * i) / order.length - Math.PI / 2;
    pos[n] = [R * Math.cos(a), R * Math.sin(a)];
  });
  const fixed = new Set(t.nodes.map((n) => n.name).filter((n) => !seen.has(n)));
  const names = t.nodes.map((n) => n.name);
  let temp = L;
  for (let it = 0; it < 400; it++) {
    const f = {};
    let cx = 0, cy = 0;
    for (const n of names) { f[n] = [0, 0]; cx += pos[n][0] / N; cy += pos[n][1] / N; }
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const p = pos[names[i]], q = pos[names[j]];
        let dx = p[0] - q[0], dy = p[1] - q[1];
        let d2 = dx * dx + dy * dy;
        if (d2 < 1) { dx = (i - j) * 0.1; dy = 0.1; d2 = dx * dx + dy * dy; }
        if (d2 > 9 * L * L) continue;
        const d = Math.sqrt(d2);
        const rep = (L * L) / d;
        f[names[i]][0] += (dx / d) * rep; f[names[i]][1] += (dy / d) * rep;
        f[names[j]][0] -= (dx / d) * rep; f[names[j]][1] -= (dy / d) * rep;
      }
    }
    for (const l of t.links) {
      const p = pos[l.a.node], q = pos[l.b.node];
      const dx = p[0] - q[0], dy = p[1] - q[1];
      const d = Math.max(1, Math.sqrt(dx * dx + dy * dy));
      const att = (d * d) / L;
      f[l.a.node][0] -= (dx / d) * att; f[l.a.node][1] -= (dy / d) * att;
      f[l.b.node][0] += (dx / d) * att; f[l.b.node][1] += (dy / d) * att;
    }
    for (const n of names) {
      if (fixed.has(n)) continue;
      f[n][0] -= G * (pos[n][0] - cx); f[n][1] -= G * (pos[n][1] - cy);
      const [fx, fy] = f[n];
      const m = Math.sqrt(fx * fx + fy * fy);
      if (m > 0) {
        const s = Math.min(m, temp) / m;
        pos[n][0] += fx * s;
        pos[n][1] += fy * s;
      }
    }
    temp = Math.max(2, temp * 0.985);
  }
}

function fitView() {
  const ps = Object.values(lab.pos);
  if (!ps.length) return;
  const xs = ps.map((p) => p[0]), ys = ps.map((p) => p[1]);
  const m = 120;
  const x0 = Math.min(...xs) - m, y0 = Math.min(...ys) - m;
  const w = Math.max(...xs) - x0 + m, h = Math.max(...ys) - y0 + m + 60;
  $("#topo").setAttribute("viewBox", `${x0} ${y0} ${w} ${h}`);
}

function savePositions() {
  try { localStorage.setItem(posKey(), JSON.stringify(lab.pos)); } catch (e) { /* private mode */ }
}

function draw() {
  const t = lab.topo;
  const gl = $("#links"), gn = $("#nodes");
  gl.replaceChildren();
  gn.replaceChildren();
  lab.els = { nodes: {}, links: {} };
  for (const l of t.links) {
    const g = el("svg:g", { class: "link unknown", id: "link-" + l.id, "data-a": l.a.node + ":" + l.a.port, "data-b": l.b.node + ":" + l.b.port });
    const hit = el("svg:line", { class: "hit" });
    const wire = el("svg:line", { class: "wire" });
    const pa = el("svg:text", { class: "port port-a", text: l.a.port });
    const pb = el("svg:text", { class: "port port-b", text: l.b.port });
    const rate = el("svg:text", { class: "rate", text: "" });
    g.append(hit, wire, pa, pb, rate);
    g.addEventListener("click", () => select("link", l.id));
    gl.append(g);
    lab.els.links[l.id] = { g, hit, wire, pa, pb, rate, l };
  }
  for (const n of t.nodes) {
    const router = n.kind === "mx";
    const g = el("svg:g", { class: "node " + (router ? "router" : "host"), id: "node-" + n.name, "data-name": n.name });
    const w = router ? 96 : 72, h = router ? 46 : 34;
    g.append(
      el("svg:rect", { class: "box", x: -w / 2, y: -h / 2, width: w, height: h, rx: router ? 10 : 4 }),
      el("svg:text", { class: "label", y: router ? -2 : 5, text: n.name }),
    );
    if (router) g.append(el("svg:text", { class: "model", y: 14, text: n.model || "" }));
    const badges = el("svg:g", { class: "badges", transform: `translate(0 ${h / 2 + 14})` });
    g.append(badges);
    dragNode(g, n.name);
    gn.append(g);
    lab.els.nodes[n.name] = { g, badges, n };
  }
  fitView();
  placeAll();
  if (lab.state) onState(lab.state);
}

function placeAll() {
  for (const name in lab.els.nodes) placeNode(name);
  for (const id in lab.els.links) placeLink(lab.els.links[id]);
}

function placeNode(name) {
  const [x, y] = lab.pos[name];
  lab.els.nodes[name].g.setAttribute("transform", `translate(${x} ${y})`);
}

// boxSize is the width and height of a node's box.
function boxSize(name) {
  return lab.els.nodes[name].n.kind === "mx" ? [96, 46] : [72, 34];
}

// edge returns how far from a node's centre a line leaves its box.
function edge(name, ux, uy) {
  const [w, h] = boxSize(name);
  return Math.min(ux ? w / 2 / Math.abs(ux) : Infinity, uy ? h / 2 / Math.abs(uy) : Infinity);
}

function placeLink(e) {
  const [x1, y1] = lab.pos[e.l.a.node], [x2, y2] = lab.pos[e.l.b.node];
  for (const line of [e.hit, e.wire]) {
    line.setAttribute("x1", x1); line.setAttribute("y1", y1);
    line.setAttribute("x2", x2); line.setAttribute("y2", y2);
  }
  const dx = x2 - x1, dy = y2 - y1;
  const d = Math.max(1, Math.sqrt(dx * dx + dy * dy));
  const ux = dx / d, uy = dy / d;
  // Each port name just outside its node's box, beside the line.
  const side = (ux >= 0 ? 1 : -1) * 9;
  const label = (t, el) => {
    el.setAttribute("x", x1 + ux * t - uy * side);
    el.setAttribute("y", y1 + uy * t + ux * side + 3);
  };
  label(Math.min(d / 2, edge(e.l.a.node, ux, uy) + 30), e.pa);
  label(Math.max(d / 2, d - edge(e.l.b.node, ux, uy) - 30), e.pb);
  e.rate.setAttribute("x", (x1 + x2) / 2 + uy * 14); e.rate.setAttribute("y", (y1 + y2) / 2 - ux * 14);
}

function svgPoint(evt) {
  const svg = $("#topo");
  const p = svg.createSVGPoint();
  p.x = evt.clientX; p.y = evt.clientY;
  return p.matrixTransform(svg.getScreenCTM().inverse());
}

function dragNode(g, name) {
  let start = null;
  g.addEventListener("pointerdown", (evt) => {
    evt.preventDefault();
    g.setPointerCapture(evt.pointerId);
    const p = svgPoint(evt);
    start = { p, pos: lab.pos[name].slice(), moved: false };
  });
  g.addEventListener("pointermove", (evt) => {
    if (!start) return;
    const p = svgPoint(evt);
    const dx = p.x - start.p.x, dy = p.y - start.p.y;
    if (!start.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    start.moved = true;
    lab.pos[name] = [start.pos[0] + dx, start.pos[1] + dy];
    placeNode(name);
    for (const id in lab.els.links) {
      const e = lab.els.links[id];
      if (e.l.a.node === name || e.l.b.node === name) placeLink(e);
    }
  });
  g.addEventListener("pointerup", () => {
    if (start && start.moved) savePositions();
    else if (start) select("node", name);
    start = null;
  });
  g.addEventListener("dblclick", () => openConsole(name));
}

// ---- state ----

function fmtRate(v, unit) {
  if (v >= 1e9) return (v / 1e9).toFixed(1) + " G" + unit;
  if (v >= 1e6) return (v / 1e6).toFixed(1) + " M" + unit;
  if (v >= 1e4) return (v / 1e3).toFixed(0) + " k" + unit;
  return v + " " + unit;
}

function onState(s) {
  lab.state = s;
  if (!lab.topo) return;
  for (const ls of s.links || []) {
    const e = lab.els.links[ls.id];
    if (!e) continue;
    e.g.setAttribute("class", "link " + (!ls.known ? "unknown" : ls.up ? "up" : "down"));
    e.pa.setAttribute("class", "port port-a" + (ls.known && !ls.aUp ? " end-down" : ""));
    e.pb.setAttribute("class", "port port-b" + (ls.known && !ls.bUp ? " end-down" : ""));
    const [ab, ba] = ls.pps;
    e.rate.textContent = ab || ba ? `${ab} \u2192 ${ba} \u2190 pps` : "";
  }
  for (const name in lab.els.nodes) {
    const { badges, n, g } = lab.els.nodes[name];
    const ns = s.nodes[name];
    badges.replaceChildren();
    if (!ns) continue;
    const lines = [];
    const major = ns.alarms.filter((a) => a.class === "Major").length;
    if (ns.alarms.length) {
      const cls = major ? "major" : "minor";
      lines.push({ cls: "badge badge-alarm " + cls, text: `${ns.alarms.length} alarm${ns.alarms.length > 1 ? "s" : ""} (${major ? "Major" : "Minor"})` });
    }
    for (const p of ns.services || []) {
      const text = p.online ? `${p.name}: ${p.sas} SA, ${p.tunnels} tunnel${p.tunnels === 1 ? "" : "s"}` : `${p.name}: offline`;
      lines.push({ cls: "badge badge-sa" + (p.online && p.sas > 0 && !p.fault ? " ok" : " bad"), text, pic: p.name });
    }
    if (ns.ospf) {
      const full = ns.ospf.filter((a) => a.state === "Full").length;
      lines.push({ cls: "badge badge-ospf" + (full === ns.ospf.length && full > 0 ? " ok" : " bad"), text: `OSPF ${full}/${ns.ospf.length} Full` });
    }
    lines.forEach((b, i) => {
      const t = el("svg:text", { class: b.cls, y: i * 14, text: b.text });
      if (b.pic) t.setAttribute("data-pic", b.pic);
      badges.append(t);
    });
    g.classList.toggle("alarmed", ns.alarms.length > 0);
  }
  showDetails();
}

function onEvent(e) {
  lab.events.push(e);
  const when = new Date(e.time).toLocaleTimeString();
  const how = e.via && e.via !== "cli" ? ` via ${e.via}` : "";
  const what = e.comment ? ` \u201c${e.comment}\u201d` : "";
  const conf = e.confirm ? ` (confirmed, ${e.confirm} min)` : "";
  const li = el("li", { class: "event" },
    el("details", {},
      el("summary", {}, el("span", { class: "when", text: when }), " ", el("b", { text: e.router }), ` ${e.user}${how} committed${what}${conf}`),
      el("pre", { class: "diff", text: e.diff || "(no change)" })));
  $("#events").prepend(li);
}

// ---- details of the selection ----

function select(kind, id) {
  lab.selected = { kind, id };
  for (const g of document.querySelectorAll(".selected")) g.classList.remove("selected");
  const g = kind === "node" ? lab.els.nodes[id].g : lab.els.links[id].g;
  g.classList.add("selected");
  showDetails(true);
}

function showDetails(force) {
  const sel = lab.selected;
  const box = $("#details");
  if (!sel || !lab.topo) return;
  // Keep the capture form as the user left it while the state updates.
  if (!force && sel.kind === "link" && box.contains(document.activeElement)) { updateLinkFigures(); return; }
  box.replaceChildren(sel.kind === "node" ? nodeDetails(sel.id) : linkDetails(sel.id));
}

function table(head, rows) {
  return el("table", {}, el("tr", {}, ...head.map((h) => el("th", { text: h }))),
    ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: String(c) })))));
}

function nodeDetails(name) {
  const n = lab.els.nodes[name].n;
  const ns = lab.state && lab.state.nodes[name];
  const router = n.kind === "mx";
  const frag = el("div", { class: "node-details" },
    el("h2", { text: `${name}${router ? " (" + (n.model || "mx") + ")" : " (linux host)"}` }),
    el("button", { class: "open-console", text: router ? "Open CLI" : "Open shell", onclick: () => openConsole(name) }));
  const links = lab.topo.links.filter((l) => l.a.node === name || l.b.node === name);
  frag.append(el("h3", { text: "Links" }), table(["port", "to", "state"], links.map((l) => {
    const [me, other] = l.a.node === name ? [l.a, l.b] : [l.b, l.a];
    const ls = lab.state && lab.state.links[l.id];
    return [me.port, `${other.node} ${other.port}`, ls && ls.known ? (ls.up ? "up" : "down") : "?"];
  })));
  if (!ns) return frag;
  frag.append(el("h3", { text: "Alarms" }), ns.alarms.length
    ? table(["time", "class", "description"], ns.alarms.map((a) => [new Date(a.time).toLocaleTimeString(), a.class, a.desc]))
    : el("p", { text: "No alarms currently active" }));
  const cards = [];
  for (const c of ns.cards || []) {
    cards.push([`FPC ${c.slot}`, c.state, c.desc]);
    if (c.state === "Online") for (const p of c.pics) cards.push([`  PIC ${p.slot}`, p.state, p.desc]);
  }
  frag.append(el("h3", { text: "FPCs and PICs" }), table(["slot", "state", "type"], cards));
  if (ns.services && ns.services.length) {
    frag.append(el("h3", { text: "Service PICs" }), table(["PIC", "state", "service sets", "SAs", "tunnels", "fault"],
      ns.services.map((p) => [p.name, p.online ? "Online" : "Offline", p.sets, p.sas, p.tunnels, p.fault || ""])));
  }
  if (ns.ospf) {
    frag.append(el("h3", { text: "OSPF neighbours" }), table(["neighbor", "address", "interface", "state"],
      ns.ospf.map((a) => [a.neighbor, a.address, a.interface, a.state])));
  }
  frag.append(el("p", { text: `CLI sessions: ${ns.users}` }));
  return frag;
}

function linkFigures(id) {
  const l = lab.topo.links[id];
  const ls = lab.state && lab.state.links[id];
  if (!ls) return "";
  const st = !ls.known ? "unknown" : ls.up ? "up" : `down (${l.a.node} ${ls.aUp ? "up" : "down"}, ${l.b.node} ${ls.bUp ? "up" : "down"})`;
  return `state ${st}; ${l.a.node} \u2192 ${l.b.node} ${fmtRate(ls.pps[0], "pps")}, ${fmtRate(ls.bps[0], "bit/s")}; ` +
    `${l.b.node} \u2192 ${l.a.node} ${fmtRate(ls.pps[1], "pps")}, ${fmtRate(ls.bps[1], "bit/s")}`;
}

function updateLinkFigures() {
  const f = $("#link-figures");
  if (f && lab.selected) f.textContent = linkFigures(lab.selected.id);
}

function linkDetails(id) {
  const l = lab.topo.links[id];
  const secs = el("input", { id: "capture-seconds", type: "number", min: 1, max: 300, value: 10 });
  const status = el("p", { id: "capture-status", class: "hint" });
  const start = el("button", { id: "capture-start", text: "Capture" });
  start.addEventListener("click", () => {
    const n = Math.max(1, Math.min(300, parseInt(secs.value, 10) || 10));
    const a = el("a", { href: `capture?link=${id}&seconds=${n}`, download: "" });
    document.body.append(a);
    a.click();
    a.remove();
    status.textContent = `Capturing ${l.a.node} ${l.a.port} for ${n} s: the pcap downloads when it ends.`;
  });
  const keys = el("a", { href: "keys", download: "esp_sa", text: "esp_sa" });
  return el("div", { class: "link-details" },
    el("h2", { text: `${l.a.node} ${l.a.port} \u2014 ${l.b.node} ${l.b.port}` }),
    el("p", { id: "link-figures", text: linkFigures(id) }),
    el("h3", { text: "Capture" }),
    el("p", {}, "Seconds ", secs, " ", start),
    status,
    el("p", { class: "hint" },
      "The capture is taken at ", el("b", { text: `${l.a.node} ${l.a.port}` }),
      " and saved as pcap. ESP on it opens decrypted in Wireshark with the routers' keys: download ", keys,
      " (the ESP SAs installed now, with their keys; the same lines as ", el("code", { text: "mxlab lab keys NODE" }),
      "), save it as esp_sa in Wireshark's personal configuration folder (~/.config/wireshark/) and tick ",
      el("i", { text: "Preferences \u203a Protocols \u203a ESP \u203a Attempt to detect/decode encrypted ESP payloads" }),
      "; or: ", el("code", { text: "tshark -r FILE.pcap -o esp.enable_encryption_decode:TRUE -o 'uat:esp_sa:LINE'" }),
      " with one -o per line of the file."));
}

// ---- consoles ----

let consoleSeq = 0;
// The terminals by window id: consoles["console-1"].text() is what it shows.
const consoles = {};
window.mxlabConsoles = consoles;

function openConsole(name) {
  const n = lab.els.nodes[name].n;
  const router = n.kind === "mx";
  const id = "console-" + ++consoleSeq;
  const pre = el("pre", { class: "term" });
  const input = el("textarea", { class: "keys", spellcheck: "false", autocapitalize: "off", "aria-label": "terminal input" });
  const screen = el("div", { class: "screen" }, pre);
  const status = el("span", { class: "status", text: "connecting" });
  const close = el("button", { class: "close", title: "close", text: "\u00d7" });
  const bar = el("div", { class: "bar" }, el("span", { class: "title", text: `${name} ${router ? "CLI" : "shell"}` }), status, close);
  const win = el("div", { class: "console", id, "data-node": name }, bar, screen, input);
  const off = (consoleSeq % 6) * 28;
  win.style.left = 40 + off + "px";
  win.style.top = 80 + off + "px";
  $("#consoles").append(win);
  const size = termSize(screen);
  const term = new Term(pre, size[0], size[1]);
  consoles[id] = term;
  const user = ($("#user").value || "lab").trim();
  const q = new URLSearchParams({ node: name, cols: size[0], rows: size[1] });
  if (router) q.set("user", user);
  const ws = new WebSocket(wsURL("/ws/console?" + q));
  ws.binaryType = "arraybuffer";
  const enc = new TextEncoder();
  const send = (s) => { if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(s)); };
  ws.onopen = () => { status.textContent = ""; };
  ws.onmessage = (m) => { if (typeof m.data !== "string") term.write(new Uint8Array(m.data)); };
  ws.onclose = (e) => {
    status.textContent = "closed";
    term.write(`\r\n[${e.reason || "connection closed"}]\r\n`);
    win.classList.add("ended");
  };
  input.addEventListener("keydown", (e) => {
    const b = keyBytes(e);
    if (b === null) return;
    e.preventDefault();
    send(b);
  });
  input.addEventListener("input", () => { // text the keys did not give (IME, autofill)
    if (input.value) { send(input.value.replace(/\n/g, "\r")); input.value = ""; }
  });
  input.addEventListener("paste", (e) => {
    e.preventDefault();
    send(e.clipboardData.getData("text").replace(/\r?\n/g, "\r"));
  });
  win.addEventListener("mousedown", () => raise(win));
  screen.addEventListener("mouseup", () => { if (window.getSelection().toString() === "") input.focus(); });
  close.addEventListener("click", () => { ws.close(); win.remove(); delete consoles[id]; });
  dragWindow(win, bar);
  new ResizeObserver(() => {
    const [c, r] = termSize(screen);
    if (c === term.cols && r === term.rows) return;
    term.resize(c, r);
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ cols: c, rows: r }));
  }).observe(screen);
  raise(win);
  input.focus();
  return id;
}

// termSize returns the columns and rows that fit the screen element.
function termSize(screen) {
  const probe = el("span", { class: "probe", text: "MMMMMMMMMM" });
  screen.append(probe);
  const r = probe.getBoundingClientRect();
  probe.remove();
  const cw = r.width / 10 || 8, ch = r.height || 16;
  const cols = Math.max(20, Math.min(400, Math.floor((screen.clientWidth - 8) / cw)));
  const rows = Math.max(4, Math.min(200, Math.floor((screen.clientHeight - 4) / ch)));
  return [cols, rows];
}

let zTop = 10;
function raise(win) { win.style.zIndex = ++zTop; }

function dragWindow(win, bar) {
  let start = null;
  bar.addEventListener("pointerdown", (e) => {
    if (e.target.tagName === "BUTTON") return;
    start = { x: e.clientX, y: e.clientY, left: win.offsetLeft, top: win.offsetTop };
    bar.setPointerCapture(e.pointerId);
  });
  bar.addEventListener("pointermove", (e) => {
    if (!start) return;
    win.style.left = Math.max(0, start.left + e.clientX - start.x) + "px";
    win.style.top = Math.max(0, start.top + e.clientY - start.y) + "px";
  });
  bar.addEventListener("pointerup", () => { start = null; $(".keys", win).focus(); });
}

// ---- the header ----

function setup() {
  const user = $("#user");
  user.value = localStorage.getItem("mxlab-ui:user") || "lab";
  user.addEventListener("change", () => localStorage.setItem("mxlab-ui:user", user.value.trim() || "lab"));
  $("#relayout").addEventListener("click", () => {
    if (!lab.topo) return;
    lab.pos = {};
    layout(lab.topo, lab.pos);
    savePositions();
    draw();
  });
  const svg = $("#topo");
  let pan = null; // dragging the background moves the view
  svg.addEventListener("pointerdown", (e) => {
    if (e.target !== svg) return;
    const vb = svg.viewBox.baseVal;
    pan = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y, k: vb.width / svg.clientWidth };
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!pan) return;
    const vb = svg.viewBox.baseVal;
    const k = Math.max(pan.k, vb.height / svg.clientHeight);
    svg.setAttribute("viewBox", `${pan.vx - (e.clientX - pan.x) * k} ${pan.vy - (e.clientY - pan.y) * k} ${vb.width} ${vb.height}`);
  });
  svg.addEventListener("pointerup", () => { pan = null; });
  svg.addEventListener("wheel", (e) => { // zoom about the pointer
    e.preventDefault();
    const vb = svg.viewBox.baseVal;
    const p = svgPoint(e);
    const k = e.deltaY > 0 ? 1.1 : 1 / 1.1;
    svg.setAttribute("viewBox", `${p.x - (p.x - vb.x) * k} ${p.y - (p.y - vb.y) * k} ${vb.width * k} ${vb.height * k}`);
  }, { passive: false });
  connect();
}

setup();
