// The API-token prompt: a modal <dialog> shown when the server answers 401 (a server started with
// NNPLAY_API_TOKEN). ask() resolves to the token typed, or null when the person cancels.

const REJECTED = 'The server refused that token. Check it and try again.';

export function createAuthPrompt({ dialog, form, input, errorEl, cancelButton }) {
  let resolve = null;

  function finish(value) {
    const done = resolve;
    resolve = null;
    if (dialog.open) dialog.close();
    done?.(value);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) {
      errorEl.textContent = 'Enter the token.';
      errorEl.hidden = false;
      return;
    }
    finish(token);
  });
  cancelButton.addEventListener('click', () => finish(null));
  dialog.addEventListener('cancel', (ev) => { // Escape
    ev.preventDefault();
    finish(null);
  });

  return {
    /** Show the prompt; `rejected`: the last token was refused (said so above the field). */
    ask({ rejected = false } = {}) {
      if (resolve) finish(null); // (never two at once: api.js shares one prompt)
      errorEl.textContent = rejected ? REJECTED : '';
      errorEl.hidden = !rejected;
      input.value = '';
      return new Promise((res) => {
        resolve = res;
        if (!dialog.open) dialog.showModal();
        input.focus();
      });
    },
  };
}
