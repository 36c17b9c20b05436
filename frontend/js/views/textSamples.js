// "Inside" tab on a character language model: the text it generates as it trains, newest first, from
// `text_sample` messages (the prompt from the test text in grey, then the sampled characters).

import { el } from './dom.js';
import { batched } from './series.js';

const KEEP = 12;

export function createTextSamples(container, { placeholder = '' } = {}) {
  const list = el('ol', { className: 'samples', reversed: '' });
  const title = el('div', { className: 'fm-title', text: 'Generated text' });
  container.replaceChildren(title, list);

  return {
    reset(text = placeholder) {
      list.replaceChildren(el('li', { className: 'placeholder', text }));
    },
    /** `push(msg)` each `text_sample` of a batch, then `flush()`: the newest on top. */
    ...batched((msgs) => {
      list.querySelector('.placeholder')?.remove();
      for (const msg of msgs) {
        const head = el('div', { className: 'sample-head', text: `step ${msg.step} · temperature ${msg.temperature}` });
        const body = el('div', { className: 'sample-text' }, [el('span', { className: 'prompt', text: msg.prompt }),
          el('span', { className: 'generated', text: msg.text })]);
        list.prepend(el('li', { className: 'sample' }, [head, body]));
      }
      while (list.children.length > KEEP) list.lastChild.remove();
      title.textContent = `Generated text (${list.children.length} latest; grey: prompt from the test text)`;
    }),
  };
}
