// spans.js: measuring and drawing spans of text, shared by the Annotate page (annotate.js,
// suggest.js) and the lead's merged-gold form on the Compare page (compare.js).
//
// Offsets are UTF-16 code units over a container's textContent (what the DOM counts); the
// server converts them to code points once. codePoints() and u16At() convert where a page must
// send or read code points itself.

// The current selection inside `root` as UTF-16 offsets and quote, trimmed of surrounding
// whitespace; null when nothing (or only whitespace) inside `root` is selected. A selection
// that starts or ends outside the container (a drag ending below it, in a gap, over a panel) is
// clamped to it.
export function measureSelection(root) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0).cloneRange();
  if (!range.intersectsNode(root)) return null;
  const whole = document.createRange();
  whole.selectNodeContents(root);
  if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) range.setStart(root, 0);
  if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) range.setEnd(root, root.childNodes.length);
  if (range.collapsed) return null;
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const raw = range.toString();
  const lead = raw.length - raw.trimStart().length;
  const quote = raw.trim();
  if (!quote) return null;
  const start = before.toString().length + lead;
  return { start, end: start + quote.length, quote };
}

// The UTF-16 offset in `root`'s text of a DOM position (node, offset).
export function offsetOf(root, node, offset) {
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(node, offset);
  return before.toString().length;
}

// A DOM Range over UTF-16 offsets [start, end) of `root`'s text; null past its end.
export function rangeAt(root, start, end) {
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let pos = 0;
  let node;
  let started = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!started && start <= pos + len) {
      range.setStart(node, start - pos);
      started = true;
    }
    if (started && end <= pos + len) {
      range.setEnd(node, end - pos);
      return range;
    }
    pos += len;
  }
  return null;
}

// The number of code points in `text` before UTF-16 offset `u16` (astral characters count 1).
export function codePoints(text, u16) {
  let n = 0;
  for (let i = 0; i < u16; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate belongs to the character before it
  }
  return n;
}

// The UTF-16 offset in `text` of code point `cp` (the inverse of codePoints), or null past its end.
export function u16At(text, cp) {
  let i = 0;
  for (let n = 0; n < cp; n++) {
    if (i >= text.length) return null;
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

// ---- Words: the steps of span correction --------------------------------------------------

const TOKEN = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;
let tokenCache = { text: null, tokens: [] };

function tokens(text) {
  if (tokenCache.text !== text) tokenCache = { text, tokens: [...text.matchAll(TOKEN)].map((m) => [m.index, m.index + m[0].length]) };
  return tokenCache.tokens;
}

// The span moved by one word: `edge` "end" or "start", `step` +1 or -1. Never empty.
export function stepSpan(text, span, edge, step) {
  const list = tokens(text);
  let { start, end } = span;
  if (edge === "end" && step > 0) end = list.find(([, e]) => e > end)?.[1] ?? end;
  else if (edge === "end") end = list.findLast(([, e]) => e < end && e > start)?.[1] ?? end;
  else if (step > 0) start = list.find(([s]) => s > start && s < end)?.[0] ?? start;
  else start = list.findLast(([s]) => s < start)?.[0] ?? start;
  return { start, end, quote: text.slice(start, end) };
}
