// The Play button ("one click to learning", as TensorFlow Playground's ▶/❚❚): one prominent button
// that trains the spec on screen, pauses the job on screen while it runs and resumes it once paused.
// It has no code path of its own: a click calls the jobs controller's Train, Pause or Resume action
// (controllers/jobs.js), and the jobs controller's updateButtons sets its face from the job on screen.

const FACES = {
  train: { icon: '▶', text: 'Play', title: 'Train the network on screen (a new job); click again to pause it' },
  pause: { icon: '❚❚', text: 'Pause', title: 'Pause the job on screen between two optimizer steps; click again to go on' },
  resume: { icon: '▶', text: 'Play', title: 'Go on training the paused job on screen from where it waits' },
};

/**
 * What Play does for the job on screen: 'pause' while it is queued or running, 'resume' while it is
 * paused, else 'train' (no job, or a finished one: a new run of the spec on screen) when the spec can
 * be trained, else null (the button is disabled).
 * @param {{status: string}|null} job  the job on screen
 * @param {boolean} canTrain  whether Train would submit the spec on screen now
 */
export function playAction(job, canTrain) {
  if (job && ['queued', 'running'].includes(job.status)) return 'pause';
  if (job?.status === 'paused') return 'resume';
  return canTrain ? 'train' : null;
}

/**
 * @param {HTMLButtonElement} button  the Play button (its children: .play-icon, .play-text)
 * @param {{train: () => Promise, pause: () => Promise, resume: () => Promise}} actions  the jobs controller's
 */
export function createPlayButton(button, actions) {
  let action = null; // what a click does now
  let busy = false; // a click's action is on its way
  let shown = { job: null, canTrain: false };

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

  /** Set the face from the job on screen and whether Train would submit now. */
  function update({ job, canTrain }) {
    shown = { job, canTrain };
    action = playAction(job, canTrain);
    draw();
  }

  return { update };
}
