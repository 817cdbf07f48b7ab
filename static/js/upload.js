// upload.js: the bulk upload page (statements/templates/statements/project_upload.html).
//
// Before sending, the files are checked against the page's limits (data-max-mb, -max-text-mb,
// -max-files on the form; the server checks again); while htmx sends them, the <progress> bar
// follows htmx:xhr:progress. The form's hx-indicator shows the bar only during the request.
import { setErrorMessages } from "./status.js";

const MB = 1024 * 1024;
const form = document.getElementById("upload-form");

setErrorMessages({ 403: "Not allowed: only analysts and leads of this project can upload.", 413: "The upload is too large." });

function problemWith(files) {
  const maxFiles = Number(form.dataset.maxFiles);
  const maxBytes = Number(form.dataset.maxMb) * MB;
  const maxText = Number(form.dataset.maxTextMb) * MB;
  if (!files.length) return "Choose one or more .txt files, or one JSON or JSON Lines file.";
  if (files.length > maxFiles) return `At most ${maxFiles} files at once, please.`;
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total > maxBytes) {
    return `The files come to ${(total / MB).toFixed(1)} MB; the limit is ${form.dataset.maxMb} MB at once.`;
  }
  const big = files.find((f) => /\.txt$/i.test(f.name) && f.size > maxText);
  if (big) return `${big.name} is ${(big.size / MB).toFixed(1)} MB; a text file may have at most ${form.dataset.maxTextMb} MB.`;
  return "";
}

if (form) {
  const input = form.querySelector('input[type="file"]');
  const error = form.querySelector("[data-upload-error]");
  const bar = form.querySelector("[data-upload-bar]");
  const percent = form.querySelector("[data-upload-percent]");

  const showError = (message) => {
    error.textContent = message;
    error.hidden = !message;
  };

  input.addEventListener("change", () => showError(problemWith([...input.files])));

  form.addEventListener("htmx:beforeRequest", (event) => {
    const problem = problemWith([...input.files]);
    showError(problem);
    if (problem) {
      event.preventDefault();
      input.focus();
      return;
    }
    bar.value = 0;
    bar.removeAttribute("value"); // indeterminate until the first progress event
    percent.textContent = "";
  });

  form.addEventListener("htmx:xhr:progress", (event) => {
    const { loaded, total } = event.detail;
    if (!total) return;
    const done = Math.round((loaded / total) * 100);
    bar.value = done;
    percent.textContent = done === 100 ? "Importing…" : `${done}%`;
  });

  form.addEventListener("htmx:afterRequest", (event) => {
    percent.textContent = "";
    if (event.detail.xhr && event.detail.xhr.status === 200) {
      bar.value = 100; // all sent, even when the browser sent it too fast for a progress event
      form.reset(); // imported: the server announces it
    }
  });
}
