// "Copy link" buttons: <button data-copy="input-id" hidden>. Without JavaScript the button stays
// hidden and the read-only field can still be selected and copied by hand.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied. Paste it into your reply to support.";
    } catch {
      field.select();
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });
});
