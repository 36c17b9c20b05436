// Foundations tab 5: the uncertainty of a neural network on 2-D data. The spec in the editor runs over
// k seeds (POST /api/replicates: ordinary jobs, one per seed); once every run has ended the tab asks
// GET /api/replicates/{id}/ensemble and draws the mean probability, the members' spread and their
// disagreement (mutual information) over the plane.

import { api } from '../api.js';
import { errorLines, formHtml, readForm, showErrors } from './labForm.js';
import { waitForSets } from './replicates.js';
import { drawEnsemble } from '../views/ensemble.js';

const CONTROLS = [
  { name: 'n', label: 'members k', value: 5, min: 2, max: 20, step: 1, title: '2–20 networks, one per training seed' },
  { name: 'first_seed', label: 'first seed', value: 0, min: 0, step: 1, title: 'Seeds first_seed … first_seed + k − 1' },
];

const CAPTION = `<b>What to look for.</b> Each member is the same network trained from another seed. Once they have learned the data, near the training
  points the members agree: the mean probability is sharp and the disagreement is dark. Away from the data,
  and across gaps between the classes, they draw their boundaries differently: the spread and the mutual
  information light up there. That is the model's uncertainty about itself (epistemic), which more data would
  reduce; a single network's own probability would often look just as confident there. Mutual information is
  at most ln 2 ≈ 0.69 nats for two classes.`;

export function createEnsembleLab({ root, getSpec }) {
  root.innerHTML = `<p class="hint" id="en-about"></p>
    ${formHtml('en', CONTROLS, 'Train the ensemble')}
    <p id="en-progress" class="found-stats" aria-live="polite"></p>
    <div class="found-body three"><div id="en-mean" class="plot found-main"></div><div id="en-std" class="plot found-main"></div>
      <div id="en-mi" class="plot found-main"></div></div>
    <p id="en-stats" class="found-stats" aria-live="polite"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $('en-form');
  form.noValidate = true; // the server names a refused field
  const els = { meanEl: $('en-mean'), stdEl: $('en-std'), miEl: $('en-mi') };
  let round = 0;

  async function start(ev) {
    ev.preventDefault();
    const mine = ++round;
    const spec = getSpec();
    $('en-stats').textContent = '';
    try {
      const set = await api.createReplicates({ ...readForm(form), name: `ensemble: ${spec.name || spec.dataset.name}`.slice(0, 200), base: spec });
      showErrors($('en-errors'), []);
      const [done] = await waitForSets([set], ['members'], $('en-progress'), () => mine === round);
      if (mine !== round) return;
      const out = await api.ensemble(done.id);
      drawEnsemble(els, out);
      const accs = out.member_accuracy.map((a) => a.toFixed(3)).join(', ');
      $('en-stats').textContent = `Test accuracy: members ${accs} · ensemble (mean probability) ${out.ensemble_accuracy.toFixed(3)}`;
    } catch (err) {
      if (mine === round) showErrors($('en-errors'), errorLines(err));
    }
  }

  form.addEventListener('submit', start);
  return {
    show: () => {
      const s = getSpec();
      $('en-about').textContent = `The ensemble: the spec in the editor (${s.dataset.name}, ${s.training.epochs} epoch(s)) trained from k seeds, `
        + 'as ordinary jobs. It needs a 2-D classification set (circle, xor, gaussian, spiral).';
    },
  };
}
