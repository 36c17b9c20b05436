// Foundations tab 2: clustering step by step. The form -> POST /api/clustering (every iteration of
// k-means and of EM, from one k-means++ start) -> a scrubber over the iterations -> views/clusterSteps.js.

import { formHtml, wireLab } from './labForm.js';
import { decodeClustering, renderClusterSelection, renderClusterStep } from '../views/clusterSteps.js';

const SETS = [['blobs', 'blobs (4)'], ['moons', 'moons'], ['circle', 'circle'], ['xor', 'xor'], ['gaussian', 'two Gaussians'],
  ['spiral', 'spiral']];
const CONTROLS = [
  { name: 'dataset', label: 'data', value: 'blobs', options: SETS, title: 'A 2-D set; its generating groups are never shown to the methods' },
  { name: 'n_points', label: 'points', value: 300, min: 10, max: 1000, step: 10, title: '10–1000 points' },
  { name: 'noise', label: 'noise', value: 0.1, min: 0, max: 1, step: 0.05, title: 'Extra spread of the set (data units)' },
  { name: 'k', label: 'k', value: 4, min: 1, max: 8, step: 1, title: 'Clusters (k-means) and components (mixture), 1–8' },
  { name: 'max_iter', label: 'max iterations', value: 30, min: 1, max: 100, step: 1, title: 'At most this many updates of each method (1–100)' },
  { name: 'seed', label: 'seed', value: 0, min: 0, step: 1, title: 'The points and the k-means++ start' },
];
const PLAY_MS = 450;

const CAPTION = `<b>What to look for.</b> k-means repeats two steps: give each point to its nearest centre, move
  each centre to the mean of its points. The inertia can only go down, and it stops when no point changes
  cluster. EM does the same softly: the E-step computes each point's responsibilities, the M-step refits the
  weights, means and covariances; the log-likelihood never goes down. On the moons, round clusters cut across
  the moons. On the right, inertia always falls as k grows; BIC charges for the mixture's parameters, so it has
  a minimum.`;
const LATENT = `The mixture's component is a <b>latent variable</b>: which Gaussian made a point is never observed.
  EM infers its posterior, p(component | point), the responsibilities; each point's colour mixes the component
  colours by them.`;

export function createClusterLab({ root }) {
  root.innerHTML = `${formHtml('cl', CONTROLS)}
    <div class="found-slider">
      <label for="cl-method">show</label>
      <select id="cl-method" title="Which method's iterations to scrub through">
        <option value="kmeans">k-means</option><option value="gmm">Gaussian mixture (EM)</option></select>
      <button id="cl-prev" type="button" title="The previous iteration">◀</button>
      <input id="cl-iter" type="range" min="0" max="0" step="1" value="0" title="Iteration: drag to scrub">
      <button id="cl-next" type="button" title="The next iteration">▶</button>
      <button id="cl-play" type="button" title="Play the iterations from the start">Play</button>
      <span id="cl-iter-label" class="hint" aria-live="polite"></span>
    </div>
    <div class="found-body">
      <div class="found-main-box"><div id="cl-main" class="plot found-main"></div>
        <p id="cl-latent" class="found-latent" hidden>${LATENT}</p></div>
      <div class="found-side"><div id="cl-objective" class="plot"></div><div id="cl-selection" class="plot"></div></div>
    </div>
    <p id="cl-stats" class="found-stats" aria-live="polite"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const els = { mainEl: $('cl-main'), objectiveEl: $('cl-objective'), selectionEl: $('cl-selection') };
  let data = null;
  let timer = null;

  const method = () => $('cl-method').value;
  const total = () => (method() === 'kmeans' ? data.kmeans.iterations : data.gmm.iterations);

  function draw() {
    if (!data) return;
    const t = Math.min(Number($('cl-iter').value), total());
    $('cl-iter').max = String(total());
    $('cl-iter').value = String(t);
    $('cl-iter-label').textContent = `iteration ${t} of ${total()}`;
    $('cl-latent').hidden = method() !== 'gmm';
    renderClusterStep(els, data, method(), t);
  }

  function step(delta) {
    stop();
    $('cl-iter').value = String(Math.max(0, Math.min(total(), Number($('cl-iter').value) + delta)));
    draw();
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    $('cl-play').textContent = 'Play';
  }

  function play() {
    if (timer) { stop(); return; }
    $('cl-iter').value = '0';
    draw();
    $('cl-play').textContent = 'Pause';
    timer = setInterval(() => {
      if (Number($('cl-iter').value) >= total()) { stop(); return; }
      $('cl-iter').value = String(Number($('cl-iter').value) + 1);
      draw();
    }, PLAY_MS);
  }

  function stats(d) {
    const km = d.kmeans;
    const g = d.gmm;
    return `k-means: ${km.iterations} updates, inertia ${km.inertia[0].toFixed(2)} → ${km.inertia[km.iterations].toFixed(2)}, `
      + `agreement with the generating groups (adjusted Rand) ${km.ari.toFixed(2)} · EM: ${g.iterations} M-steps, `
      + `log-likelihood ${g.loglik[0].toFixed(3)} → ${g.loglik[g.iterations].toFixed(3)} nats/point, adjusted Rand ${g.ari.toFixed(2)}`;
  }

  const lab = wireLab({ form: $('cl-form'), errors: $('cl-errors'), path: '/api/clustering', render: (out) => {
    stop();
    data = decodeClustering(out);
    $('cl-iter').value = '0';
    $('cl-stats').textContent = stats(data);
    renderClusterSelection(els, data);
    draw();
  } });
  $('cl-iter').addEventListener('input', () => { stop(); draw(); });
  $('cl-method').addEventListener('change', () => { stop(); $('cl-iter').value = '0'; draw(); });
  $('cl-prev').addEventListener('click', () => step(-1));
  $('cl-next').addEventListener('click', () => step(1));
  $('cl-play').addEventListener('click', play);
  return { show: () => { if (!lab.ran()) lab.run(); } };
}
