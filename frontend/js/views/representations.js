// Right column, "Representations" tab: what a network learned to represent, drawn from messages.
// Word mode (word2vec jobs): `embedding_projection` frames as a labelled scatter (PCA, each frame
// aligned to the previous, so words drift instead of flipping), a neighbour box and an analogy box
// (answered by the REST API through the callbacks main.js passes in; a neighbour query is asked again
// for each new frame, so its list follows training), and the one-hot explanation with V and D filled in.
// Latent mode (autoencoders): `latent_codes` as two scatters in one style, the autoencoder's code and
// PCA's projection of the same test digits, coloured by true label, k-means ARI in the titles; and
// `reconstructions`: the first test digits above what the network rebuilds from their codes.

import { el } from './dom.js';
import { CLASS_COLORS, FONT, GREYS, cssGradient, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

function scatterLayout(title, xTitle, yTitle, note) {
  return {
    title: { text: title, font: { size: 12 }, x: 0.01, xanchor: 'left', y: 0.98, yanchor: 'top' },
    font: FONT, margin: { l: 44, r: 8, t: 26, b: 32 }, showlegend: false,
    xaxis: { title: { text: xTitle, standoff: 2 }, zeroline: false, automargin: true },
    yaxis: { title: { text: yTitle, standoff: 2 }, zeroline: false, automargin: true },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', hovermode: 'closest',
    annotations: note ? [emptyNote(note)] : [],
  };
}

/** Marker size per word from its corpus count: 5 px (rarest shown) to 12 px (most frequent). */
export function markerSizes(counts) {
  const logs = counts.map((c) => Math.log(Math.max(1, c)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  return logs.map((v) => 5 + (hi > lo ? (7 * (v - lo)) / (hi - lo) : 3));
}

/** One scatter trace per class (its colour and name in the legend), for `latent_codes`. */
export function classTraces(msg) {
  return msg.classes.map((name, k) => {
    const idx = msg.label.map((c, i) => (c === k ? i : -1)).filter((i) => i >= 0);
    return {
      type: 'scatter', mode: 'markers', name: `digit ${name}`, x: idx.map((i) => msg.x[i]), y: idx.map((i) => msg.y[i]),
      marker: { size: 5, color: CLASS_COLORS[k % CLASS_COLORS.length], opacity: 0.85 },
      hovertemplate: `true label ${name}<br>(%{x:.2f}, %{y:.2f})<extra></extra>`,
    };
  });
}

function resultList(listEl, items, empty) {
  listEl.replaceChildren(...(items.length ? items.map((r) => el('li', {}, [
    el('span', { className: 'repr-word', text: r.word }), el('span', { className: 'repr-sim', text: r.similarity.toFixed(3) }),
  ])) : [el('li', { className: 'hint', text: empty })]));
}

/**
 * @param {{root: HTMLElement, onNeighbors: (word: string) => Promise<object>,
 *          onAnalogy: (a: string, b: string, c: string) => Promise<object>}} opts
 */
export function createRepresentations({ root, onNeighbors, onAnalogy }) {
  const projectionEl = el('div', { id: 'projection-plot', className: 'plot repr-plot' });
  const wordInput = el('input', { id: 'neighbor-word', type: 'text', placeholder: 'a word, e.g. king', 'aria-label': 'Word', autocomplete: 'off' });
  const neighborList = el('ol', { id: 'neighbor-list', className: 'repr-list', 'aria-live': 'polite' });
  const [aIn, bIn, cIn] = ['king', 'man', 'woman'].map((w, i) => el('input', {
    id: `analogy-${'abc'[i]}`, type: 'text', placeholder: w, 'aria-label': `analogy word ${'abc'[i]}`, autocomplete: 'off',
  }));
  const analogyList = el('ol', { id: 'analogy-list', className: 'repr-list', 'aria-live': 'polite' });
  const oneHot = el('p', { id: 'one-hot-note', className: 'caption' });
  const neighborForm = el('form', { className: 'repr-form', id: 'neighbor-form' }, [
    el('label', { for: 'neighbor-word', text: 'Nearest to' }), wordInput,
    el('button', { type: 'submit', text: 'Neighbours', title: 'The 10 words with the most similar vectors (cosine)' }),
  ]);
  const analogyForm = el('form', { className: 'repr-form', id: 'analogy-form' }, [
    aIn, el('span', { text: '−' }), bIn, el('span', { text: '+' }), cIn,
    el('button', { type: 'submit', text: 'Analogy', title: 'The 5 words closest to a − b + c (e.g. king − man + woman ≈ queen)' }),
  ]);
  const words = el('div', { id: 'repr-words', className: 'repr-words' }, [
    el('div', { className: 'repr-main' }, [projectionEl, el('div', { className: 'repr-tools' }, [
      neighborForm, neighborList, analogyForm, analogyList,
    ])]), oneHot]);

  const latentEl = el('div', { id: 'latent-plot', className: 'plot repr-plot' });
  const pcaEl = el('div', { id: 'pca-plot', className: 'plot repr-plot' });
  const reconEl = el('div', { id: 'reconstructions', className: 'recon-row' });
  const latent = el('div', { id: 'repr-latent', className: 'repr-latent' }, [
    el('div', { className: 'repr-pair' }, [latentEl, pcaEl]), reconEl,
    el('p', { className: 'caption', text: 'Each dot is a test digit, placed by its 2-number code and coloured by its true label (never shown to the autoencoder). '
      + 'ARI: k-means (k = 10) on the codes against the labels, 1 = clusters are the digits, 0 = chance. Right: PCA to 2-D, the linear baseline.' }),
  ]);
  const placeholder = el('p', { className: 'placeholder hint' });
  root.replaceChildren(placeholder, words, latent);

  let mode = null;
  let jobId = null;
  let lastWord = null;
  let asking = false;
  let pca = null;

  async function askNeighbors(word) {
    if (!word || asking) return;
    asking = true;
    lastWord = word;
    try {
      const out = await onNeighbors(word);
      resultList(neighborList, out.neighbors, 'no neighbours');
      neighborList.dataset.step = out.step;
    } catch (err) {
      lastWord = null;
      neighborList.replaceChildren(el('li', { className: 'repr-error', text: err.message }));
    } finally {
      asking = false;
    }
  }

  neighborForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    askNeighbors(wordInput.value.trim());
  });
  analogyForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const [a, b, c] = [aIn, bIn, cIn].map((i) => i.value.trim() || i.placeholder);
    try {
      const out = await onAnalogy(a, b, c);
      resultList(analogyList, out.results, 'no answer');
    } catch (err) {
      analogyList.replaceChildren(el('li', { className: 'repr-error', text: err.message }));
    }
  });

  function drawProjection(msg) {
    const acc = msg.analogy_accuracy === null ? '' : ` · analogies ${(100 * msg.analogy_accuracy).toFixed(1)}% of ${msg.analogy_questions}`;
    const trace = {
      type: 'scatter', mode: 'markers+text', x: msg.x, y: msg.y, text: msg.words, textposition: 'top center',
      textfont: { size: 9, color: '#3e4c59' }, marker: { size: markerSizes(msg.counts), color: '#1f77b4', opacity: 0.7 },
      customdata: msg.counts, hovertemplate: '%{text}: %{customdata} occurrences<extra></extra>',
    };
    Plotly.react(projectionEl, [trace], scatterLayout(`${msg.words.length} most frequent words, step ${msg.step}${acc}`,
      'PC 1 (aligned, unitless)', 'PC 2 (aligned, unitless)'), CONFIG);
    oneHot.textContent = `One-hot vs embedding: word i enters as a one-hot x (V = ${msg.vocab_size.toLocaleString()} numbers, a single 1); `
      + `x times the V × ${msg.embedding_dim} input weights selects one row: that row is the word’s embedding. `
      + 'One-hot words are all equally far apart; embeddings of words used alike lie close.';
  }

  function drawCodes(el_, msg, title) {
    Plotly.react(el_, classTraces(msg), {
      ...scatterLayout(title, msg.method === 'pca' ? 'PC 1 (std. pixels)' : `code 1 (layer ${msg.layer})`,
        msg.method === 'pca' ? 'PC 2' : 'code 2'),
      showlegend: el_ === pcaEl, legend: { font: { size: 9 }, itemsizing: 'constant' },
    }, CONFIG);
  }

  function drawReconstructions(msg) {
    const lo = Math.min(msg.originals.vmin, msg.reconstructions.vmin);
    const hi = Math.max(msg.originals.vmax, msg.reconstructions.vmax);
    const cell = (img, label) => {
      const canvas = el('canvas', { width: img[0].length, height: img.length, className: 'recon-img', title: label });
      const ctx = canvas.getContext('2d');
      const data = ctx.createImageData(img[0].length, img.length);
      img.flat().forEach((v, i) => {
        const ink = 255 - Math.round(255 * Math.min(1, Math.max(0, ((v ?? lo) - lo) / (hi - lo || 1))));
        data.data.set([ink, ink, ink, 255], i * 4);
      });
      ctx.putImageData(data, 0, 0);
      return canvas;
    };
    const cols = msg.originals.data.map((img, i) => el('div', { className: 'recon-col' }, [
      cell(img, `original, label ${msg.labels[i]}`), cell(msg.reconstructions.data[i], `rebuilt, mse ${msg.mse[i]}`),
      el('span', { className: 'recon-label', text: String(msg.labels[i]) }),
    ]));
    const bar = el('div', { className: 'recon-bar', title: 'Pixel value, standardised units' }, [
      el('span', { text: hi.toFixed(1) }), el('div', { className: 'recon-ramp', style: `background: ${cssGradient(GREYS)}` }),
      el('span', { text: lo.toFixed(1) }),
    ]);
    reconEl.replaceChildren(el('div', { className: 'recon-names' }, [el('span', { text: 'original' }), el('span', { text: 'rebuilt' })]),
      ...cols, bar, el('span', { className: 'hint', text: `step ${msg.step}` }));
  }

  return {
    /** mode: 'words' | 'latent' | null (no representation for this job); note: what the placeholder says. */
    reset(nextMode, note, id = null) {
      mode = nextMode;
      jobId = id;
      lastWord = null;
      pca = null;
      words.hidden = mode !== 'words';
      latent.hidden = mode !== 'latent';
      placeholder.hidden = mode !== null;
      placeholder.textContent = note || '';
      neighborList.replaceChildren();
      analogyList.replaceChildren();
      reconEl.replaceChildren();
      oneHot.textContent = '';
      if (mode === 'words') Plotly.react(projectionEl, [], scatterLayout('Word vectors (PCA)', 'PC 1', 'PC 2', note), CONFIG);
      if (mode === 'latent') {
        Plotly.react(latentEl, [], scatterLayout('Autoencoder codes', 'code 1', 'code 2', note), CONFIG);
        Plotly.react(pcaEl, [], scatterLayout('PCA to 2-D', 'PC 1', 'PC 2'), CONFIG);
      }
    },
    get mode() {
      return mode;
    },
    get jobId() {
      return jobId;
    },
    projection(msg) {
      if (mode !== 'words') return;
      drawProjection(msg);
      if (lastWord) askNeighbors(lastWord);
    },
    codes(msgs) {
      if (mode !== 'latent') return;
      for (const msg of msgs) if (msg.method === 'pca') pca = msg;
      const last = [...msgs].reverse().find((m) => m.method === 'autoencoder');
      if (pca && msgs.includes(pca)) drawCodes(pcaEl, pca, `PCA 2-D · ARI ${pca.ari.toFixed(3)}`);
      if (last) drawCodes(latentEl, last, `Autoencoder code, step ${last.step} · ARI ${last.ari.toFixed(3)}`);
    },
    reconstructions(msg) {
      if (mode === 'latent') drawReconstructions(msg);
    },
  };
}
