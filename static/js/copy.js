// copy.js: "Copy" buttons that put the text of a field on the clipboard (the API token page).
//
//   <input id="token-key" readonly value="…">
//   <button type="button" data-copy="token-key">Copy</button>
//
// The button says what happened in the shared status toast (status.js). Where the asynchronous
// Clipboard API is refused (an insecure origin, a denied permission), the field's text is selected
// and copied with the older execCommand; if that fails too, the text stays selected and the toast
// asks the user to press Ctrl+C.
import { announce } from "./status.js";

function copyBySelection(field) {
  field.focus();
  field.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

async function copy(button) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  const text = field.value ?? field.textContent;
  const what = button.dataset.copyLabel || "Text";
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
  }
  if (!copied) copied = copyBySelection(field);
  announce(copied ? `${what} copied to the clipboard.` : `${what} is selected: press Ctrl+C to copy it.`);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button[data-copy]");
  if (button) copy(button);
});
