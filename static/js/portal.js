// The portal's own script: small enhancements on top of pages that work without it.
// No inline code anywhere (the Content-Security-Policy forbids it): everything hooks in here.
"use strict";

document.documentElement.classList.add("js");

// -- Copy and download buttons ---------------------------------------------------------------
// <button data-copy="field-id" data-status="status-id" data-done="Copied." hidden>: copies the
// field's value (or text). Without JavaScript the button stays hidden and the text can still
// be selected and copied by hand.
function textOf(element) {
  return "value" in element ? element.value : element.innerText;
}

document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status || "copy-status");
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(textOf(field));
      if (status) status.textContent = button.dataset.done || "Copied.";
    } catch {
      if (field.select) field.select();
      if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected text.";
    }
  });
});

// <button data-download="field-id" data-filename="name.txt" hidden>: saves the text as a file.
document.querySelectorAll("[data-download]").forEach((button) => {
  const field = document.getElementById(button.dataset.download);
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const blob = new Blob([textOf(field).trim() + "\n"], { type: "text/plain" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.dataset.filename || "download.txt";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
});

// -- Keys suggested from titles --------------------------------------------------------------
// <input data-slug-from="id_title">: while its own value is empty, its placeholder shows the
// key the server will make from the title (the same rule: lowercase words joined by hyphens).
function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9\s-]/g, "").trim().replace(/[\s-]+/g, "-").slice(0, 100).replace(/-+$/, "");
}

document.querySelectorAll("[data-slug-from]").forEach((key) => {
  const title = document.getElementById(key.dataset.slugFrom);
  if (!title) return;
  const suggest = () => { key.placeholder = slugify(title.value); };
  title.addEventListener("input", suggest);
  suggest();
});

// -- Saving answers --------------------------------------------------------------------------
// Each check's row (<li class="result">) is a form htmx posts when a result is chosen. Notes
// save by themselves as the person types (after a pause) and when the field loses focus,
// without swapping the row, so nothing typed meanwhile is lost. Every save says how it went
// in the row's live region; a save that did not reach the server says so and offers a retry.
const AUTOSAVE_DELAY = 800;

function rowOf(element) {
  return element && element.closest ? element.closest("li.result") : null;
}

function setState(row, text, failed) {
  if (!row) return;
  const state = row.querySelector(".save-state");
  const retry = row.querySelector(".retry");
  if (state) state.textContent = text;
  if (retry) retry.hidden = !failed;
  row.classList.toggle("not-saved", Boolean(failed));
}

function saveNote(textarea) {
  const form = textarea.form;
  if (!form || !window.htmx) return;
  clearTimeout(textarea.autosaveTimer);
  textarea.sentValue = textarea.value;
  // The server answers an autosave with the progress lines only, never the row.
  htmx.ajax("POST", form.getAttribute("hx-post"), {
    source: form,
    swap: "none",
    values: { autosave: "1" },
  });
}

document.addEventListener("input", (event) => {
  const textarea = event.target;
  if (!textarea.matches || !textarea.matches("textarea[data-autosave]")) return;
  setState(rowOf(textarea), "Not saved yet…", false);
  clearTimeout(textarea.autosaveTimer);
  textarea.autosaveTimer = setTimeout(() => saveNote(textarea), AUTOSAVE_DELAY);
});

document.addEventListener("focusout", (event) => {
  const textarea = event.target;
  if (!textarea.matches || !textarea.matches("textarea[data-autosave]")) return;
  const saved = textarea.sentValue ?? textarea.defaultValue;
  if (textarea.value !== saved) saveNote(textarea);
});

document.addEventListener("click", (event) => {
  const retry = event.target.closest && event.target.closest(".retry");
  if (!retry) return;
  const form = retry.closest("form");
  if (form) form.requestSubmit();
});

document.addEventListener("htmx:beforeRequest", (event) => {
  setState(rowOf(event.detail.elt), "Saving…", false);
});

document.addEventListener("htmx:afterRequest", (event) => {
  const row = rowOf(event.detail.elt);
  if (!row || !row.isConnected) return; // the row was swapped: the new one says how it went
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (status === 200) {
    setState(row, "Saved", false);
  } else if (status >= 400 && status < 500) {
    // A note the server refused (too long, or the case was saved meanwhile): post the row
    // the ordinary way, so it comes back with the server's message and the note kept.
    const form = row.querySelector("form");
    if (form) form.requestSubmit();
  }
});

// Any other htmx action (a move in the editor, a check edited in place, a preview) that did
// not reach the server, or that the server failed, says so where it was asked for.
function notDone(element) {
  const place = (element.closest && element.closest("form, li, section")) || element;
  let note = place.querySelector(":scope > .request-failed");
  if (!note) {
    note = document.createElement("p");
    note.className = "field-error request-failed";
    note.setAttribute("role", "alert");
    place.append(note);
  }
  note.textContent = "Not done: the portal could not be reached. Check your connection and try again.";
}

function notSaved(event) {
  // A beacon that only counts something (a search seen) fails quietly: nothing was asked.
  if (event.detail.elt.closest && event.detail.elt.closest("[data-quiet]")) return;
  const row = rowOf(event.detail.elt);
  if (row) {
    setState(row, "Not saved: check your connection and try again.", true);
  } else {
    notDone(event.detail.elt);
  }
}
document.addEventListener("htmx:sendError", notSaved);
document.addEventListener("htmx:responseError", notSaved);
document.addEventListener("htmx:timeout", notSaved);

// htmx keeps a copy of the page for Back: keep what was typed in search boxes in it, or the
// page comes back with the results of a search and an empty box.
document.addEventListener("htmx:beforeHistorySave", () => {
  for (const box of document.querySelectorAll('input[type="search"]')) {
    box.setAttribute("value", box.value);
  }
});
