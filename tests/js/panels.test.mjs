// node --test: the panel registry (frontend/js/panels.js): routes, layout of tabs from the server's panels.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createDispatcher } from '../../frontend/js/dispatch.js';
import {
  ALL, LATEST, NON_VISUAL, PANELS, RESETS, TABS, TAB_FALLBACK, panelLayout, panelMessageTypes, panelRoutes,
} from '../../frontend/js/panels.js';
import { MSG } from '../../frontend/js/protocol.js';

test('every panel routes each of its message types to a view and names a mode', () => {
  const routes = panelRoutes({});
  for (const panel of PANELS) {
    for (const [type, mode] of Object.entries(panel.messages)) {
      assert.ok([LATEST, ALL].includes(mode), `${panel.name}.${type}`);
      assert.ok(routes.some((r) => r.type === type && r.mode === mode), `${panel.name} routes ${type}`);
    }
  }
});

test('tabs come from the registry, in order; the selected-tab fallback and resets too', () => {
  assert.deepEqual(TABS.map((t) => t.key), ['inside', 'neurons', 'gradients', 'activations', 'weights', 'likelihood', 'attention', 'cross', 'repr']);
  assert.deepEqual(TAB_FALLBACK, ['cross', 'attention', 'repr', 'inside', 'neurons', 'gradients']);
  for (const tab of TABS) assert.ok(tab.label && tab.title, tab.key);
  const resets = Object.fromEntries(RESETS);
  assert.equal(resets.gates.idle, 'Press ▶ Play to watch the gates.');
  assert.equal(resets.attention.waiting({ streams: new Set(), waiting: 'w' }).startsWith('This network has no'), true);
  assert.equal(resets.boundary.waiting({ streams: new Set(), waiting: 'w' }), 'w');
  // a job that streams no gradients (word2vec) is not left "waiting" for them forever
  assert.equal(resets.gradients.waiting({ streams: new Set(['metrics', 'gradients']), waiting: 'w' }), 'Waiting for the first steps…');
  assert.match(resets.gradients.waiting({ streams: new Set(['metrics', 'embedding_projection']), waiting: 'w' }), /streams no per-layer gradients/);
});

test('a panel taken out of the registry takes its routes, tab and resets with it', () => {
  assert.ok(panelRoutes({}).some((r) => r.type === 'saturation' && r.view === 'activations'));
  assert.ok(RESETS.some(([key]) => key === 'activations'));
  assert.equal(panelLayout(['activations']).tabs.activations, true);
});

test('each protocol.js type is drawn by exactly one panel or declared non-visual', () => {
  const drawn = panelMessageTypes();
  assert.equal(new Set(drawn).size, drawn.length, 'a type in two panels');
  assert.deepEqual(new Set([...drawn, ...NON_VISUAL]), new Set(Object.values(MSG)));
});

test('panel routes hand a view the newest frame or all of a series', () => {
  const calls = [];
  const spy = (name) => new Proxy({}, { get: (_, method) => (arg) => calls.push([name, method, arg]) });
  const views = new Proxy({}, { get: (_, key) => spy(key) });
  const later = [];
  const dispatch = createDispatcher(panelRoutes(views, { later: (fn) => later.push(fn) }));
  dispatch([
    { type: 'gates', seq: 1 }, { type: 'gates', seq: 2 }, { type: 'time_gradients', seq: 3 },
    { type: 'time_gradients', seq: 4 }, { type: 'decision_boundary', seq: 5 },
  ]);
  later.pop()(); // (the selected tab's views draw after the next paint)
  const gates = calls.find(([v, m]) => v === 'gates' && m === 'render');
  assert.equal(gates[2].seq, 2);
  const timeCalls = calls.filter(([v]) => v === 'timeGradients');
  assert.deepEqual(timeCalls.map(([, m, a]) => [m, a?.seq]), [['push', 3], ['push', 4], ['flush', undefined]]);
  assert.ok(calls.some(([v, m, a]) => v === 'boundary' && m === 'render' && a.seq === 5));
});

test('layout: an image classifier shows the feature maps inside, no other optional tab', () => {
  const layout = panelLayout(['metrics', 'gradients', 'feature_maps']);
  assert.deepEqual(layout.tabs, { inside: true, neurons: false, attention: false, activations: false, weights: false, cross: false, repr: false });
  assert.equal(layout.box, 'fm-box');
  assert.equal(layout.inside, 'image');
});

test('layout: a 2-D MLP shows the boundary and the Neurons tab', () => {
  const layout = panelLayout(['metrics', 'gradients', 'decision_boundary', 'neuron_maps']);
  assert.equal(layout.box, 'boundary-box');
  assert.equal(layout.inside, 'boundary');
  assert.equal(layout.tabs.neurons, true);
});

test('layout: sequence panels show their parts; a forecast alone labels the tab Forecast', () => {
  const lstm = panelLayout(['metrics', 'gradients', 'gates', 'forecast']);
  assert.equal(lstm.box, 'seq-box');
  assert.equal(lstm.inside, 'sequence');
  assert.equal(lstm.parts.gates, true);
  assert.equal(lstm.parts['text-samples'], false);
  const mlp = panelLayout(['metrics', 'gradients', 'forecast']);
  assert.equal(mlp.inside, 'forecast');
  assert.equal(mlp.parts.gates, false);
});

test('layout: feature tables and word2vec hide the inside tab; representations show for both kinds', () => {
  assert.equal(panelLayout(['metrics', 'gradients']).tabs.inside, false);
  const words = panelLayout(['metrics', 'embedding_projection']);
  assert.deepEqual(words.tabs, { inside: false, neurons: false, attention: false, activations: false, weights: false, cross: false, repr: true });
  assert.equal(panelLayout(['metrics', 'gradients', 'latent_codes']).tabs.repr, true);
  assert.equal(panelLayout(['metrics', 'gradients', 'attention']).tabs.attention, true);
});

test('layout: a network with activation layers shows the Activations tab', () => {
  const layout = panelLayout(['metrics', 'gradients', 'activations', 'decision_boundary']);
  assert.equal(layout.tabs.activations, true);
  assert.equal(layout.box, 'boundary-box');
});

test('layout: a job streaming weights shows the Weights tab', () => {
  assert.equal(panelLayout(['metrics', 'gradients', 'weights', 'feature_maps']).tabs.weights, true);
  assert.equal(panelLayout(['metrics', 'embedding_projection']).tabs.weights, false);
});

test('layout before any job or validation: only the inside tab, with the feature-map box', () => {
  const layout = panelLayout(null);
  assert.deepEqual(layout.tabs, { inside: true, neurons: false, attention: false, activations: false, weights: false, cross: false, repr: false });
  assert.equal(layout.box, 'fm-box');
});

test('cross attention has its own tab, shown only when the job streams it', () => {
  assert.equal(panelLayout(['metrics', 'gradients', 'cross_attention']).tabs.cross, true);
  assert.equal(panelLayout(['metrics', 'gradients', 'attention']).tabs.cross, false);
  assert.ok(PANELS.some((p) => p.name === 'cross_attention' && p.messages.cross_attention === ALL));
});

test('the curves draw now, the selected tab a paint later, hidden tabs a paint after that; the newest frame only', () => {
  const calls = [];
  const spy = (name) => new Proxy({}, { get: (_, method) => (arg) => calls.push([name, method, arg?.seq]) });
  const views = new Proxy({}, { get: (_, key) => spy(key) });
  let selected = 'inside';
  const later = [];
  const paint = () => { for (const fn of later.splice(0)) fn(); };
  const dispatch = createDispatcher(panelRoutes(views, {
    shown: (tab) => tab === selected, later: (fn) => later.push(fn), current: () => 'j1',
  }));
  const m = (type, seq, job = 'j1') => ({ type, seq, job_id: job, scope: 'step' });
  dispatch([m('metrics', 1), m('decision_boundary', 2), m('neuron_maps', 3), m('gradients', 4), m('neuron_maps', 5)]);
  // the loss and accuracy charts sit outside the tabs: drawn at once
  assert.deepEqual(calls.filter(([v]) => v === 'loss').map(([, f]) => f), ['push', 'flush']);
  // the rest: series pushed now, nothing drawn yet
  assert.ok(!calls.some(([v, f]) => v !== 'loss' && v !== 'accuracy' && (f === 'render' || f === 'flush')));
  assert.deepEqual(calls.filter(([v]) => v === 'gradients').map(([, f]) => f), ['push']);
  assert.deepEqual(calls.filter(([v]) => v === 'likelihood').map(([, f]) => f), ['push']);
  assert.equal(later.length, 2, 'one deferred pass per rank');
  calls.length = 0;
  paint(); // the selected tab (the boundary in "inside")
  assert.deepEqual(calls, [['boundary', 'render', 2]]);
  calls.length = 0;
  paint(); // the hidden tabs, the newest frame only
  assert.deepEqual(calls.filter(([, f]) => f === 'render'), [['neurons', 'render', 5]]);
  assert.deepEqual(calls.filter(([, f]) => f === 'flush').map(([v]) => v).sort(), ['gradients', 'likelihood']);
  assert.equal(later.length, 0);

  // a frame deferred while hidden does not draw over a newer one queued once its tab is shown
  calls.length = 0;
  dispatch([m('neuron_maps', 6)]);
  selected = 'neurons';
  dispatch([m('neuron_maps', 7)]);
  paint();
  paint();
  assert.deepEqual(calls.filter(([, f]) => f === 'render'), [['neurons', 'render', 7]]);

  // a live stream, a batch every frame: the hidden tabs still draw, two paints after their frame
  calls.length = 0;
  selected = 'inside';
  dispatch([m('neuron_maps', 8), m('decision_boundary', 9)]);
  paint();
  dispatch([m('decision_boundary', 10)]);
  paint();
  assert.deepEqual(calls.filter(([, f]) => f === 'render'), [['boundary', 'render', 9], ['neurons', 'render', 8],
    ['boundary', 'render', 10]]);

  // a deferred frame of a job no longer on screen is dropped
  calls.length = 0;
  dispatch([m('neuron_maps', 11, 'j0'), m('decision_boundary', 12, 'j0')]);
  paint();
  paint();
  assert.deepEqual(calls, []);
});
