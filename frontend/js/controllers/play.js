// The Play button ("one click to learning", as TensorFlow Playground's ▶/❚❚): one prominent button
// that trains the spec on screen, pauses the job on screen while it runs and resumes it once paused.
// It has no code path of its own: a click calls the jobs controller's Train, Pause or Resume action
// (controllers/jobs.js), and the jobs controller's updateButtons sets its face from the job on screen.
// A paused job whose spec was edited on screen since: live settings (lr, grad_clip, steps/s) are sent
// to it before it goes on; any other edit makes Play train the edited network as a new job (the paused
// one is stopped and kept), as the page shows what will train.

import { specKey } from '../specRules.js';

const FACES = {
  train: { icon: '▶', text: 'Play', title: 'Train the network on screen (a new job); click again to pause it' },
  pause: { icon: '❚❚', text: 'Pause', title: 'Pause the job on screen between two optimizer steps; click again to go on' },
  resume: { icon: '▶', text: 'Play', title: 'Go on training the paused job on screen from where it waits' },
  retrain: { icon: '▶', text: 'Play', title: 'Train the edited network as a new job (the paused job is stopped and kept in the list)' },
};

/**
 * What changed from `before` (the spec the job on screen was started or opened with) to `after` (the
 * spec on screen): `live`, the live-settable settings with new values ({name: value}, e.g. {lr: 0.05});
 * `edited`, whether anything else changed (the name aside).
 * @param {object|null} before
 * @param {object|null} after
 * @param {string[][]} livePaths  paths of the live-settable settings, e.g. [['training', 'lr']]
 * @returns {{edited: boolean, live: Object<string, *>}}
 */
export function specEdits(before, after, livePaths) {
  if (!before || !after) return { edited: false, live: {} };
  const live = {};
  const strip = (spec) => {
    const copy = JSON.parse(JSON.stringify(spec));
    for (const path of livePaths) {
      const parent = path.slice(0, -1).reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), copy);
      if (parent && typeof parent === 'object') delete parent[path[path.length - 1]];
    }
    return copy;
  };
  for (const path of livePaths) {
    const read = (spec) => path.reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), spec) ?? null;
    if (read(before) !== read(after)) live[path[path.length - 1]] = read(after);
  }
  let edited;
  try {
    edited = specKey(strip(before)) !== specKey(strip(after));
  } catch {
    edited = true;
  }
  return { edited, live };
}

/**
 * What Play does for the job on screen: 'pause' while it is queued or running, 'resume' while it is
 * paused ('retrain' where its network or settings were edited on screen since, other than the live
 * ones, and the edited spec can be trained), else 'train' (no job, or a finished one: a new run of the
 * spec on screen) when the spec can be trained, else null (the button is disabled).
 * @param {{status: string}|null} job  the job on screen
 * @param {boolean} canTrain  whether Train would submit the spec on screen now
 * @param {boolean} [edited]  whether the spec on screen differs from the job's beyond live settings
 */
export function playAction(job, canTrain, edited = false) {
  if (job && ['queued', 'running'].includes(job.status)) return 'pause';
  if (job?.status === 'paused') return edited && canTrain ? 'retrain' : 'resume';
  return canTrain ? 'train' : null;
}

/**
 * @param {HTMLButtonElement} button  the Play button (its children: .play-icon, .play-text)
 * @param {{train: () => Promise, pause: () => Promise, resume: () => Promise, retrain: () => Promise}} actions
 *   the jobs controller's
 */
export function createPlayButton(button, actions) {
  let action = null; // what a click does now
  let busy = false; // a click's action is on its way
  let shown = { job: null, canTrain: false, edited: false };

  function draw() {
    const face = FACES[action || 'train'];
    button.querySelector('.play-icon').textContent = face.icon;
    button.querySelector('.play-text').textContent = face.text;
    button.title = action ? face.title : 'Fix the spec first (or change it: this spec is training now)';
    button.dataset.action = action || '';
    button.setAttribute('aria-pressed', String(action === 'pause'));
    button.disabled = !action || busy;
  }

  button.addEventListener('click', async () => {
    if (!action || busy) return;
    busy = true;
    draw();
    try {
      await actions[action]();
    } finally {
      busy = false;
      update(shown);
    }
  });

  /** Set the face from the job on screen, whether Train would submit now and whether the spec on
   * screen was edited since the job started (beyond live settings). */
  function update({ job, canTrain, edited = false }) {
    shown = { job, canTrain, edited };
    action = playAction(job, canTrain, edited);
    draw();
  }

  return { update };
}
