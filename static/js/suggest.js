// suggest.js: the machine's suggestions on the Annotate page (#11).
//
// Reads the suggestions offered to the user from the API (GET /api/articles/<id>/suggestions/:
// the engine's, less those overlapping the user's own statements or already decided by them)
// and draws them as ghost highlights, a dotted outline without fill, in a layer under the text,
// so the real highlights stay on top. The markup is statements/includes/suggestions_bar.html.
//
// Keys (outside text fields, while the tagging panel is closed):
//   ]  next suggestion      [  previous suggestion
//   a  accept it as it is   e  edit it in the tagging panel, then accept (Save)
//   x  reject it
// They do not clash with annotate.js (1 2 3, Enter, Esc, /, arrows, Home/End).
//
// Accepting goes through the tagging panel: window.Annotate.openTagger (annotate.js) fills it
// with the suggestion and a hidden `suggestion` field names it, so the server records the
// provenance and decides whether it was changed (statements/services/suggestions.py); "accept"
// saves at once, "edit" leaves the panel open. Rejecting and a lead's accept-all use the API.
// Offsets: the API counts code points; the DOM counts UTF-16 units (converted here).

import { rangeAt } from "./spans.js";
import { announce, isTyping } from "./status.js";

const bar = () => document.getElementById("suggestions");
const textRoot = () => document.getElementById("article-text");
const tagger = () => document.getElementById("tagger");
const STORE = "annotator.suggestions.shown";

let items = []; // the offered suggestions, by start
let current = -1; // index into items
let lastStart = 0; // the current suggestion's start, to find our place after a reload
let pending = null; // the suggestion the tagging panel was opened from
let u16 = null; // code point index -> UTF-16 index of the current text
let u16Text = null;

// ---- Offsets and ranges -----------------------------------------------------------------------

function u16Index(text) {
  if (u16Text === text && u16) return u16;
  const out = [];
  let units = 0;
  for (const ch of text) {
    out.push(units);
    units += ch.length;
  }
  out.push(units);
  u16 = out;
  u16Text = text;
  return out;
}

// ---- Drawing ------------------------------------------------------------------------------------

function shown() {
  const toggle = bar()?.querySelector("[data-suggest-toggle]");
  return Boolean(toggle && toggle.checked);
}

function layer() {
  const root = textRoot();
  if (!root) return null;
  const host = root.parentElement;
  let el = host.querySelector(":scope > .suggest-layer");
  if (!el) {
    el = document.createElement("div");
    el.className = "suggest-layer";
    el.setAttribute("aria-hidden", "true");
    host.classList.add("has-suggestions");
    host.insertBefore(el, root);
  }
  // Under the real highlights but over the text's own background: the layer takes over that
  // background and sits exactly behind the text box.
  if (!root.dataset.suggestBackground) {
    const style = getComputedStyle(root);
    root.dataset.suggestBackground = style.backgroundColor;
    el.style.backgroundColor = style.backgroundColor;
    el.style.borderRadius = style.borderRadius;
    root.style.backgroundColor = "transparent";
  }
  el.style.left = `${root.offsetLeft}px`;
  el.style.top = `${root.offsetTop}px`;
  el.style.width = `${root.offsetWidth}px`;
  el.style.height = `${root.offsetHeight}px`;
  return el;
}

function draw() {
  const root = textRoot();
  const el = layer();
  if (!root || !el) return;
  el.replaceChildren();
  updateCard();
  if (!shown()) return;
  const map = u16Index(root.textContent);
  const origin = el.getBoundingClientRect();
  const frag = document.createDocumentFragment();
  items.forEach((s, i) => {
    if (s.end >= map.length) return;
    const range = rangeAt(root, map[s.start], map[s.end]);
    if (!range) return;
    for (const r of range.getClientRects()) {
      if (r.width < 1) continue;
      const box = document.createElement("div");
      box.className = `ghost s-${s.stance}${i === current ? " is-current" : ""}`;
      box.dataset.suggestion = s.id;
      box.style.left = `${r.left - origin.left - 1}px`;
      box.style.top = `${r.top - origin.top - 1}px`;
      box.style.width = `${r.width + 2}px`;
      box.style.height = `${r.height + 2}px`;
      frag.append(box);
    }
  });
  el.append(frag);
}

function text(el, value) {
  if (el) el.textContent = value;
}

function updateCard() {
  const b = bar();
  if (!b) return;
  const card = b.querySelector("[data-suggest-card]");
  const n = items.length;
  text(b.querySelector("[data-suggest-count]"), n ? `${n} suggestion${n === 1 ? "" : "s"}` : "No suggestions left");
  const s = items[current];
  card.hidden = !shown() || !s;
  if (!s) return;
  text(card.querySelector("[data-suggest-position]"), `${current + 1} of ${n}`);
  text(card.querySelector("[data-suggest-rule]"), s.rule);
  text(card.querySelector("[data-suggest-score]"), s.score.toFixed(2));
  text(card.querySelector("[data-suggest-quote]"), s.quote);
  const speaker =
    s.speaker_name ||
    (s.new_speaker ? `${s.new_speaker.name} (new)` : s.anonymous ? `unnamed source (“${s.speaker_mention}”)` : "unknown");
  text(card.querySelector("[data-suggest-speaker]"), speaker);
  text(card.querySelector("[data-suggest-stance]"), s.stance);
  text(card.querySelector("[data-suggest-addressee]"), s.addressee_name || "none");
  text(card.querySelector("[data-suggest-conditions]"), s.conditions.map((c) => c.description).join("; ") || "none");
  text(card.querySelector("[data-suggest-why]"), s.why.join(", "));
  const offer = card.querySelector("[data-suggest-new-speaker]");
  offer.hidden = !(s.new_speaker && !s.speaker && b.hasAttribute("data-can-create-actor"));
  text(offer.querySelector("[data-suggest-new-name]"), s.new_speaker ? s.new_speaker.name : "");
}

function select(index, scroll = true) {
  if (!items.length) {
    current = -1;
    draw();
    return;
  }
  current = (index + items.length) % items.length;
  lastStart = items[current].start;
  draw();
  if (scroll) {
    layer()?.querySelector(".ghost.is-current")?.scrollIntoView({ block: "nearest" });
  }
}

// ---- Loading ------------------------------------------------------------------------------------

async function load() {
  const b = bar();
  if (!b) return;
  b.setAttribute("aria-busy", "true"); // until the list is drawn (tests wait on it too)
  try {
    const response = await fetch(b.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      text(b.querySelector("[data-suggest-count]"), "Suggestions could not be loaded.");
      return;
    }
    items = await response.json();
  } catch {
    text(b.querySelector("[data-suggest-count]"), "Suggestions could not be loaded.");
    return;
  } finally {
    b.removeAttribute("aria-busy");
  }
  const next = items.findIndex((s) => s.start >= lastStart);
  current = items.length ? (next < 0 ? 0 : next) : -1;
  draw();
}

// ---- Deciding -----------------------------------------------------------------------------------

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
  } catch {
    return "";
  }
}

async function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
}

async function problem(response) {
  try {
    const body = await response.json();
    return Object.values(body).flat().join(" ") || `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}

function setHidden(form, name, value) {
  let input = form.querySelector(`input[type=hidden][name="${name}"][data-suggest-field]`);
  if (!input) {
    input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.dataset.suggestField = "";
    form.append(input);
  }
  input.value = value;
}

function forgetPending() {
  pending = null;
  document.querySelectorAll("input[data-suggest-field]").forEach((el) => el.remove());
}

function markPending(form) {
  setHidden(form, "suggestion", pending.suggestion.id);
  setHidden(form, "create_speaker", pending.createSpeaker ? "1" : "");
}

function canDecide() {
  return Boolean(bar()?.hasAttribute("data-can-decide"));
}

// Open the tagging panel with the current suggestion; `save`: accept it as it is.
function accept(save) {
  const s = items[current];
  if (!s || !canDecide()) return;
  const ok = window.Annotate?.openTagger({
    start: s.start,
    end: s.end,
    stance: s.stance,
    speaker_id: s.speaker,
    speaker_name: s.speaker_name,
    addressee_id: s.addressee,
    addressee_name: s.addressee_name,
    conditions: s.conditions.map((c) => ({ description: c.description, evidence_start: c.start, evidence_end: c.end })),
  });
  const form = tagger()?.querySelector("form");
  if (!ok || !form) {
    announce("This suggestion cannot be opened in the tagging panel.");
    return;
  }
  const create = bar().querySelector("[data-suggest-create-speaker]");
  forgetPending();
  pending = { suggestion: s, createSpeaker: Boolean(s.new_speaker && !s.speaker && create?.checked) };
  markPending(form);
  if (save) form.requestSubmit();
  else announce("Edit the suggestion, then save to accept it.");
}

async function reject() {
  const s = items[current];
  if (!s || !canDecide()) return;
  const response = await post(bar().dataset.reject, { suggestion: s.id });
  if (!response.ok) {
    announce(`Not rejected: ${await problem(response)}`);
    await load();
    return;
  }
  items = items.filter((x) => x.id !== s.id);
  announce("Suggestion rejected.");
  select(Math.min(current, items.length - 1));
}

function refreshWorkspace() {
  const ws = document.getElementById("workspace");
  const show = ws && ws.dataset.show && ws.dataset.show !== "all" ? `?show=${ws.dataset.show}` : "";
  const url = document.getElementById("annotate").dataset.articleUrl + show;
  window.htmx.ajax("GET", url, { target: "#workspace", swap: "outerHTML" });
}

async function acceptAll(form) {
  const minScore = Number(form.elements.min_score.value);
  const response = await post(bar().dataset.acceptAbove, { min_score: minScore, create_speakers: true });
  if (!response.ok) {
    announce(`Nothing accepted: ${await problem(response)}`);
    return;
  }
  const accepted = await response.json();
  announce(`${accepted.length} suggestion${accepted.length === 1 ? "" : "s"} accepted.`);
  refreshWorkspace(); // the new highlights; suggestions reload after the swap
}

// ---- Wiring -------------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const t = event.target.closest?.("#suggestions button");
  if (!t) return;
  if (t.matches("[data-suggest-accept]")) accept(true);
  else if (t.matches("[data-suggest-edit]")) accept(false);
  else if (t.matches("[data-suggest-reject]")) reject();
  else if (t.matches("[data-suggest-next]")) select(current + 1);
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest?.("[data-suggest-accept-all]");
  if (!form) return;
  event.preventDefault();
  acceptAll(form);
});

document.addEventListener("change", (event) => {
  if (!event.target.matches?.("[data-suggest-toggle]")) return;
  localStorage.setItem(STORE, event.target.checked ? "1" : "0");
  draw();
});

document.addEventListener("keydown", (event) => {
  if (!bar() || !shown() || isTyping(event.target)) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const t = tagger();
  if (t && !t.hidden) return; // the tagging panel's own keys
  const actions = {
    "]": () => select(current + 1),
    "[": () => select(current - 1),
    a: () => accept(true),
    e: () => accept(false),
    x: () => reject(),
  };
  const action = actions[event.key];
  if (!action || !items.length) return;
  event.preventDefault();
  action();
});

// A new selection in the text starts a statement of the user's own, not the suggestion.
document.addEventListener("mouseup", (event) => {
  if (pending && textRoot()?.contains(event.target) && !window.getSelection().isCollapsed) forgetPending();
});

// The tagging panel closed without saving (Esc, Cancel): the suggestion stays offered.
new MutationObserver(() => {
  const t = tagger();
  if (pending && (!t || t.hidden)) forgetPending();
}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["hidden"] });

document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id === "tagger" && pending) {
    // Refused (422): the panel came back with its errors; it still accepts the suggestion.
    const form = event.target.querySelector("form");
    if (form) markPending(form);
    return;
  }
  if (event.target.id !== "workspace") return;
  // Saved (the suggestion is now a statement, or was refused with errors in the panel) or the
  // layer changed: the text container is new, read the offered suggestions again.
  forgetPending();
  load();
});

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(draw, 100);
});

const toggle = bar()?.querySelector("[data-suggest-toggle]");
if (toggle && localStorage.getItem(STORE) === "0") toggle.checked = false;
if (bar()) {
  load();
  document.fonts?.ready.then(draw);
}
