// samaudio page: everything it shows comes from the JSON API (/api/...); no audio is decoded
// here. The waveform is drawn from peaks the server computes and played from a media element
// the server feeds with range requests, so an hour-long file is never held whole in the page.
"use strict";

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token");
const S = { session: null, ab: "B", marks: [], mask: null, job: null, ws: null, regions: null, stemsOf: null };

function withToken(url) {
  if (!token) return url;
  return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

async function api(method, url, body, raw) {
  const opts = { method, headers: {} };
  if (token) opts.headers["Authorization"] = "Bearer " + token;
  if (raw) opts.body = raw;
  else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
  if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  return data;
}

function status(text, isError) {
  $("status").textContent = text || "";
  $("status").className = isError ? "error" : "";
}

function clock(t) {
  const m = Math.floor(t / 60), s = t - 60 * m;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

const fmt = (x) => (Math.round(x * 100) / 100).toString();

// ----- files and sessions ---------------------------------------------------------------
async function refreshLists() {
  const files = (await api("GET", "/api/files")).files;
  $("file-list").innerHTML = files.map((f) => `<option value="${encodeURI(f.path)}">${f.path}</option>`).join("")
    || "<option value=''>(no media in the workspace)</option>";
  const sessions = (await api("GET", "/api/sessions")).sessions;
  $("session-list").innerHTML = sessions.map((s) => `<option value="${s.name}">${s.name} (${s.input}, ${s.versions} versions)</option>`).join("")
    || "<option value=''>(no sessions yet)</option>";
}

async function openPath() {
  const path = decodeURI($("file-list").value || "");
  if (!path) return;
  status("opening…");
  try { await show(await api("POST", "/api/open", { path })); status(""); }
  catch (e) { status(e.message, true); }
}

function uploadWithProgress(file) {
  // XHR rather than fetch: it reports upload progress, which a long recording needs.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/upload?name=" + encodeURIComponent(file.name));
    if (token) xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) status(`uploading ${file.name}: ${Math.round((100 * e.loaded) / e.total)} %`);
    };
    xhr.upload.onload = () => status(`checking ${file.name} (decoding it once)…`);
    xhr.onload = () => {
      let data;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = { error: `HTTP ${xhr.status}` }; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data); else reject(new Error(data.error || `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("upload failed: the server could not be reached"));
    xhr.send(file);
  });
}

async function upload(file) {
  status(`uploading ${file.name}…`);
  try {
    await show(await uploadWithProgress(file));
    status(""); refreshLists();
  } catch (e) { status(e.message, true); }
}

async function resume() {
  const name = $("session-list").value;
  if (!name) return;
  try { await show(await api("GET", `/api/sessions/${name}`)); } catch (e) { status(e.message, true); }
}

// ----- the waveform -------------------------------------------------------------------------
function versionId() { return S.ab === "A" ? 0 : S.session.current; }
function base() { return `/api/sessions/${S.session.name}`; }

function ensureWave() {
  if (S.ws) return;
  S.regions = WaveSurfer.Regions.create();
  S.ws = WaveSurfer.create({
    container: "#waveform", height: 128, waveColor: "#4f7da8", progressColor: "#9fd3ff", cursorColor: "#fff",
    normalize: true, minPxPerSec: 0, autoScroll: true, plugins: [S.regions, WaveSurfer.Timeline.create()],
  });
  S.regions.enableDragSelection({ color: "rgba(60,200,120,.28)" });
  S.regions.on("region-created", (r) => {
    if (S.restoring) return;  // a mark being redrawn, not a new one
    const kind = document.querySelector("input[name=kind]:checked").value;
    S.marks.push({ id: r.id, kind, start: r.start, end: r.end });
    r.setOptions({ color: markColor(kind), content: kindLabel(kind) });
    renderMarks();
  });
  S.regions.on("region-updated", (r) => {
    const m = S.marks.find((x) => x.id === r.id);
    if (m) { m.start = r.start; m.end = r.end; renderMarks(); }
  });
  S.ws.on("timeupdate", (t) => { $("clock").textContent = clock(t); if (S.session && S.session.is_video && !S.scrubbing) syncFrame(t); });
  S.ws.on("play", () => ($("play-btn").textContent = "Pause"));
  S.ws.on("pause", () => ($("play-btn").textContent = "Play"));
  S.ws.on("scroll", (_a, _b, left) => { $("spectro-wrap").scrollLeft = left; });
  S.ws.on("zoom", () => sizeSpectro());
}

const markColor = (k) => ({ plus: "rgba(60,200,120,.28)", minus: "rgba(240,80,80,.28)", range: "rgba(80,140,255,.22)" })[k];
const kindLabel = (k) => ({ plus: "+", minus: "−", range: "range" })[k];

function renderMarks() {
  const by = (k) => S.marks.filter((m) => m.kind === k).map((m) => `${fmt(m.start)}-${fmt(m.end)} s`);
  const parts = [];
  if (by("plus").length) parts.push("+ spans (clearly audible): " + by("plus").join(", "));
  if (by("minus").length) parts.push("− spans (absent): " + by("minus").join(", "));
  if (by("range").length) parts.push("only in: " + by("range").join(", "));
  if (S.mask) parts.push(S.mask.box ? `video box ${S.mask.box.map(fmt).join(",")}` : `video point ${S.mask.points[0].map(fmt).join(",")}`);
  $("marks-text").textContent = parts.join(" · ");
}

function restoreRegions() {
  // After a load, draw the marks again; addRegion fires region-created synchronously.
  S.restoring = true;
  try {
    S.regions.clearRegions();
    for (const m of S.marks) {
      m.id = S.regions.addRegion({ start: m.start, end: m.end, color: markColor(m.kind), content: kindLabel(m.kind) }).id;
    }
  } finally { S.restoring = false; }
}

async function loadWave(keepTime) {
  ensureWave();
  const vid = versionId();
  const t = keepTime ? S.ws.getCurrentTime() : 0;
  const playing = keepTime && S.ws.isPlaying();
  // Enough peaks to zoom in (25 a second, at least 8 a pixel), few enough to send: <= 200k.
  const width = Math.max(600, $("waveform").clientWidth);
  const seconds = S.session.versions[vid].duration;
  const n = Math.min(200000, Math.max(width * 8, Math.round(seconds * 25)));
  const p = await api("GET", `${base()}/peaks/${vid}?n=${n}`);
  await S.ws.load(withToken(`${base()}/media/${vid}`), [p.peaks], p.duration);
  restoreRegions();
  $("spectro").src = withToken(`${base()}/spectrogram/${vid}?width=1600&height=128`);
  sizeSpectro();
  if (keepTime) { S.ws.setTime(Math.min(t, p.duration)); if (playing) S.ws.play(); }
  $("ab-btn").textContent = S.ab === "A" ? "A/B: original" : `A/B: version ${S.session.current}`;
  $("ab-btn").dataset.state = S.ab;
}

function sizeSpectro() {
  if (!S.ws) return;
  const w = S.ws.getWrapper().scrollWidth;
  $("spectro").style.width = w ? w + "px" : "100%";
}

// ----- the video ------------------------------------------------------------------------------
let frameTimer = null, lastFrameT = -1;
function syncFrame(t) {
  $("scrub").value = t;
  $("scrub-time").textContent = clock(t);
  if (Math.abs(t - lastFrameT) < 0.5 || frameTimer) return;
  frameTimer = setTimeout(() => { frameTimer = null; }, 250);
  lastFrameT = t;
  $("frame").src = withToken(`${base()}/frame?t=${t.toFixed(2)}`);
}

function setupVideo() {
  const on = S.session.is_video;
  $("video-panel").hidden = !on;
  if (!on) return;
  $("scrub").max = S.session.original_duration;
  syncFrame(0);
}

function drawMask() {
  const c = $("frame-draw"), img = $("frame");
  c.width = img.clientWidth; c.height = img.clientHeight;
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  if (!S.mask) return;
  g.strokeStyle = "#4fb3ff"; g.lineWidth = 2; g.fillStyle = "rgba(79,179,255,.2)";
  if (S.mask.box) {
    const [x0, y0, x1, y1] = S.mask.box;
    g.fillRect(x0 * c.width, y0 * c.height, (x1 - x0) * c.width, (y1 - y0) * c.height);
    g.strokeRect(x0 * c.width, y0 * c.height, (x1 - x0) * c.width, (y1 - y0) * c.height);
  } else {
    const [x, y] = S.mask.points[0];
    g.beginPath(); g.arc(x * c.width, y * c.height, 8, 0, 2 * Math.PI); g.fill(); g.stroke();
  }
}

function setupMaskDrawing() {
  const c = $("frame-draw");
  let start = null;
  const frac = (e) => {
    const r = c.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  };
  c.addEventListener("mousedown", (e) => { start = frac(e); });
  c.addEventListener("mouseup", (e) => {
    if (!start) return;
    const end = frac(e);
    const tool = document.querySelector("input[name=vtool]:checked").value;
    if (tool === "point" || (Math.abs(end[0] - start[0]) < 0.01 && Math.abs(end[1] - start[1]) < 0.01)) {
      S.mask = { points: [end] };
    } else {
      S.mask = { box: [Math.min(start[0], end[0]), Math.min(start[1], end[1]), Math.max(start[0], end[0]), Math.max(start[1], end[1])] };
    }
    start = null; drawMask(); renderMarks();
  });
  $("frame").addEventListener("load", drawMask);
  $("scrub").addEventListener("input", () => {
    S.scrubbing = true; const t = parseFloat($("scrub").value);
    lastFrameT = -1; syncFrame(t); if (S.ws) S.ws.setTime(t); S.scrubbing = false;
  });
  $("clear-mask").addEventListener("click", () => { S.mask = null; drawMask(); renderMarks(); });
}

// ----- session state -----------------------------------------------------------------------
function stepText(step) {
  if (!step) return "original";
  if (step.op === "separate") {
    const what = step.target || "marked sound";
    const a = step.action === "gain" ? `${what} ${step.db > 0 ? "+" : ""}${step.db} dB` : `${step.action} ${what}`;
    return a + (step.spans ? ` (spans ${step.spans.map((s) => s.map(fmt).join("-")).join(", ")})` : "")
      + (step.range ? ` in ${step.range.map((s) => s.map(fmt).join("-")).join(", ")}` : "") + (step.mask ? " (video mask)" : "");
  }
  if (step.op === "remix") return `remix of v${step.of}: target ${step.gains_db.target} dB, rest ${step.gains_db.residual} dB`;
  const args = Object.entries(step).filter(([k]) => k !== "op").map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ");
  return step.op + (args ? ` (${args})` : "");
}

function scoreText(sc) {
  if (!sc) return "";
  return `judge ${fmt(sc.overall)}/5 · recall ${fmt(sc.recall)} · precision ${fmt(sc.precision)} · faithfulness ${fmt(sc.faithfulness)}`;
}

async function show(session, keepTime) {
  const fresh = !S.session || S.session.name !== session.name;
  S.session = session;
  if (fresh) { S.marks = []; S.mask = null; S.ab = "B"; renderMarks(); }
  $("main").hidden = false;
  $("title").textContent = `${session.input} · ${clock(session.duration)} · ${session.sample_rate} Hz · ${session.channels} ch`;
  $("versions").innerHTML = session.versions.filter((v) => v.on_stack || v.id === session.current).map((v) =>
    `<li class="${v.id === session.current ? "current" : ""}" data-id="${v.id}"><b>v${v.id}</b> ${stepText(v.step)}`
    + (v.scores ? `<div class="scores">${scoreText(v.scores)}</div>` : "") + "</li>").join("");
  $("undo-btn").disabled = session.stack.length <= 1;
  $("exports").innerHTML = session.exports.map((e) => `<li><a href="${withToken(e.url)}" download>${e.name}</a> (v${e.version})</li>`).join("");
  const cur = session.versions[session.current];
  $("stems").hidden = !cur.has_stems;
  if (cur.has_stems && S.stemsOf !== cur.id) setupStems(cur.id);
  if (!cur.has_stems) S.stemsOf = null;
  if (fresh) setupVideo();
  await loadWave(!fresh && keepTime !== false);
}

// ----- stems ---------------------------------------------------------------------------------
let audioCtx = null;
const gains = {};
function setupStems(vid) {
  S.stemsOf = vid;
  $("stems-version").textContent = vid;
  for (const name of ["target", "residual"]) {
    const el = $(`stem-${name}`);
    el.src = withToken(`${base()}/stems/${vid}/${name}`);
    $(`gain-${name}`).value = 0;
    $(`gain-${name}-v`).textContent = "0 dB";
    if (gains[name]) gains[name].gain.value = 1;
  }
}

function stemGain(name) {
  // A gain node per player, so the sliders can boost as well as cut (element volume only cuts).
  if (!audioCtx) audioCtx = new AudioContext();
  if (!gains[name]) {
    const src = audioCtx.createMediaElementSource($(`stem-${name}`));
    gains[name] = audioCtx.createGain();
    src.connect(gains[name]).connect(audioCtx.destination);
  }
  return gains[name];
}

for (const name of ["target", "residual"]) {
  document.addEventListener("DOMContentLoaded", () => {
    $(`gain-${name}`).addEventListener("input", () => {
      const db = parseFloat($(`gain-${name}`).value);
      $(`gain-${name}-v`).textContent = `${db > 0 ? "+" : ""}${db} dB`;
      stemGain(name).gain.value = Math.pow(10, db / 20);
    });
    $(`stem-${name}`).addEventListener("play", () => { stemGain(name); if (audioCtx.state === "suspended") audioCtx.resume(); });
  });
}

async function applyMix() {
  try {
    const r = await api("POST", `${base()}/remix`, {
      version: S.stemsOf, target_db: parseFloat($("gain-target").value), residual_db: parseFloat($("gain-residual").value),
    });
    say(r.message, "agent");
    S.ab = "B"; await show(r.session);
  } catch (e) { say(e.message, "error"); }
}

// ----- chat ------------------------------------------------------------------------------------
function say(text, who, extra) {
  const d = document.createElement("div");
  d.className = "msg " + who;
  d.textContent = text;
  if (extra) d.appendChild(extra);
  $("log").appendChild(d);
  $("log").scrollTop = $("log").scrollHeight;
  return d;
}

function pointed() {
  const iv = (k) => S.marks.filter((m) => m.kind === k).map((m) => [+m.start.toFixed(3), +m.end.toFixed(3)]);
  const p = { spans: iv("plus"), absent: iv("minus"), range: iv("range") };
  if (S.mask && S.mask.box) p.box = S.mask.box.map((x) => +x.toFixed(4));
  if (S.mask && S.mask.points) p.points = S.mask.points.map((pt) => pt.map((x) => +x.toFixed(4)));
  return p;
}

function busy(on) {
  $("send-btn").disabled = on; $("cancel-btn").hidden = !on; $("progress").hidden = !on;
  for (const id of ["undo-btn", "reset-btn", "apply-btn", "mic-btn"]) $(id).disabled = on;
}

async function send() {
  const text = $("instruction").value.trim();
  if (!text || !S.session) return;
  say(text + ($("marks-text").textContent ? `  [${$("marks-text").textContent}]` : ""), "user");
  busy(true);
  try {
    const job = await api("POST", `${base()}/chat`, { instruction: text, pointed: pointed() });
    S.job = job.id;
    await poll(job.id);
  } catch (e) { say(e.message, "error"); }
  busy(false); S.job = null; $("phase").textContent = "";
}

async function poll(id) {
  for (;;) {
    const j = await api("GET", `/api/jobs/${id}`);
    $("phase").textContent = `${j.phase}${j.detail ? " · " + j.detail : ""} · ${j.elapsed.toFixed(1)} s`;
    if (j.progress === null) $("progress").removeAttribute("value"); else $("progress").value = j.progress;
    if (j.state === "done") {
      const r = j.result, a = r.agent;
      const info = document.createElement("div");
      info.className = "scores";
      const lines = (a.steps || []).map((s) => `step ${s.index} ${s.description}: ${s.ok ? "ok" : "failed"}${s.scores ? " · " + scoreText(s.scores) : ""}`);
      lines.push(`attempts: ${a.attempts}${a.judge_passed === null ? "" : a.judge_passed ? " · judge passed" : " · judge did not pass"}`);
      info.textContent = lines.join("\n");
      say(r.reply, "agent", info);
      $("instruction").value = "";
      S.ab = "B";
      await show(r.session);
      return;
    }
    if (j.state === "error") { say(j.error, "error"); return; }
    if (j.state === "cancelled") { say(j.phase, "agent"); await show(await api("GET", base())); return; }
    await new Promise((res) => setTimeout(res, 400));
  }
}

// ----- microphone -------------------------------------------------------------------------------
let recorder = null;
async function mic() {
  if (recorder) { recorder.stop(); return; }
  let stream;
  try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); }
  catch (e) { say("no microphone: " + e.message, "error"); return; }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.onstop = async () => {
    stream.getTracks().forEach((t) => t.stop());
    recorder = null; $("mic-btn").textContent = "● Speak";
    const form = new FormData();
    form.append("file", new Blob(chunks, { type: "audio/webm" }), "speech.webm");
    $("phase").textContent = "transcribing…";
    try {
      const opts = { method: "POST", body: form, headers: token ? { Authorization: "Bearer " + token } : {} };
      const r = await fetch("/api/transcribe", opts);
      const d = await r.json();
      if (!r.ok) throw new Error(d.error);
      $("instruction").value = d.text;   // shown, and acted on only when Send is pressed
      $("phase").textContent = `heard: "${d.text}" — press Send to run it`;
    } catch (e) { say(e.message, "error"); $("phase").textContent = ""; }
  };
  recorder.start();
  $("mic-btn").textContent = "■ Stop";
}

// ----- wiring ---------------------------------------------------------------------------------
async function step(op) {
  try { const r = await api("POST", `${base()}/${op}`); say(r.message, "agent"); S.ab = "B"; await show(r.session); }
  catch (e) { say(e.message, "error"); }
}

async function exportAs(format) {
  try {
    const r = await api("POST", `${base()}/export`, { format });
    await show(r.session);
    const a = document.createElement("a");
    a.href = withToken(r.url); a.download = r.url.split("/").pop();
    document.body.appendChild(a); a.click(); a.remove();
  } catch (e) { say(e.message, "error"); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("open-btn").addEventListener("click", openPath);
  $("resume-btn").addEventListener("click", resume);
  $("upload").addEventListener("change", (e) => { if (e.target.files[0]) upload(e.target.files[0]); });
  $("play-btn").addEventListener("click", () => S.ws && S.ws.playPause());
  $("ab-btn").addEventListener("click", async () => { S.ab = S.ab === "A" ? "B" : "A"; await loadWave(true); });
  $("zoom").addEventListener("input", () => S.ws && S.ws.zoom(parseInt($("zoom").value, 10)));
  $("clear-marks").addEventListener("click", () => { S.marks = []; S.regions && S.regions.clearRegions(); renderMarks(); });
  $("send-btn").addEventListener("click", send);
  $("instruction").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } });
  $("cancel-btn").addEventListener("click", () => S.job && api("POST", `/api/jobs/${S.job}/cancel`).catch((e) => say(e.message, "error")));
  $("mic-btn").addEventListener("click", mic);
  $("undo-btn").addEventListener("click", () => step("undo"));
  $("reset-btn").addEventListener("click", () => step("reset"));
  $("apply-btn").addEventListener("click", applyMix);
  for (const b of document.querySelectorAll("#export-bar button")) b.addEventListener("click", () => exportAs(b.dataset.fmt));
  setupMaskDrawing();
  refreshLists().catch((e) => status(e.message, true));
});
