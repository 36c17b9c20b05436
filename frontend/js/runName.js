// Runs told apart (issue 16): a spec that started from a preset but was edited keeps the preset's
// name only with what changed ("MLP on spiral · edited: dataset xor"), and a job is labelled with what
// distinguishes it from its neighbours (data set, short id, time). Pure functions, no DOM.

// The settings a learner changes most, in the order they are named.
const WATCHED = [
  ['dataset', 'name', 'dataset'], ['training', 'optimizer', 'optimizer'], ['training', 'lr', 'lr'],
  ['training', 'batch_size', 'batch'], ['training', 'loss', 'loss'], ['training', 'epochs', 'epochs'],
  ['training', 'momentum', 'momentum'], ['training', 'weight_decay', 'weight decay'], ['training', 'seed', 'seed'],
];
const NAME_MAX = 200; // JobSpec.name's max_length

/** The spec's differences from `base` as short "setting value" phrases, the network's as "network". */
export function specChanges(spec, base) {
  const out = [];
  for (const [section, key, label] of WATCHED) {
    const a = spec?.[section]?.[key];
    const b = base?.[section]?.[key];
    if (a !== undefined && JSON.stringify(a) !== JSON.stringify(b)) out.push(`${label} ${a}`);
  }
  if (JSON.stringify(spec?.network?.layers ?? null) !== JSON.stringify(base?.network?.layers ?? null)) out.push('network');
  return out;
}

/** `spec` with a name that says what it is: a preset's name on an edited copy of that preset gains
 * " · edited: <changes>" (three at most, then "…"). `presets`: [{title, spec}]; `same(a, b)`: whether
 * two specs are equal (their names aside). Any other name (the user's own) is kept. */
export function runName(spec, presets, same) {
  const name = spec?.name;
  if (!name) return spec;
  const preset = presets.find((p) => p.title === name || p.spec?.name === name);
  if (!preset || same(spec, preset.spec)) return spec;
  const changes = specChanges(spec, preset.spec);
  if (!changes.length) return spec;
  const listed = changes.length > 3 ? [...changes.slice(0, 3), '…'] : changes;
  return { ...spec, name: `${name} · edited: ${listed.join(', ')}`.slice(0, NAME_MAX) };
}

/** A job's label in lists and selects: name, data set, short id, time; with `figure` its result. */
export function jobLabel(job, { figure = '' } = {}) {
  const d = job.spec?.dataset?.name;
  const t = job.created_at ? new Date(job.created_at) : null;
  const time = t && !Number.isNaN(t.getTime()) ? t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  return [job.name || 'job', d, figure, `#${job.id.slice(0, 6)}`, time].filter(Boolean).join(' · ');
}
