// The chat page: it talks to this server's own API (POST /v1/chat/completions with "stream",
// GET /v1/models, GET /v1/airtp/settings) exactly as any client would, so it needs nothing the
// API does not already say. Held in the binary so that `airtp serve` works with no files beside it.
#include "serve/page.h"

namespace airtp::serve {

std::string_view page_html() {
  static constexpr std::string_view html = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>airtp chat</title>
<style>
  :root { --fg: #1a1a1a; --muted: #555; --line: #c8c8c8; --bg: #fff; --panel: #f6f6f6; --focus: #0b57d0; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { padding: 10px 18px; border-bottom: 1px solid var(--line); display: flex; gap: 14px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 0; color: var(--muted); }
  main { display: grid; grid-template-columns: minmax(300px, 1fr) minmax(340px, 1.25fr); gap: 16px; padding: 14px 18px; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
  section { min-width: 0; }
  h2 { font-size: 15px; margin: 12px 0 5px; }
  section > h2:first-child { margin-top: 0; }
  #history { list-style: none; margin: 0 0 10px; padding: 8px; height: 250px; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
  #history li { margin: 0 0 8px; padding: 6px 9px; border-radius: 6px; background: #fff; border: 1px solid var(--line); }
  #history li.user { margin-left: 18%; border-color: #9db4d8; }
  #history li.assistant { margin-right: 8%; }
  #history li.note { background: transparent; border-style: dashed; color: var(--muted); font-size: 13px; }
  .who { display: block; font-size: 12px; font-weight: 600; color: var(--muted); }
  .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .flag { font-size: 12px; color: var(--muted); }
  form label { display: block; font-weight: 600; margin-bottom: 3px; }
  textarea { width: 100%; font: inherit; padding: 6px; border: 1px solid #888; border-radius: 5px; resize: vertical; }
  .row { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; margin-top: 8px; }
  .row label { font-weight: normal; font-size: 13px; }
  .row input { width: 5em; font: inherit; padding: 3px 5px; }
  button { font: inherit; padding: 5px 16px; border-radius: 5px; border: 1px solid #444; background: #fff; cursor: pointer; }
  button#send { background: #1f4f99; color: #fff; border-color: #1f4f99; }
  button:disabled { opacity: .45; cursor: default; }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  #status { min-height: 1.4em; margin: 4px 0 0; color: var(--muted); font-size: 13px; }
  #status.error { color: #a00; font-weight: 600; }
  #plot { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
  #plot text { font: 11px system-ui, sans-serif; fill: #333; }
  .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 6px 0; font-size: 13px; }
  .legend svg { vertical-align: middle; margin-right: 4px; }
  .caption { font-size: 12px; color: var(--muted); margin: 0 0 10px; }
  .panels { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  @media (max-width: 600px) { .panels { grid-template-columns: 1fr; } }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; font-size: 13px; }
  dt { color: var(--muted); }
  dd { margin: 0; font-variant-numeric: tabular-nums; }
  #settings { grid-template-columns: auto 1fr auto 1fr; }
  table { border-collapse: collapse; font-size: 13px; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: 2px 6px; border-bottom: 1px solid var(--line); }
  th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<header>
  <h1>airtp chat</h1>
  <p>Tensor-parallel inference across devices; every token shows what it cost.</p>
</header>
<main>
<section aria-labelledby="chat-heading">
  <h2 id="chat-heading">Conversation</h2>
  <ol id="history" role="log" aria-live="polite" aria-label="Messages"></ol>
  <form id="chat-form">
    <label for="message">Message</label>
    <textarea id="message" name="message" rows="2" placeholder="In the beginning" required></textarea>
    <div class="row">
      <div><label for="max-tokens">Max tokens</label><input id="max-tokens" type="number" min="1" max="100000" value="48"></div>
      <div><label for="temperature">Temperature</label><input id="temperature" type="number" min="0" max="100" step="0.1" value="0.8"></div>
      <button id="send" type="submit">Send</button>
      <button id="stop" type="button" disabled>Stop</button>
      <button id="clear" type="button">New chat</button>
    </div>
    <p id="status" role="status"></p>
  </form>
  <h2 id="settings-heading">Run settings</h2>
  <dl id="settings" aria-labelledby="settings-heading"><dt>Status</dt><dd>loading&hellip;</dd></dl>
  <h2 id="totals-heading">Replies</h2>
  <table id="totals" aria-labelledby="totals-heading">
    <thead><tr><th scope="col">Reply</th><th scope="col">Prompt tokens</th><th scope="col">Generated</th><th scope="col">Prefill (tokens/s)</th><th scope="col">Decode (tokens/s)</th><th scope="col">End</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section aria-labelledby="cost-heading">
  <h2 id="cost-heading">Cost per token</h2>
  <svg id="plot" viewBox="0 0 640 330" role="img" aria-labelledby="plot-title plot-desc" data-points="0">
    <title id="plot-title">Per-token compute time, all-reduce time and all-reduce error</title>
    <desc id="plot-desc">No tokens yet.</desc>
  </svg>
  <ul class="legend" id="legend"></ul>
  <p class="caption">Times in ms per token on a log axis (top); the all-reduce error as NMSE, ||error||&sup2; / ||exact||&sup2;, on its own log axis (bottom).
    Compute is the slowest device's per step. With every device in one process, the measured all-reduce time is what simulating the scheme costs; the modelled one is the link's.
    Dashed vertical lines start each reply; its first point is the prompt's prefill, per prompt token.</p>
  <div class="panels">
    <div>
      <h2 id="last-heading">Last token</h2>
      <dl id="last-token" aria-labelledby="last-heading"><dt>Token</dt><dd>none yet</dd></dl>
    </div>
    <div>
      <h2 id="devices-heading">Last token per device</h2>
      <table id="devices" aria-labelledby="devices-heading">
        <thead><tr><th scope="col">Device</th><th scope="col">Compute (ms)</th><th scope="col">Sent (kB)</th><th scope="col">Received (kB)</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </div>
</section>
</main>
<script>
"use strict";
const CHAT_URL = "/v1/chat/completions";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

// The conversation sent with each request, and one record per token for the plot.
let messages = [];
let points = [];       // {compute, sync, link, nmse, reply, prefill}
let replyStarts = [];  // {at: index into points of its first token, reply: its number}
let controller = null;
let replies = 0;

// Each series is told apart by dash pattern and marker shape as well as by colour.
const SERIES = [
  {key: "compute", label: "compute (slowest device)", color: "#1f4f99", dash: "", marker: "circle", panel: 0},
  {key: "sync", label: "all-reduce, measured", color: "#b34700", dash: "7 4", marker: "square", panel: 0},
  {key: "link", label: "all-reduce, modelled (link)", color: "#2e7d32", dash: "2 3", marker: "triangle", panel: 0},
  {key: "nmse", label: "all-reduce error (NMSE)", color: "#7b1fa2", dash: "", marker: "diamond", panel: 1},
];

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function sv(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function marker(shape, x, y, color, r) {
  const common = {fill: "#fff", stroke: color, "stroke-width": 1.5};
  if (shape === "circle") return sv("circle", {cx: x, cy: y, r: r, ...common});
  if (shape === "square") return sv("rect", {x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...common});
  if (shape === "triangle") return sv("polygon", {points: `${x},${y - r - 1} ${x - r - 1},${y + r} ${x + r + 1},${y + r}`, ...common});
  return sv("polygon", {points: `${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`, ...common});
}

function buildLegend() {
  const ul = $("legend");
  for (const s of SERIES) {
    const li = el("li");
    const sw = sv("svg", {width: 34, height: 12, "aria-hidden": "true"});
    sw.appendChild(sv("line", {x1: 1, y1: 6, x2: 33, y2: 6, stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash}));
    sw.appendChild(marker(s.marker, 17, 6, s.color, 3.5));
    li.appendChild(sw);
    li.appendChild(document.createTextNode(s.label));
    li.id = "legend-" + s.key;
    ul.appendChild(li);
  }
}

function tickLabel(k, ms) {
  if (ms && k >= -3 && k <= 4) return String(Number((10 ** k).toPrecision(1)));
  return "1e" + k;
}

// Redrawn whole on every token: a few hundred points cost nothing next to a forward pass.
function draw() {
  const svg = $("plot");
  while (svg.lastChild && svg.lastChild.nodeName !== "desc") svg.removeChild(svg.lastChild);
  const L = 58, R = 628, panels = [{top: 12, bottom: 196, unit: "ms per token"}, {top: 218, bottom: 298, unit: "NMSE"}];
  const n = points.length;
  const x = (i) => n <= 1 ? (L + R) / 2 : L + (R - L) * i / (n - 1);
  svg.setAttribute("data-points", String(n));
  svg.setAttribute("data-nmse-points", String(points.filter((p) => p.nmse > 0).length));
  const step = Math.max(1, Math.ceil(n / 40));  // markers on at most ~40 points per series
  panels.forEach((pan, pi) => {
    const series = SERIES.filter((s) => s.panel === pi);
    const vals = [];
    for (const p of points) for (const s of series) if (p[s.key] > 0) vals.push(p[s.key]);
    let lo = vals.length ? Math.floor(Math.log10(Math.min(...vals))) : (pi ? -6 : -1);
    let hi = vals.length ? Math.ceil(Math.log10(Math.max(...vals))) : (pi ? -2 : 2);
    if (hi <= lo) hi = lo + 1;
    const y = (v) => pan.bottom - (pan.bottom - pan.top) * (Math.log10(v) - lo) / (hi - lo);
    svg.appendChild(sv("rect", {x: L, y: pan.top, width: R - L, height: pan.bottom - pan.top, fill: "none", stroke: "#999"}));
    const every = Math.max(1, Math.ceil((hi - lo) / (pi ? 3 : 6)));
    for (let k = lo; k <= hi; k += every) {
      const yy = y(10 ** k);
      svg.appendChild(sv("line", {x1: L, x2: R, y1: yy, y2: yy, stroke: "#e2e2e2"}));
      svg.appendChild(sv("text", {x: L - 5, y: yy + 4, "text-anchor": "end"}, tickLabel(k, pi === 0)));
    }
    svg.appendChild(sv("text", {x: 12, y: (pan.top + pan.bottom) / 2, transform: `rotate(-90 12 ${(pan.top + pan.bottom) / 2})`, "text-anchor": "middle"}, pan.unit));
    for (const start of replyStarts) {
      const xx = x(start.at);
      svg.appendChild(sv("line", {x1: xx, x2: xx, y1: pan.top, y2: pan.bottom, stroke: "#777", "stroke-dasharray": "4 4"}));
      if (pi === 0) svg.appendChild(sv("text", {x: xx + 3, y: pan.top + 11}, "reply " + start.reply));
    }
    for (const s of series) {
      // A value of zero (an exact all-reduce, an ideal link) has no place on a log axis: a gap.
      let d = "", pen = false;
      points.forEach((p, i) => {
        const v = p[s.key];
        if (!(v > 0)) { pen = false; return; }
        d += (pen ? " L" : " M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
        pen = true;
      });
      if (d) svg.appendChild(sv("path", {d: d, fill: "none", stroke: s.color, "stroke-width": 1.8, "stroke-dasharray": s.dash, "stroke-linejoin": "round"}));
      points.forEach((p, i) => {
        if (p[s.key] > 0 && (i % step === 0 || i === n - 1)) svg.appendChild(marker(s.marker, x(i), y(p[s.key]), s.color, 3));
      });
    }
    if (pi === 1 && !vals.length)
      svg.appendChild(sv("text", {x: (L + R) / 2, y: (pan.top + pan.bottom) / 2 + 4, "text-anchor": "middle"},
                         n ? "no error to show: exact all-reduce, or the error is not measured" : "no tokens yet"));
  });
  svg.appendChild(sv("text", {x: (L + R) / 2, y: 320, "text-anchor": "middle"}, n ? `tokens 1 to ${n}, in order` : "tokens"));
  const last = points[n - 1];
  $("plot-desc").textContent = n ? `${n} tokens over ${replyStarts.length} replies; last token: compute ${fmt(last.compute)} ms, ` +
      `all-reduce measured ${fmt(last.sync)} ms, modelled ${fmt(last.link)} ms, NMSE ${last.nmse === null ? "not measured" : fmt(last.nmse)}.` : "No tokens yet.";
}

function fmt(v, digits) {
  if (v === null || v === undefined) return "—";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1e5) return v.toFixed(digits === undefined ? (a < 1 ? 3 : a < 100 ? 2 : 1) : digits);
  return v.toExponential(2);
}

function fillDl(dl, rows) {
  dl.textContent = "";
  for (const [k, v] of rows) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); }
}

function showCost(a) {
  const c = a.cost;
  points.push({compute: c.parallel_compute_ms, sync: c.sync_ms, link: c.link_ms, nmse: c.allreduce_nmse, prefill: a.phase === "prefill"});
  fillDl($("last-token"), [
    ["Token", `#${a.index + 1} of this reply (id ${a.token}, ${a.phase})`],
    ["Compute", fmt(c.parallel_compute_ms) + " ms (slowest device)"],
    ["All-reduce", `${fmt(c.sync_ms)} ms measured, ${fmt(c.link_ms)} ms modelled`],
    ["All-reduces", fmt(c.allreduces, 0) + " per token"],
    ["Error (NMSE)", c.allreduce_nmse === null ? "not measured" : fmt(c.allreduce_nmse)],
    ["Wall", fmt(c.wall_ms) + " ms"],
  ]);
  const tb = $("devices").tBodies[0];
  tb.textContent = "";
  c.compute_ms_per_device.forEach((ms, d) => {
    const tr = el("tr");
    tr.appendChild(el("td", {}, String(d)));
    tr.appendChild(el("td", {}, fmt(ms)));
    tr.appendChild(el("td", {}, fmt(c.sent_bytes_per_device[d] / 1e3, 2)));
    tr.appendChild(el("td", {}, fmt(c.recv_bytes_per_device[d] / 1e3, 2)));
    tb.appendChild(tr);
  });
  draw();
}

function addTotals(reply, usage, finish) {
  const tr = el("tr");
  const a = usage && usage.airtp;
  const cells = [String(reply), usage ? String(usage.prompt_tokens) : "—", usage ? String(usage.completion_tokens) : "—",
                 a && a.prefill ? fmt(a.prefill.tokens_per_s, 1) : "—", a && a.decode && a.decode.tokens ? fmt(a.decode.tokens_per_s, 1) : "—", finish];
  for (const c of cells) tr.appendChild(el("td", {}, c));
  $("totals").tBodies[0].appendChild(tr);
}

function addMessage(role, text) {
  const li = el("li", {class: role});
  li.appendChild(el("span", {class: "who"}, role === "user" ? "You" : role === "assistant" ? "Model" : "Note"));
  const p = el("p", {class: "text"}, text);
  li.appendChild(p);
  $("history").appendChild(li);
  $("history").scrollTop = $("history").scrollHeight;
  return {li, p};
}

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function busy(on) {
  $("send").disabled = on;
  $("stop").disabled = !on;
  $("message").disabled = on;
}

// Reads server-sent events: calls onData with each "data:" payload.
async function readEvents(body, onData) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    buf += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const ev = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const data = ev.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (data && onData(data) === false) return;
    }
  }
}

// The context holds few tokens: when the conversation no longer fits, its oldest turns are
// left out (the server says so with context_length_exceeded) until the newest message does.
async function post(body, signal) {
  let dropped = 0;
  for (;;) {
    const sent = messages.slice(dropped);
    const res = await fetch(CHAT_URL, {method: "POST", headers: {"Content-Type": "application/json"},
                                       body: JSON.stringify({...body, messages: sent}), signal});
    if (res.ok) { messages.splice(0, dropped); return {res, dropped}; }
    let err = {message: `HTTP ${res.status}`};
    try { err = (await res.json()).error || err; } catch (e) {}
    if (err.code === "context_length_exceeded" && sent.length > 1) { dropped += sent[0].role === "user" && sent.length > 2 ? 2 : 1; continue; }
    throw new Error(err.message);
  }
}

async function send(text) {
  const maxTokens = parseInt($("max-tokens").value, 10);
  const temperature = parseFloat($("temperature").value);
  messages.push({role: "user", content: text});
  addMessage("user", text);
  const reply = ++replies;
  const out = addMessage("assistant", "");
  out.li.setAttribute("aria-busy", "true");
  controller = new AbortController();
  busy(true);
  status("Waiting for the model…");
  let answer = "", finish = "—", usage = null, tokens = 0;
  try {
    const body = {stream: true, temperature: isNaN(temperature) ? 0.8 : temperature};
    if (maxTokens > 0) body.max_tokens = maxTokens;
    const {res, dropped} = await post(body, controller.signal);
    if (dropped) $("history").insertBefore(el("li", {class: "note"}, `${dropped} earlier message${dropped > 1 ? "s" : ""} left out to fit the model's context.`), out.li.previousSibling);
    await readEvents(res.body, (data) => {
      if (data === "[DONE]") return false;
      const j = JSON.parse(data);
      if (j.error) throw new Error(j.error.message);
      const ch = j.choices && j.choices[0];
      if (ch && ch.delta && ch.delta.content) { answer += ch.delta.content; out.p.textContent = answer; $("history").scrollTop = $("history").scrollHeight; }
      if (ch && ch.finish_reason) finish = ch.finish_reason;
      const a = j.usage && j.usage.airtp;
      if (a && a.cost) { if (!tokens++) replyStarts.push({at: points.length, reply}); showCost(a); status(`Streaming: ${tokens} token${tokens > 1 ? "s" : ""}…`); }
      if (a && a.prefill) usage = j.usage;
    });
    status(`Reply ${reply}: ${tokens} tokens, finished (${finish}).`);
  } catch (e) {
    if (e.name === "AbortError") { finish = "stopped"; status(`Reply ${reply} stopped after ${tokens} tokens.`); }
    else { finish = "error"; status("Error: " + e.message, true); }
    out.li.appendChild(el("span", {class: "flag"}, finish === "stopped" ? " (stopped)" : " (failed)"));
  } finally {
    out.li.setAttribute("aria-busy", "false");
    if (answer) messages.push({role: "assistant", content: answer});
    else if (!tokens) messages.pop();  // nothing came back: the turn is not part of the conversation
    addTotals(reply, usage, finish);
    controller = null;
    busy(false);
    $("message").focus();
  }
}

async function loadSettings() {
  try {
    const [models, settings] = await Promise.all([fetch("/v1/models").then((r) => r.json()), fetch("/v1/airtp/settings").then((r) => r.json())]);
    fillDl($("settings"), [
      ["Model", models.data && models.data[0] ? models.data[0].id : "?"],
      ["Devices", `${settings.devices} (${settings.transport})`],
      ["All-reduce", settings.allreduce],
      ["Chat template", settings.chat_template],
      ["Context", `${settings.context} tokens`],
      ["Threads", String(settings.threads)],
    ]);
  } catch (e) {
    fillDl($("settings"), [["Status", "unavailable: " + e.message]]);
  }
}

$("chat-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("message").value.trim();
  if (!text || controller) return;
  $("message").value = "";
  send(text);
});
$("message").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("chat-form").requestSubmit(); }
});
$("stop").addEventListener("click", () => { if (controller) controller.abort(); });
$("clear").addEventListener("click", () => {
  if (controller) controller.abort();
  messages = []; points = []; replyStarts = []; replies = 0;
  $("history").textContent = "";
  $("totals").tBodies[0].textContent = "";
  $("devices").tBodies[0].textContent = "";
  fillDl($("last-token"), [["Token", "none yet"]]);
  status("");
  draw();
});
buildLegend();
draw();
loadSettings();
</script>
</body>
</html>
)html";
  return html;
}

}  // namespace airtp::serve
