// Right column, bottom: the tab strip over "inside the network" (feature maps or the decision
// boundary) and "gradient flow". Every pane stays laid out, so its charts keep drawing while hidden
// (a frame after the selected tab's: panels.js's panelRoutes); the inactive ones are made invisible. Which tab is selected lives in state.js (main.js wires it).

/**
 * The tab buttons of `tabs` (panels.js's TABS: key, label, title, hidden), put before `beforeEl` in its
 * tab list: `tab-KEY` controls `pane-KEY` (the panes are in index.html). Returns them by key.
 */
export function createTabButtons(tabs, beforeEl) {
  const buttons = {};
  for (const tab of tabs) {
    const button = document.createElement('button');
    Object.assign(button, { id: `tab-${tab.key}`, className: 'tab', type: 'button', title: tab.title, hidden: Boolean(tab.hidden) });
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-controls', `pane-${tab.key}`);
    button.textContent = tab.label;
    beforeEl.before(button);
    buttons[tab.key] = button;
  }
  return buttons;
}

/**
 * The panes of `tabs` that say how (`pane`: {parts: [[id, className]...], caption: [id, text]}) and are
 * not in the page yet, put in `panesEl` among the others in tab order: `pane-KEY`, labelled by `tab-KEY`.
 */
export function createPanes(tabs, panesEl) {
  tabs.forEach((tab, i) => {
    if (!tab.pane || document.getElementById(`pane-${tab.key}`)) return;
    const pane = document.createElement('div');
    Object.assign(pane, { id: `pane-${tab.key}`, className: 'pane inactive' });
    pane.setAttribute('role', 'tabpanel');
    pane.setAttribute('aria-labelledby', `tab-${tab.key}`);
    for (const [id, className] of tab.pane.parts) pane.append(Object.assign(document.createElement('div'), { id, className }));
    if (tab.pane.caption) {
      const [id, text] = tab.pane.caption;
      pane.append(Object.assign(document.createElement('p'), { id, className: 'caption', textContent: text }));
    }
    const next = tabs.slice(i + 1).map((t) => document.getElementById(`pane-${t.key}`)).find(Boolean);
    panesEl.insertBefore(pane, next ?? null);
  });
}

/**
 * @param {{tabs: {key: string, button: HTMLElement, pane: HTMLElement}[], hintEl: HTMLElement,
 *          onSelect: (key: string) => void}} opts
 */
export function createTabs({ tabs, hintEl, onSelect }) {
  const hints = new Map();
  let selected = tabs[0].key;

  function paint() {
    for (const { key, button, pane } of tabs) {
      const on = key === selected;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      pane.classList.toggle('inactive', !on);
      pane.setAttribute('aria-hidden', String(!on));
    }
    hintEl.textContent = hints.get(selected) || '';
    hintEl.title = hintEl.textContent;
    fitHint();
  }

  // A hint that does not fit beside the tabs is hidden, not cut to "th…": the pane's caption says the
  // same at length. Checked again whenever the tab row changes width (window, tabs shown or hidden).
  function fitHint() {
    hintEl.classList.remove('clipped');
    hintEl.classList.toggle('clipped', hintEl.scrollWidth > hintEl.clientWidth + 1);
  }
  if (typeof ResizeObserver !== 'undefined') new ResizeObserver(fitHint).observe(hintEl);

  tabs.forEach(({ key, button }, i) => {
    button.addEventListener('click', () => onSelect(key));
    button.addEventListener('keydown', (ev) => { // arrow keys move between tabs (WAI-ARIA tabs pattern)
      if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
      const shown = tabs.filter((t) => !t.button.hidden); // a hidden tab (e.g. Neurons off 2-D data) is skipped
      const at = shown.findIndex((t) => t.key === tabs[i].key);
      const next = shown[(at + (ev.key === 'ArrowRight' ? 1 : shown.length - 1)) % shown.length];
      next.button.focus();
      onSelect(next.key);
    });
  });
  paint();

  return {
    select(key) {
      if (!tabs.some((t) => t.key === key)) return;
      selected = key;
      paint();
    },
    /** The tab's label and the short line shown beside the tabs while it is selected. */
    setLabel(key, text, hint = '') {
      const tab = tabs.find((t) => t.key === key);
      if (!tab) return;
      tab.button.textContent = text;
      hints.set(key, hint);
      paint();
    },
  };
}
