// Foundations tab 3: density estimation. The form -> POST /api/density -> views/densityContours.js.
// The bandwidth also has a log-scale slider, so over- and under-smoothing can be swept by hand.

import { formHtml, wireLab } from './labForm.js';
import { renderDensity } from '../views/densityContours.js';

const SETS = [['moons', 'moons'], ['blobs', 'blobs (4)'], ['circle', 'circle'], ['xor', 'xor'], ['gaussian', 'two Gaussians'],
  ['spiral', 'spiral']];
const CONTROLS = [
  { name: 'dataset', label: 'data', value: 'moons', options: SETS, title: 'A 2-D set' },
  { name: 'n_points', label: 'points', value: 400, min: 20, max: 1000, step: 10, title: '20–1000 points, training and held-out together' },
  { name: 'noise', label: 'noise', value: 0.1, min: 0, max: 1, step: 0.05, title: 'Extra spread of the set (data units)' },
  { name: 'test_fraction', label: 'held out', value: 0.3, min: 0.1, max: 0.5, step: 0.05, title: 'Fraction of the points kept out of fitting, for scoring' },
  { name: 'components', label: 'components', value: 4, min: 1, max: 8, step: 1, title: 'Gaussians in the mixture (1–8)' },
  { name: 'bandwidth', label: 'bandwidth h', value: 0.2, min: 0.005, max: 5, step: 0.005, title: 'Kernel standard deviation, data units' },
  { name: 'seed', label: 'seed', value: 0, min: 0, step: 1, title: 'The points and the split' },
];
const H_MIN = 0.01;
const H_MAX = 3;

const CAPTION = `<b>What to look for.</b> Both densities are fitted to the training points (black dots) and scored on the
  held-out points (red rings): the held-out log-likelihood says how well each predicts new data. A small bandwidth
  puts a spike on every training point: the training score soars while the held-out score collapses
  (under-smoothing). A large one blurs the moons into one blob (over-smoothing). The best bandwidth lies between;
  Scott's rule assumes a single Gaussian and over-smooths the moons. The mixture's number of components plays
  the bandwidth's part.`;

const toSlider = (h) => Math.round((100 * Math.log(h / H_MIN)) / Math.log(H_MAX / H_MIN));
const fromSlider = (s) => Number((H_MIN * (H_MAX / H_MIN) ** (s / 100)).toPrecision(2));

export function createDensityLab({ root }) {
  root.innerHTML = `${formHtml('dn', CONTROLS)}
    <div class="found-slider"><label for="dn-h-slider">bandwidth</label>
      <input id="dn-h-slider" type="range" min="0" max="100" step="1" value="${toSlider(0.2)}"
        title="Kernel bandwidth, log scale from ${H_MIN} to ${H_MAX}: drag to see under- and over-smoothing">
      <span id="dn-h-label" class="hint">h = 0.2</span></div>
    <div class="found-body three">
      <div id="dn-gmm" class="plot found-main"></div>
      <div id="dn-kde" class="plot found-main"></div>
      <div class="found-side"><div id="dn-hsweep" class="plot"></div><div id="dn-ksweep" class="plot"></div></div>
    </div>
    <p id="dn-stats" class="found-stats" aria-live="polite"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const els = { gmmEl: $('dn-gmm'), kdeEl: $('dn-kde'), bandwidthEl: $('dn-hsweep'), componentsEl: $('dn-ksweep'),
    statsEl: $('dn-stats') };
  const lab = wireLab({ form: $('dn-form'), errors: $('dn-errors'), path: '/api/density', render: (out) => {
    $('dn-h-label').textContent = `h = ${out.kde.bandwidth}`;
    renderDensity(els, out);
  } });
  const slider = $('dn-h-slider');
  slider.addEventListener('input', () => {
    $('dn-bandwidth').value = String(fromSlider(Number(slider.value)));
    lab.run();
  });
  $('dn-bandwidth').addEventListener('change', () => { slider.value = String(toSlider(Number($('dn-bandwidth').value) || 0.2)); });
  return { show: () => { if (!lab.ran()) lab.run(); } };
}
