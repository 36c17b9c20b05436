// The visual network builder beside the JSON editor: it renders the spec's network.layers (store
// 'spec'), shows the server's validation on each row (store 'validation'), and turns its edits into a
// new spec through the spec controller (which re-renders the editor and validates). It also owns the
// "Hide JSON" toggle of the editor. Layer types and fields come from GET /api/layers. On 2-D data the
// Neurons diagram (`diagram`) is a builder too: its +/- hidden layers and neurons come here as the
// same actions, so the JSON, the builder rows and the diagram show one spec, validated as any edit.

import { api } from '../api.js';
import { store } from '../state.js';
import {
  addHiddenLayer, addLayer, hiddenLayers, indexCatalogue, moveBlock, outputUnits, removeBlock, removeHiddenLayer,
  setActivation, stepField, withField,
} from '../layerEdits.js';
import { createNetworkBuilder } from '../views/networkBuilder.js';

const EDITS = {
  add: (layers, cat, a) => addLayer(layers, cat, a.type),
  remove: (layers, cat, a) => removeBlock(layers, cat, a.block),
  move: (layers, cat, a) => moveBlock(layers, cat, a.block, a.delta),
  activation: (layers, cat, a) => setActivation(layers, cat, a.block, a.type),
  step: (layers, cat, a) => stepField(layers, cat, a.index, a.field, a.delta),
  set: (layers, _cat, a) => withField(layers, a.index, a.field, a.value),
  addHidden: (layers, cat) => addHiddenLayer(layers, cat),
  removeHidden: (layers, cat) => removeHiddenLayer(layers, cat),
};

/** `diagram`: the Neurons view (its setNetwork(net, onEdit)), or none. */
export function createBuilderController({ $, spec, notes, diagram = null }) {
  let catalogue = new Map();
  const view = createNetworkBuilder($('network-builder'), { onEdit });

  function onEdit(action) {
    const current = store.get().spec;
    const layers = current?.network?.layers;
    if (!Array.isArray(layers)) return;
    const next = EDITS[action.kind](layers, catalogue, action);
    spec.setSpec({ ...current, network: { ...current.network, layers: next } }, 'builder');
  }

  let validated = { spec: null, validation: null }; // the last validation and the spec it is about

  function render(current) {
    const layers = current?.network?.layers;
    if (!current) view.setLayers(null, 'The JSON below is not valid: fix it to edit the layers here.');
    else if (!Array.isArray(layers)) view.setLayers(null, 'This network has no layer list to build (edit it as JSON).');
    else view.setLayers(layers);
    const net = Array.isArray(layers) && catalogue.size
      ? { hidden: hiddenLayers(layers, catalogue), outputs: outputUnits(layers, catalogue) } : null;
    diagram?.setNetwork(net, onEdit);
    if (current && validated.spec === current) showValidation(validated.validation); // else pending until it comes
  }

  function showValidation(validation) {
    if (validation?.ok) view.showSummary(validation.summary);
    else if (validation && !validation.ok) view.showErrors(validation.messages);
  }

  function toggleJson() {
    const panel = $('spec-editor').closest('.editor-panel');
    const hide = !panel.classList.contains('collapsed');
    panel.classList.toggle('collapsed', hide);
    $('spec-editor').hidden = hide;
    $('toggle-json').textContent = hide ? 'Show JSON' : 'Hide JSON';
    $('toggle-json').setAttribute('aria-expanded', String(!hide));
  }

  store.on('spec', render);
  store.on('specError', (error) => { if (error) render(null); });
  store.on('validation', (validation) => {
    if (!validation || !store.get().spec) return;
    validated = { spec: store.get().spec, validation }; // set for the spec on screen (spec.js drops stale answers)
    showValidation(validation);
  });
  $('toggle-json').addEventListener('click', toggleJson);

  api.layers().then((rows) => {
    catalogue = indexCatalogue(rows);
    view.setCatalogue(catalogue);
    render(store.get().spec);
  }).catch((err) => notes.error('Could not load the layer catalogue', err));
}
