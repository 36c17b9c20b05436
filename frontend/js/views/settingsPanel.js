// Left column: data set and training settings as form controls. They edit the JobSpec: each
// change calls onEdit(path, value); setSpec(spec) shows a spec (without clobbering a control the
// user is typing in).

import { el } from './dom.js';

const OPTIMIZERS = [
  ['sgd', 'SGD', 'Stochastic gradient descent; with momentum (and Nesterov) when momentum > 0.'],
  ['adagrad', 'Adagrad', 'Per-parameter step sizes shrink with the sum of past squared gradients.'],
  ['rmsprop', 'RMSprop', 'Per-parameter step sizes from a running average of squared gradients.'],
  ['adam', 'Adam', 'Momentum + RMSprop-style scaling, with bias correction.'],
  ['adamw', 'AdamW', 'Adam with decoupled weight decay.'],
];
const LOSSES = [
  ['cross_entropy', 'cross-entropy (log-likelihood)'],
  ['mse', 'squared error (MSE)'],
  ['bce_with_logits', 'binary cross-entropy (logits)'],
];

/**
 * Field descriptors. `kind`: select | float | int | bool | batch | optfloat | optint (empty = null).
 * `param`: shown for data sets taking that option only; `task`: for that task only. `tip`: tooltip.
 */
const DATA_FIELDS = [
  { path: ['dataset', 'name'], label: 'data set', kind: 'select', id: 'dataset-select', wide: true,
    tip: 'Which data set to learn.' },
  { path: ['dataset', 'test_fraction'], label: 'test fraction', kind: 'float', min: 0.05, max: 0.9, step: 0.05,
    tip: 'Share of examples held out to measure generalisation (0.05-0.9).' },
  { path: ['dataset', 'seed'], label: 'split seed', kind: 'int', min: 0, step: 1,
    tip: 'Seed of the train/test split (and of the generated points for toy sets).' },
  { path: ['dataset', 'n_samples'], label: 'samples', kind: 'int', min: 20, max: 20000, step: 10, param: 'n_samples',
    tip: 'Number of generated points or sequences (20-20000).' },
  { path: ['dataset', 'noise'], label: 'noise', kind: 'float', min: 0, max: 2, step: 0.05, param: 'noise',
    tip: 'Standard deviation of the Gaussian noise added to the points, in data units.' },
  { path: ['dataset', 'window'], label: 'window', kind: 'optint', min: 1, max: 2000, step: 1, param: 'window',
    tip: 'Past values the network reads per forecast (empty = the data set default); split chronologically.' },
  { path: ['dataset', 'horizon'], label: 'horizon', kind: 'int', min: 1, max: 100, step: 1, param: 'horizon',
    tip: 'Future values predicted per example (1 = next step).' },
  { path: ['dataset', 'seq_len'], label: 'sequence length', kind: 'optint', min: 2, max: 1000, step: 1, param: 'seq_len',
    tip: 'Steps per sequence: characters for text, steps for the adding and copy tasks (empty = default).' },
];

const TRAIN_FIELDS = [
  { path: ['training', 'optimizer'], label: 'optimizer', kind: 'select', id: 'optimizer-select',
    options: OPTIMIZERS.map(([v, t, tip]) => ({ value: v, text: t, tip })),
    tip: 'How the gradient turns into a parameter update.' },
  { path: ['training', 'lr'], label: 'learning rate', kind: 'float', min: 0, step: 'any',
    tip: 'Step size per optimizer step (> 0, at most 10).' },
  { path: ['training', 'momentum'], label: 'momentum', kind: 'float', min: 0, max: 0.999, step: 0.05,
    tip: 'Fraction of the previous update carried into the next (SGD, RMSprop); 0 = none.' },
  { path: ['training', 'nesterov'], label: 'Nesterov', kind: 'bool',
    tip: 'Nesterov momentum: take the gradient at the look-ahead point (SGD with momentum > 0).' },
  { path: ['training', 'weight_decay'], label: 'weight decay', kind: 'float', min: 0, step: 'any',
    tip: 'L2 penalty on the weights: a Gaussian prior on them (MAP instead of maximum likelihood).' },
  { path: ['training', 'loss'], label: 'loss', kind: 'select', wide: true,
    options: LOSSES.map(([v, t]) => ({ value: v, text: t })),
    tip: 'The quantity minimised: cross-entropy is the negative log-likelihood of the labels.' },
  { path: ['training', 'epochs'], label: 'epochs', kind: 'int', min: 1, step: 1,
    tip: 'Passes over the training set.' },
  { path: ['training', 'batch_size'], label: 'batch size', kind: 'batch', min: 1, step: 1,
    tip: 'Examples per step. 1 = stochastic, "full" = batch gradient descent (one step per epoch), else mini-batch.' },
  { path: ['training', 'grad_clip'], label: 'grad clip', kind: 'optfloat', min: 0, step: 'any',
    tip: 'Largest allowed global L2 norm of the gradient; empty = no clipping.' },
  { path: ['training', 'seed'], label: 'init seed', kind: 'int', min: 0, step: 1,
    tip: 'Seed of the weight initialisation and batch order.' },
  { path: ['training', 'probe_every'], label: 'probe every', kind: 'int', min: 1, step: 1,
    tip: 'Optimizer steps between two probe snapshots (feature maps, decision boundary, gates).' },
  { path: ['training', 'temperature'], label: 'temperature', kind: 'float', min: 0.05, max: 10, step: 0.1,
    task: 'language_modeling',
    tip: 'Sampling temperature of the generated text (> 0): low = safe, repetitive; 1 = the model as it is; high = wild.' },
  { path: ['training', 'sample_length'], label: 'sample length', kind: 'int', min: 1, max: 2000, step: 10,
    task: 'language_modeling', tip: 'Characters per generated text sample.' },
];

function getPath(obj, path) {
  let node = obj;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

function pathKey(path) {
  return path.join('.');
}

export function createSettingsPanel({ dataEl, trainingEl, onEdit }) {
  const controls = new Map(); // 'training.lr' -> {field, row, read(), write(v), inputs[]}

  function build(container, fields) {
    container.replaceChildren();
    for (const field of fields) {
      const c = buildControl(field);
      controls.set(pathKey(field.path), c);
      container.append(c.row);
    }
  }

  function buildControl(field) {
    const id = field.id || `f-${field.path.join('-')}`;
    const row = el('div', { className: `field${field.wide ? ' wide' : ''}`, title: field.tip });
    const label = el('label', { for: id, text: field.label });
    let read, write;
    let input;
    if (field.kind === 'select') {
      input = el('select', { id });
      read = () => input.value;
      write = (v) => {
        input.value = v ?? '';
      };
    } else if (field.kind === 'bool') {
      input = el('input', { id, type: 'checkbox' });
      read = () => input.checked;
      write = (v) => {
        input.checked = Boolean(v);
      };
    } else if (field.kind === 'batch') {
      return buildBatch(field, id, row, label);
    } else {
      input = el('input', { id, type: 'number', min: field.min, max: field.max, step: field.step });
      if (field.kind === 'optfloat') input.placeholder = 'none';
      if (field.kind === 'optint') input.placeholder = 'default';
      read = () => readNumber(input, field.kind);
      write = (v) => {
        input.value = v === null || v === undefined ? '' : String(v);
      };
    }
    row.append(label, input);
    const c = { field, row, read, write, inputs: [input] };
    input.addEventListener(field.kind === 'select' || field.kind === 'bool' ? 'change' : 'input', () => emit(c));
    if (field.options) setOptions(c, field.options);
    return c;
  }

  function buildBatch(field, id, row, label) {
    const input = el('input', { id, type: 'number', min: 1, step: 1 });
    const full = el('input', { id: `${id}-full`, type: 'checkbox', title: 'Use the whole training set in every step' });
    const fullLabel = el('label', { for: `${id}-full`, className: 'inline', text: 'full' });
    const box = el('span', { className: 'batch-box' }, [input, full, fullLabel]);
    row.append(label, box);
    const c = {
      field,
      row,
      inputs: [input, full],
      read: () => (full.checked ? 'full' : readNumber(input, 'int')),
      write: (v) => {
        full.checked = v === 'full';
        input.disabled = v === 'full';
        input.value = v === 'full' || v === undefined || v === null ? '' : String(v);
      },
    };
    input.addEventListener('input', () => emit(c));
    full.addEventListener('change', () => {
      if (!full.checked && !input.value) input.value = '32';
      input.disabled = full.checked;
      emit(c);
    });
    return c;
  }

  function readNumber(input, kind) {
    if (input.value.trim() === '') return kind === 'optfloat' || kind === 'optint' ? null : undefined;
    const n = Number(input.value);
    return Number.isFinite(n) ? n : undefined;
  }

  function emit(c) {
    const value = c.read();
    if (value === undefined) return; // half-typed number: wait for more input
    onEdit(c.field.path, value);
  }

  function setOptions(c, options) {
    const [select] = c.inputs;
    const current = select.value;
    select.replaceChildren(...options.map((o) => el('option', { value: o.value, text: o.text, title: o.tip })));
    if (current) select.value = current;
  }

  build(dataEl, DATA_FIELDS);
  build(trainingEl, TRAIN_FIELDS);

  return {
    /** Fill the data-set select from GET /api/datasets. */
    setDatasets(datasets) {
      const options = datasets.map((d) => ({
        value: d.name,
        text: d.title ? `${d.name} — ${d.title}` : d.name,
        tip: `${d.task}, ${d.kind}, input ${JSON.stringify(d.input_shape)}, ${d.n_samples} samples${d.source ? `; ${d.source}` : ''}`,
      }));
      setOptions(controls.get('dataset.name'), options);
    },

    /** Show `spec` in the controls; a focused control keeps what the user is typing. `params` are the
     * data set's options (GET /api/datasets), `task` its task: controls for others are hidden. */
    setSpec(spec, { params = [], task = null } = {}) {
      for (const c of controls.values()) {
        c.row.hidden = (Boolean(c.field.param) && !params.includes(c.field.param))
          || (Boolean(c.field.task) && c.field.task !== task);
        if (c.inputs.includes(document.activeElement)) continue;
        c.write(getPath(spec, c.field.path));
      }
      const optimizer = getPath(spec, ['training', 'optimizer']);
      const momentum = getPath(spec, ['training', 'momentum']);
      controls.get('training.momentum').row.classList.toggle('muted', !['sgd', 'rmsprop'].includes(optimizer));
      controls.get('training.nesterov').row.classList.toggle('muted', optimizer !== 'sgd' || !(momentum > 0));
    },

    /** Mark controls named by validation messages ({field: 'training.lr', msg}). */
    markErrors(messages) {
      for (const c of controls.values()) {
        c.row.classList.remove('invalid');
        c.row.title = c.field.tip;
      }
      for (const m of messages || []) {
        const c = controls.get(m.field || '');
        if (!c) continue;
        c.row.classList.add('invalid');
        c.row.title = `${m.msg}\n\n${c.field.tip}`;
      }
    },
  };
}
