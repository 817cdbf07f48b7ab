// status.js: the status toast and htmx error reports, shared by every page script.
//
// The shared region is #status in templates/base.html (role="status", aria-live="polite"): its
// text is read out by screen readers and shown for three seconds as a toast. Messages come from
//   - the server, after an htmx write: the HX-Trigger header {"annotator:status": {"message": …}}
//     (statements/views/http.py, announce), which htmx fires as the "annotator:status" event;
//   - a failed htmx request: an error status (htmx:responseError) or no answer (htmx:sendError);
//   - the page scripts themselves: announce(message).
//
// Importing this module installs those listeners, once: page scripts import it with a relative
// path (`import { announce } from "./status.js"`), and the browser evaluates a module once per
// URL. Do not also load it with {% static %}: in production that URL is the hashed file name,
// a different URL from the one the relative imports resolve to, so it would run twice.

const SHOWN_FOR = 3000; // milliseconds the toast stays visible
const SHOWN_WITH_ACTION_FOR = 10000; // with a button (Undo): time to reach it, paused while used

let hideTimer = null;

function hideLater(status, ms) {
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => {
    if (status.matches(":hover, :focus-within")) return hideLater(status, 1500);
    status.classList.remove("shown", "with-action");
    status.querySelector(".toast-action")?.remove();
  }, ms);
}

// Say `message` in the live region and show it as the toast. With `action` ({label, url,
// target, swap, values}; the server sends it with its message, see views/http.announce), the
// toast also holds a button that POSTs `values` to `url` with htmx (CSRF header included) and
// swaps the answer into `target`: the Undo of a delete or an edit. Alt+Z presses it too.
export function announce(message, action = null) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = message;
  status.classList.add("shown");
  status.classList.toggle("with-action", Boolean(action));
  if (action && action.url && window.htmx) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toast-action linkish";
    button.textContent = action.label || "Undo";
    button.setAttribute("aria-keyshortcuts", "Alt+Z");
    button.addEventListener("click", () => {
      button.disabled = true;
      status.classList.remove("shown", "with-action");
      window.htmx.ajax("POST", action.url, {
        source: button,
        target: action.target || "#workspace",
        swap: action.swap || "outerHTML",
        values: action.values || {},
      });
    });
    status.append(" ", button);
  }
  hideLater(status, action ? SHOWN_WITH_ACTION_FOR : SHOWN_FOR);
}

// Alt+Z: the toast's action (Undo) while it is shown.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.key.toLowerCase() !== "z") return;
  const button = document.querySelector("#status.shown .toast-action:not(:disabled)");
  if (!button) return;
  event.preventDefault();
  button.click();
});

// ---- Failed requests -----------------------------------------------------------------------

// What a refused request means on this page, by HTTP status; a page script sets its own
// (setErrorMessages({403: "Not allowed: …"})). Other statuses get the general message.
const errorMessages = {};

export function setErrorMessages(messages) {
  Object.assign(errorMessages, messages);
}

export function errorMessage(status) {
  return (
    errorMessages[status] || `The server answered ${status}. Nothing was changed; reload the page and try again.`
  );
}

const UNREACHABLE = "The server could not be reached. Nothing was changed; check the connection and try again.";

// ---- Form errors ----------------------------------------------------------------------------

// Move focus to the error box ([data-errors], templates/includes/errors.html) in `root` (or
// `root` itself), so keyboard and screen-reader users land on what went wrong. Returns whether
// there was one.
export function focusErrors(root) {
  if (!root || !root.querySelector) return false;
  const box = root.matches("[data-errors]") ? root : root.querySelector("[data-errors]");
  if (!box) return false;
  if (!box.hasAttribute("tabindex")) box.tabIndex = -1; // focusable from script only
  box.focus();
  return true;
}

// ---- Keys -----------------------------------------------------------------------------------

// Whether a key press on `target` is typing in a field (so page keys must leave it alone).
export function isTyping(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable]"));
}

// ---- Listeners (installed once, on import) --------------------------------------------------

document.addEventListener("annotator:status", (event) => announce(event.detail.message, event.detail.action));
document.addEventListener("htmx:responseError", (event) => {
  // A refusal that explains itself (HX-Trigger with a status message, e.g. a 409 from Undo) was
  // announced already; only a bare error status gets the general wording.
  if ((event.detail.xhr.getResponseHeader("HX-Trigger") || "").includes("annotator:status")) return;
  announce(errorMessage(event.detail.xhr.status));
});
document.addEventListener("htmx:sendError", () => announce(UNREACHABLE));
