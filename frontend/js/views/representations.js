// Right column, "Representations" tab: what a network learned to represent, drawn from messages.
// Word mode (word2vec jobs): `embedding_projection` frames as a labelled scatter (PCA, each frame
// aligned to the previous, so words drift instead of flipping), a neighbour box and an analogy box
// (answered by the REST API through the callbacks main.js passes in; a neighbour query is asked again
// for each new frame, so its list follows training), and the one-hot explanation with V and D filled in.
// Latent mode (autoencoders): `latent_codes` as two scatters in one style, the autoencoder's code and
// PCA's projection of the same test digits, coloured by true label, k-means ARI in the titles; and
// `reconstructions`: the first test digits above what the network rebuilds from their codes.

import { payloadNested } from './arrays.js';
import { el } from './dom.js';
import { batched } from './series.js';
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

/** Ranked words in two columns (down the first, then the second): rank, word (cut with an ellipsis
 * when long, whole in its tooltip) and cosine similarity, each in its own box so none overlap. */
function resultList(listEl, items, empty) {
  listEl.style.gridTemplateRows = `repeat(${Math.max(1, Math.ceil(items.length / 2))}, auto)`;
  listEl.replaceChildren(...(items.length ? items.map((r, i) => el('li', { title: `${r.word}: cosine ${r.similarity.toFixed(4)}` }, [
    el('span', { className: 'repr-rank', text: `${i + 1}.` }),
    el('span', { className: 'repr-word', text: r.word }), el('span', { className: 'repr-sim', text: r.similarity.toFixed(3) }),
  ])) : [el('li', { className: 'hint', text: empty })]));
}

const LABEL_FONT_PX = 9;
let measureCtx = null;

/** Width in px of `text` in the projection's label font. */
function labelWidth(text) {
  measureCtx = measureCtx || document.createElement('canvas').getContext('2d');
  measureCtx.font = `${LABEL_FONT_PX}px ${FONT.family}`;
  return measureCtx.measureText(text).width;
}

/**
 * Which words of a drawn projection get a label: the most frequent first (the words come sorted by
 * count), each above its marker, or else below it (leaning right or left near the plot's sides),
 * only where its box overlaps no label already placed and lies in the plot area. `px`/`py`: marker
 * centres in px, `r`: marker radii. Returns one {index, v: 'top'|'bottom', hz: 'center'|'right'|'left'}
 * per labelled word.
 */
export function placeLabels(words, px, py, r, area) {
  const boxes = [];
  const h = LABEL_FONT_PX + 5;
  const fits = (box) => box.x0 >= area.x0 && box.x1 <= area.x1 && box.y0 >= area.y0 && box.y1 <= area.y1
    && !boxes.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1);
  const spots = [['top', 'center'], ['bottom', 'center'], ['top', 'right'], ['top', 'left'], ['bottom', 'right'], ['bottom', 'left']];
  words.forEach((word, i) => {
    const w = labelWidth(word) + 4; // 2 px of room on each side
    const ys = { top: [py[i] - r[i] - h, py[i] - r[i]], bottom: [py[i] + r[i], py[i] + r[i] + h] };
    const xs = { center: [px[i] - w / 2, px[i] + w / 2], right: [px[i], px[i] + w], left: [px[i] - w, px[i]] };
    const spot = spots.map(([v, hz]) => ({ index: i, v, hz, x0: xs[hz][0], x1: xs[hz][1], y0: ys[v][0], y1: ys[v][1] })).find(fits);
    if (spot) boxes.push(spot);
  });
  return boxes;
}

/** The placed labels as Plotly annotations at their words' points, shifted off the markers. */
function labelAnnotations(spots, words, x, y, r) {
  return spots.map(({ index: i, v, hz }) => ({
    text: words[i], x: x[i], y: y[i], xref: 'x', yref: 'y', showarrow: false, borderpad: 0, captureevents: false,
    font: { size: LABEL_FONT_PX, color: '#3e4c59' }, name: 'word-label',
    xanchor: hz === 'center' ? 'center' : hz === 'right' ? 'left' : 'right',
    yanchor: v === 'top' ? 'bottom' : 'top', yshift: v === 'top' ? r[i] : -r[i],
  }));
}

/**
 * @param {{root: HTMLElement, onNeighbors: (word: string) => Promise<object>,
 *          onAnalogy: (a: string, b: string, c: string) => Promise<object>}} opts
 */
export function createRepresentations({ root, onNeighbors, onAnalogy, onDownload = () => {} }) {
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
  const legendEl = el('div', { id: 'latent-legend', className: 'latent-legend', title: 'Dot colour: the test digit’s true label' });
  const latent = el('div', { id: 'repr-latent', className: 'repr-latent' }, [
    el('div', { className: 'repr-pair' }, [latentEl, pcaEl]), el('div', { className: 'recon-line' }, [reconEl, legendEl]),
    el('p', { className: 'caption', text: 'Each dot is a test digit, placed by its 2-number code and coloured by its true label (never shown to the autoencoder). '
      + 'ARI: k-means (k = 10) on the codes against the labels, 1 = clusters are the digits, 0 = chance. Right: PCA to 2-D, the linear baseline.' }),
  ]);
  const placeholder = el('p', { className: 'placeholder hint' });
  const downloads = el('div', { className: 'repr-downloads', id: 'repr-downloads' }, [
    el('span', { text: 'Download:' }),
    ...[['JSON', 'format=json', 'Vectors with their labels as JSON'],
      ['vectors.tsv', 'format=tsv&part=vectors', 'One vector per line: load it in TensorBoard’s projector (projector.tensorflow.org)'],
      ['metadata.tsv', 'format=tsv&part=metadata', 'The matching labels (words, or the digits’ true labels), one a line']].map(([text, query, title]) => {
      const button = el('button', { type: 'button', className: 'link-btn', text, title });
      button.addEventListener('click', () => jobId && onDownload(`/api/jobs/${encodeURIComponent(jobId)}/embeddings?${query}`));
      return button;
    }),
  ]);
  root.replaceChildren(placeholder, words, latent, downloads);

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
    const word = wordInput.value.trim();
    if (!word) { // nothing to ask: say so, instead of leaving the previous word's list
      lastWord = null;
      neighborList.replaceChildren(el('li', { className: 'repr-error', text: 'Type a word to see its nearest neighbours.' }));
      wordInput.focus();
      return;
    }
    askNeighbors(word);
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

  /** Label only the words whose labels do not overlap (most frequent first); hover names every word. */
  async function relabel() {
    const trace = projectionEl.data?.[0];
    const full = projectionEl._fullLayout;
    if (mode !== 'words' || !trace?.text?.length || !full?.xaxis?.l2p) return;
    const { xaxis: xa, yaxis: ya } = full;
    const r = trace.marker.size.map((d) => d / 2);
    const spots = placeLabels(trace.text, trace.x.map((v) => xa._offset + xa.l2p(v)), trace.y.map((v) => ya._offset + ya.l2p(v)), r,
      { x0: xa._offset, x1: xa._offset + xa._length, y0: ya._offset, y1: ya._offset + ya._length });
    projectionEl.dataset.labels = String(spots.length);
    await Plotly.relayout(projectionEl, { annotations: labelAnnotations(spots, trace.text, trace.x, trace.y, r) });
    projectionEl.dataset.labelled = 'true'; // the labels drawn are this frame's
  }

  async function drawProjection(msg) {
    const acc = msg.analogy_accuracy === null ? '' : ` · analogies ${(100 * msg.analogy_accuracy).toFixed(1)}% of ${msg.analogy_questions}`;
    const trace = {
      type: 'scatter', mode: 'markers', x: msg.x, y: msg.y, text: msg.words,
      marker: { size: markerSizes(msg.counts), color: '#1f77b4', opacity: 0.7 },
      customdata: msg.counts, hovertemplate: '%{text}: %{customdata} occurrences<extra></extra>',
    };
    projectionEl.dataset.labelled = 'false';
    const layout = scatterLayout(`${msg.words.length} top words · step ${msg.step}${acc}`, 'PC 1 (aligned, unitless)',
      'PC 2 (aligned, unitless)');
    layout.annotations = projectionEl.layout?.annotations || []; // the last frame's labels until these are placed
    await Plotly.react(projectionEl, [trace], layout, CONFIG);
    await relabel();
    oneHot.textContent = `One-hot vs embedding: word i enters as a one-hot x (V = ${msg.vocab_size.toLocaleString()} numbers, a single 1); `
      + `x times the V × ${msg.embedding_dim} input weights selects one row: that row is the word’s embedding. `
      + 'One-hot words are all equally far apart; embeddings of words used alike lie close.';
  }

  // Projection frames are drawn one at a time (draw, then place the labels on what was drawn), the
  // newest pending one next; null: resize to the box and place the labels again.
  let projectionQueue = [];
  let projecting = false;
  async function queueProjection(msg) {
    projectionQueue = msg ? [msg] : (projectionQueue.length ? projectionQueue : [null]);
    if (projecting) return;
    projecting = true;
    try {
      while (projectionQueue.length) {
        const next = projectionQueue.shift();
        if (next) await drawProjection(next);
        else if (projectionEl._fullLayout) {
          projectionEl.dataset.labelled = 'false'; // the old labels' spacing no longer holds once the box changes
          await Plotly.Plots.resize(projectionEl).then(relabel);
        }
      }
    } catch (err) {
      console.error('projection: could not draw', err);
    } finally {
      projecting = false;
    }
  }

  function drawCodes(el_, msg, title) {
    Plotly.react(el_, classTraces(msg), scatterLayout(title, msg.method === 'pca' ? 'PC 1 (std. pixels)' : `code 1 (layer ${msg.layer})`,
      msg.method === 'pca' ? 'PC 2' : 'code 2'), CONFIG);
    drawLegend(msg.classes);
  }

  /** The colour key of both scatters, every class (a Plotly legend in the plot's height cut it at 5). */
  function drawLegend(classes) {
    if (legendEl.childElementCount === classes.length + 1) return;
    legendEl.style.gridTemplateRows = `repeat(${Math.ceil(classes.length / 2) + 1}, auto)`;
    legendEl.replaceChildren(el('span', { className: 'latent-legend-title', text: 'true label' }), ...classes.map((name, k) => el('span', {
      className: 'latent-legend-item' }, [el('span', { className: 'latent-dot', style: `background: ${CLASS_COLORS[k % CLASS_COLORS.length]}` }),
      document.createTextNode(`digit ${name}`)])));
  }

  // The plots follow their boxes' size (the reconstructions row appears after the first codes, the
  // window changes): Plotly's own `responsive` only follows the window.
  const resized = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      if (!target._fullLayout || target.clientWidth < 20 || target.clientHeight < 20) continue;
      const size = target._fullLayout;
      if (Math.abs(size.width - target.clientWidth) < 1 && Math.abs(size.height - target.clientHeight) < 1) continue;
      if (target === projectionEl) queueProjection(null);
      else Plotly.Plots.resize(target);
    }
  });
  [projectionEl, latentEl, pcaEl].forEach((p) => resized.observe(p));

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
    const rebuilt = payloadNested(msg.reconstructions); // (example, row, col)
    const cols = payloadNested(msg.originals).map((img, i) => el('div', { className: 'recon-col' }, [
      cell(img, `original, label ${msg.labels[i]}`), cell(rebuilt[i], `rebuilt, mse ${msg.mse[i]}`),
      el('span', { className: 'recon-label', text: String(msg.labels[i]) }),
    ]));
    const bar = el('div', { className: 'recon-bar', title: 'Pixel value, standardised units' }, [
      el('span', { text: hi.toFixed(1) }), el('div', { className: 'recon-ramp', style: `background: ${cssGradient(GREYS)}` }),
      el('span', { text: lo.toFixed(1) }),
    ]);
    reconEl.replaceChildren(el('div', { className: 'recon-names' }, [el('span', { text: 'original' }), el('span', { text: 'rebuilt' })]),
      ...cols, bar, el('span', { className: 'hint', text: `step ${msg.step}` }));
  }

  const codesBatch = batched((msgs) => self.codes(msgs)); // eslint-disable-line no-use-before-define
  const self = {
    /** note: what the placeholder says; mode: 'words' | 'latent' | null (no representation for this
     * job); id: the job's (its downloads). */
    reset(note, { mode: nextMode = null, id = null } = {}) {
      mode = nextMode;
      jobId = id;
      projectionQueue = [];
      lastWord = null;
      pca = null;
      words.hidden = mode !== 'words';
      latent.hidden = mode !== 'latent';
      placeholder.hidden = mode !== null;
      downloads.hidden = mode === null || !id;
      placeholder.textContent = note || '';
      neighborList.replaceChildren();
      analogyList.replaceChildren();
      reconEl.replaceChildren();
      legendEl.replaceChildren();
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
      queueProjection(msg);
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
    /** The newest `embedding_projection` or `reconstructions` message of a batch. */
    render(msg) {
      if (msg.type === 'reconstructions') this.reconstructions(msg);
      else this.projection(msg);
    },
    /** `push(msg)` each `latent_codes` message of a batch, then `flush()`. */
    ...codesBatch,
  };
  return self;
}
