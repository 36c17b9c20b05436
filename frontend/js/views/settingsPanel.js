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
const SCHEDULES = [
  ['none', 'constant', 'The learning rate stays as set (unless you change it on the running job).'],
  ['step', 'step', 'torch StepLR: multiply the learning rate by gamma every "every" epochs.'],
  ['cosine', 'cosine', 'torch CosineAnnealingLR: from the learning rate down to 0 along half a cosine over all epochs.'],
];
const SCHEDULE_DEFAULTS = { step: { step_size: 10, gamma: 0.5 }, cosine: {}, none: {} };
const LOSSES = [
  ['cross_entropy', 'cross-entropy (log-likelihood)'],
  ['mse', 'squared error (MSE)'],
  ['bce_with_logits', 'binary cross-entropy (logits)'],
];

/**
 * Field descriptors. `kind`: select | float | int | bool | batch | optfloat | optint (empty = null) | schedule.
 * `param`: shown for data sets taking that option only; `task`: for that task only. `tip`: tooltip.
 * `layersOnly`: used by layer networks only, hidden for word2vec (no test split, no loss choice, no
 * schedule but its own linear decay, no L1, no clipping). Slow motion (steps/s) applies to every job.
 */
// Data kinds whose examples are feature values (missing values and imputation apply to them only).
const TABLE_KINDS = ['tabular', 'image', 'toy1d', 'toy2d'];

const DATA_FIELDS = [
  { path: ['dataset', 'name'], label: 'data set', kind: 'select', id: 'dataset-select', wide: true,
    tip: 'Which data set to learn.' },
  { path: ['dataset', 'test_fraction'], label: 'test fraction', kind: 'float', min: 0.05, max: 0.9, step: 0.05,
    layersOnly: true,
    tip: 'Share of examples held out to measure generalisation (0.05-0.9).' },
  { path: ['dataset', 'seed'], label: 'split seed', kind: 'int', min: 0, step: 1,
    layersOnly: true,
    tip: 'Seed of the train/test split (and of the generated points for toy sets).' },
  { path: ['dataset', 'n_samples'], label: 'samples', kind: 'int', min: 20, max: 20000, step: 10, param: 'n_samples',
    tip: 'Number of generated points or sequences (20-20000).' },
  { path: ['dataset', 'noise'], label: 'noise', kind: 'float', min: 0, max: 2, step: 0.05, param: 'noise',
    tip: 'Standard deviation of the Gaussian noise added to the points (to the target for sine and plane), in data units.' },
  { path: ['dataset', 'window'], label: 'window', kind: 'optint', min: 1, max: 2000, step: 1, param: 'window',
    tip: 'Past values the network reads per forecast (empty = the data set default); split chronologically.' },
  { path: ['dataset', 'horizon'], label: 'horizon', kind: 'int', min: 1, max: 100, step: 1, param: 'horizon',
    tip: 'Future values predicted per example (1 = next step).' },
  { path: ['dataset', 'seq_len'], label: 'sequence length', kind: 'optint', min: 2, max: 1000, step: 1, param: 'seq_len',
    tip: 'Steps per sequence: characters for text, steps for the adding and copy tasks (empty = default).' },
  { path: ['dataset', 'missing_fraction'], label: 'missing', kind: 'float', min: 0, max: 0.9, step: 0.05, placeholder: '0',
    dataKinds: TABLE_KINDS,
    tip: 'Share of feature values removed completely at random (seeded by the split seed), 0-0.9: partially observed data.' },
  { path: ['dataset', 'impute'], label: 'impute', kind: 'select', default: 'mean', dataKinds: TABLE_KINDS,
    options: [
      { value: 'mean', text: 'mean', tip: 'Fill with the training part’s mean of that feature.' },
      { value: 'zero', text: 'zero', tip: 'Fill with 0 (in data units).' },
      { value: 'mean_with_indicator', text: 'mean + indicator', tip: 'Mean, plus one 0/1 “was missing” input per feature (doubles the inputs).' },
    ],
    tip: 'How missing values (and empty cells of an uploaded CSV) are filled; statistics from the training part only.' },
];

const TRAIN_FIELDS = [
  { path: ['training', 'optimizer'], label: 'optimizer', kind: 'select', id: 'optimizer-select',
    options: OPTIMIZERS.map(([v, t, tip]) => ({ value: v, text: t, tip })),
    tip: 'How the gradient turns into a parameter update.' },
  { path: ['training', 'lr'], label: 'learning rate', kind: 'float', min: 0, step: 'any', live: true,
    tip: 'Step size per optimizer step (> 0, at most 10). While a job runs or is paused, "set live" changes its learning rate from the next step on, without restarting it.' },
  { path: ['training', 'lr_schedule'], label: 'lr schedule', kind: 'schedule', wide: true,
    layersOnly: true,
    tip: 'How the learning rate changes over the epochs (stepped at each epoch end). A learning rate set live is decayed from there on.' },
  { path: ['training', 'momentum'], label: 'momentum', kind: 'float', min: 0, max: 0.999, step: 0.05,
    tip: 'Fraction of the previous update carried into the next (SGD, RMSprop); 0 = none.' },
  { path: ['training', 'nesterov'], label: 'Nesterov', kind: 'bool',
    tip: 'Nesterov momentum: take the gradient at the look-ahead point (SGD with momentum > 0).' },
  { path: ['training', 'weight_decay'], label: 'weight decay', kind: 'float', min: 0, step: 'any',
    tip: 'L2 penalty weight_decay/2·‖w‖² on the weights: a Gaussian prior on them (MAP instead of maximum likelihood). AdamW decays the weights directly instead (decoupled).' },
  { path: ['training', 'l1'], label: 'L1', kind: 'float', min: 0, max: 10, step: 'any',
    layersOnly: true,
    tip: 'L1 penalty l1·‖w‖₁ added to the loss: a Laplace prior on the weights, which pushes many of them to exactly 0.' },
  { path: ['training', 'loss'], label: 'loss', kind: 'select', wide: true,
    options: LOSSES.map(([v, t]) => ({ value: v, text: t })),
    layersOnly: true,
    tip: 'The quantity minimised: cross-entropy is the negative log-likelihood of the labels.' },
  { path: ['training', 'epochs'], label: 'epochs', kind: 'int', min: 1, step: 1,
    tip: 'Passes over the training set.' },
  { path: ['training', 'batch_size'], label: 'batch size', kind: 'batch', min: 1, step: 1,
    tip: 'Examples per step. 1 = stochastic, "full" = batch gradient descent (one step per epoch), else mini-batch.' },
  { path: ['training', 'grad_clip'], label: 'grad clip', kind: 'optfloat', min: 0, step: 'any', live: true,
    layersOnly: true,
    tip: 'Largest allowed global L2 norm of the gradient; empty = no clipping. While a job runs or is paused, "set live" changes it (empty: switches clipping off) from the next step on.' },
  { path: ['training', 'seed'], label: 'init seed', kind: 'int', min: 0, step: 1,
    tip: 'Seed of the weight initialisation and batch order.' },
  { path: ['training', 'probe_every'], label: 'probe every', kind: 'optint', min: 1, step: 1, placeholder: 'auto',
    tip: 'Optimizer steps between two probe snapshots (feature maps, decision boundary, gates); empty = auto: as often as the page can draw, with probes at most 5% of the training time.' },
  { path: ['training', 'max_steps_per_s'], label: 'steps/s', kind: 'optfloat', min: 0, step: 'any', live: true, placeholder: 'full speed',
    tip: 'Slow motion: at most this many optimizer steps a second, to watch a small net learn; empty = as fast as the machine goes. While a job runs or is paused, "set live" changes it from the next step on.' },
  { path: ['training', 'augment'], label: 'augment training images (new random moves every epoch)', kind: 'augment', wide: true, dataKinds: ['image'], layersOnly: true,
    tip: 'Data augmentation: each training image is moved afresh every epoch, shifted by up to ±shift whole pixels along each axis and rotated by up to ±rotate degrees (test images and probes stay as they are). Both 0 = none. Simard et al. (2003); AlexNet’s random crops.' },
  { path: ['training', 'temperature'], label: 'temperature', kind: 'float', min: 0.05, max: 10, step: 0.1,
    task: 'language_modeling',
    tip: 'Sampling temperature of the generated text (> 0): low = safe, repetitive; 1 = the model as it is; high = wild.' },
  { path: ['training', 'sample_length'], label: 'sample length', kind: 'int', min: 1, max: 2000, step: 10,
    task: 'language_modeling', tip: 'Characters per generated text sample.' },
];

/** Paths of the settings a running or paused job takes live ("set live"). */
export const LIVE_PATHS = TRAIN_FIELDS.filter((f) => f.live).map((f) => f.path);

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

export function createSettingsPanel({ dataEl, trainingEl, onEdit, onLive = () => {} }) {
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
        input.value = v ?? field.default ?? '';
      };
    } else if (field.kind === 'bool') {
      input = el('input', { id, type: 'checkbox' });
      read = () => input.checked;
      write = (v) => {
        input.checked = Boolean(v);
      };
    } else if (field.kind === 'batch') {
      return buildBatch(field, id, row, label);
    } else if (field.kind === 'schedule') {
      return buildSchedule(field, id, row, label);
    } else if (field.kind === 'augment') {
      return buildAugment(field, id, row, label);
    } else {
      input = el('input', { id, type: 'number', min: field.min, max: field.max, step: field.step });
      if (field.kind === 'optfloat') input.placeholder = 'none';
      if (field.kind === 'optint') input.placeholder = 'default';
      if (field.placeholder) input.placeholder = field.placeholder;
      read = () => readNumber(input, field.kind);
      write = (v) => {
        input.value = v === null || v === undefined ? '' : String(v);
      };
    }
    row.append(label, input);
    const c = { field, row, read, write, inputs: [input] };
    input.addEventListener(field.kind === 'select' || field.kind === 'bool' ? 'change' : 'input', () => emit(c));
    if (field.options) setOptions(c, field.options);
    if (field.live) addLiveButton(c, id, input);
    return c;
  }

  /** A "set live" button beside the input: sends its value to the job on screen (shown while it runs). */
  function addLiveButton(c, id, input) {
    const button = el('button', {
      id: `${id}-live`, type: 'button', className: 'live-btn', text: 'set live',
      title: `Change ${c.field.label} of the running (or paused) job on screen from its next step on`,
    });
    button.hidden = true;
    button.addEventListener('click', () => {
      const value = readNumber(input, c.field.kind);
      if (value !== undefined) onLive(c.field.path[c.field.path.length - 1], value);
    });
    const box = el('span', { className: 'batch-box' });
    input.before(box);
    box.append(input, button);
    c.liveButton = button;
  }

  /** One row: schedule type, and for `step` its step_size (epochs) and gamma. */
  function buildSchedule(field, id, row, label) {
    const select = el('select', { id });
    select.replaceChildren(...SCHEDULES.map(([v, t, tip]) => el('option', { value: v, text: t, title: tip })));
    const size = el('input', { id: `${id}-step_size`, type: 'number', min: 1, step: 1, title: 'step_size: epochs between two decays' });
    const gamma = el('input', { id: `${id}-gamma`, type: 'number', min: 0, max: 1, step: 0.05, title: 'gamma: factor applied at each decay (0-1]' });
    const sizeLabel = el('label', { for: size.id, className: 'inline', text: 'every' });
    const gammaLabel = el('label', { for: gamma.id, className: 'inline', text: 'ep ×' });
    const params = el('span', { className: 'batch-box' }, [sizeLabel, size, gammaLabel, gamma]);
    params.classList.add('schedule-params');
    row.append(label, el('span', { className: 'batch-box schedule-box' }, [select, params]));
    let extra = {}; // fields of the current schedule the form does not show (e.g. cosine's eta_min)
    const c = {
      field,
      row,
      inputs: [select, size, gamma],
      read: () => {
        const type = select.value;
        if (type !== 'step') return { ...(type === 'cosine' ? extra : {}), type };
        const stepSize = readNumber(size, 'int');
        const g = readNumber(gamma, 'float');
        return stepSize === undefined || g === undefined ? undefined : { type, step_size: stepSize, gamma: g };
      },
      write: (v) => {
        const value = v && typeof v === 'object' ? v : { type: 'none' };
        select.value = value.type ?? 'none';
        const { type, step_size: stepSize, gamma: g, ...rest } = value;
        extra = rest;
        size.value = String(stepSize ?? SCHEDULE_DEFAULTS.step.step_size);
        gamma.value = String(g ?? SCHEDULE_DEFAULTS.step.gamma);
        params.hidden = type !== 'step';
      },
    };
    select.addEventListener('change', () => {
      params.hidden = select.value !== 'step';
      emit(c);
    });
    size.addEventListener('input', () => emit(c));
    gamma.addEventListener('input', () => emit(c));
    return c;
  }

  /** One row: ± shift (whole pixels, 0-8) and ± rotate (degrees, 0-45); both 0 or empty = null (none). */
  function buildAugment(field, id, row, label) {
    const shift = el('input', { id: `${id}-shift`, type: 'number', min: 0, max: 8, step: 1, placeholder: '0',
      title: 'shift: largest translation in whole pixels along each axis (0-8)' });
    const rotate = el('input', { id: `${id}-rotate`, type: 'number', min: 0, max: 45, step: 1, placeholder: '0',
      title: 'rotate: largest rotation in degrees, either way (0-45)' });
    const box = el('span', { className: 'batch-box augment-box' }, [
      el('label', { for: shift.id, className: 'inline', text: 'shift ±' }), shift,
      el('span', { className: 'inline', text: 'px' }),
      el('label', { for: rotate.id, className: 'inline', text: 'rotate ±' }), rotate,
      el('span', { className: 'inline', text: '°' }),
    ]);
    row.append(label, box);
    const c = {
      field,
      row,
      inputs: [shift, rotate],
      read: () => {
        const s = readNumber(shift, 'optint');
        const r = readNumber(rotate, 'optfloat');
        if (s === undefined || r === undefined) return undefined;
        return !s && !r ? null : { shift: s ?? 0, rotate: r ?? 0 };
      },
      write: (v) => {
        shift.value = v?.shift ? String(v.shift) : '';
        rotate.value = v?.rotate ? String(v.rotate) : '';
      },
    };
    shift.addEventListener('input', () => emit(c));
    rotate.addEventListener('input', () => emit(c));
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
     * data set's options (GET /api/datasets), `task` its task and `kind` its data kind: controls for
     * others are hidden. */
    setSpec(spec, { params = [], task = null, kind = null } = {}) {
      const word2vec = getPath(spec, ['network', 'type']) === 'word2vec';
      for (const c of controls.values()) {
        c.row.hidden = (Boolean(c.field.param) && !params.includes(c.field.param))
          || (Boolean(c.field.task) && c.field.task !== task)
          || (Boolean(c.field.dataKinds && kind) && !c.field.dataKinds.includes(kind))
          || (Boolean(c.field.layersOnly) && word2vec);
        if (c.inputs.includes(document.activeElement)) continue;
        c.write(getPath(spec, c.field.path));
      }
      const optimizer = getPath(spec, ['training', 'optimizer']);
      const momentum = getPath(spec, ['training', 'momentum']);
      controls.get('training.momentum').row.classList.toggle('muted', !['sgd', 'rmsprop'].includes(optimizer));
      controls.get('training.nesterov').row.classList.toggle('muted', optimizer !== 'sgd' || !(momentum > 0));
    },

    /** Show the "set live" buttons while the job on screen takes live settings (running, paused, queued). */
    setLive(enabled) {
      for (const c of controls.values()) if (c.liveButton) c.liveButton.hidden = !enabled;
    },

    /** Mark controls named by validation messages ({field: 'training.lr', msg}). */
    markErrors(messages) {
      for (const c of controls.values()) {
        c.row.classList.remove('invalid');
        c.row.title = c.field.tip;
      }
      for (const m of messages || []) {
        const c = controls.get(m.field || '') || controls.get((m.field || '').replace(/\.[^.]*$/, ''));
        if (!c) continue;
        c.row.classList.add('invalid');
        c.row.title = `${m.msg}\n\n${c.field.tip}`;
      }
    },
  };
}
