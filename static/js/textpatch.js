// textpatch.js: redraw only the part of the article text that a save changed.
//
// A save on the annotate page (statements/views/annotate.py, _after_save) no longer sends the
// whole workspace back: it sends htmx out-of-band pieces (the list entry, the counts, the panel)
// and, for the highlights, a `#text-patches` element holding one <template> per changed region:
//
//   <div id="text-patches" hx-swap-oob="true" hidden>
//     <template data-start="120" data-end="164">…the marks and text of [120, 164)…</template>
//   </div>
//
// data-start/data-end are UTF-16 offsets over #article-text's textContent (what the DOM counts).
// This module replaces exactly that range of the text container with the template's content:
// a text node or a <mark> that straddles an end is split in two (the piece outside keeps its
// attributes; a piece that no longer starts a statement loses `hl-start`). The container keeps
// holding only text and <mark>s, and its textContent stays the article text, so selections are
// measured as before. It runs on htmx:oobAfterSwap, before htmx's afterSwap events, so that
// annotate.js (which outlines the selected statement on afterSwap) finds the new marks.

function splitAt(root, offset) {
  // Make `offset` (UTF-16, over root's textContent) fall between two children of root; returns
  // the child that starts there (or null at the end).
  let pos = 0;
  for (const child of [...root.childNodes]) {
    const length = child.textContent.length;
    if (offset === pos) return child;
    if (offset < pos + length) {
      const cut = offset - pos;
      if (child.nodeType === Node.TEXT_NODE) return child.splitText(cut);
      // a <mark> holding one text node (rendering.highlighted_text): split it into two marks
      const right = child.cloneNode(false);
      right.classList.remove("hl-start", "is-selected", "is-evidence");
      right.textContent = child.textContent.slice(cut);
      child.textContent = child.textContent.slice(0, cut);
      child.after(right);
      return right;
    }
    pos += length;
  }
  return null;
}

// Two neighbouring marks that a fresh page would draw as one: the same statements and evidence,
// the same look, and the right one starting no statement.
function sameMark(left, right) {
  if (!left || !right || left.tagName !== "MARK" || right.tagName !== "MARK") return false;
  if (right.classList.contains("hl-start")) return false;
  const look = (m) =>
    [...m.classList].filter((c) => !["hl-start", "is-selected", "is-evidence"].includes(c)).sort().join(" ");
  return (
    look(left) === look(right) &&
    left.dataset.ids === right.dataset.ids &&
    left.dataset.ev === right.dataset.ev &&
    left.title === right.title
  );
}

function joinAt(left, right) {
  if (sameMark(left, right)) {
    left.textContent += right.textContent;
    right.remove();
  }
}

export function applyPatch(root, start, end, fragment) {
  const first = splitAt(root, start);
  const after = splitAt(root, end);
  const before = first ? first.previousSibling : root.lastChild;
  let node = first;
  while (node && node !== after) {
    const next = node.nextSibling;
    node.remove();
    node = next;
  }
  const last = fragment.lastChild;
  const head = fragment.firstChild;
  root.insertBefore(fragment, after);
  // where a cut disappeared (a deleted statement's ends), the pieces on both sides join again
  if (last) joinAt(last, after);
  if (head) joinAt(before, head);
  else joinAt(before, after);
}

function applyAll(holder) {
  const root = document.getElementById("article-text");
  if (!root) return;
  // from the end backwards, so earlier offsets stay valid while later ranges change
  const patches = [...holder.querySelectorAll("template[data-start]")].sort(
    (a, b) => Number(b.dataset.start) - Number(a.dataset.start),
  );
  for (const t of patches) applyPatch(root, Number(t.dataset.start), Number(t.dataset.end), t.content.cloneNode(true));
  root.normalize(); // neighbouring text nodes become one, as in a fresh page
  holder.replaceChildren();
  root.dispatchEvent(new CustomEvent("annotator:text-patched", { bubbles: true }));
}

document.body.addEventListener("htmx:oobAfterSwap", (event) => {
  const holder = document.getElementById("text-patches");
  if (holder && holder.querySelector("template[data-start]")) applyAll(holder);
});
