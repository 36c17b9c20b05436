// Middle column, under the run bar: downloads of the job on screen (weights, ONNX, PyTorch code, spec)
// and the "Import spec" file input, which reads a JSON file in the page and hands its text on.

import { isTerminal } from '../protocol.js';

const LINKS = [
  { key: 'model', text: 'weights .pt', path: 'model', weights: true,
    title: 'The latest weights (saved at the end of each epoch): torch.load(path, weights_only=True) gives {state_dict, spec, nnplay_version}' },
  { key: 'onnx', text: 'ONNX', path: 'model.onnx', weights: true,
    title: 'The trained network as an ONNX model (batch dimension dynamic), for onnxruntime and other runtimes' },
  { key: 'code', text: 'code .py', path: 'code', weights: false,
    title: 'A standalone PyTorch file (class Net, load(path)) that rebuilds this network; needs only torch' },
  { key: 'spec', text: 'spec .json', path: 'spec', weights: false,
    title: 'The job spec: import it (or POST it to /api/jobs) to run this job again' },
];
const NO_JOB = 'Train or open a job to export it';
const NO_WEIGHTS = 'No weights yet: they are saved at the end of each epoch';

/** Whether the server holds weights for `job` (a checkpoint), as far as the page can tell. */
function hasWeights(job, epochSeen) {
  if (!job) return false;
  return epochSeen || job.final != null || (isTerminal(job.status) && Boolean(job.started_at));
}

export function createExportPanel({ linksEl, fileInput, onImport }) {
  const anchors = new Map(LINKS.map((link) => {
    const a = document.createElement('a');
    a.className = 'export-link';
    a.id = `export-${link.key}`;
    a.textContent = link.text;
    linksEl.append(a);
    return [link.key, a];
  }));
  let jobId = null;
  let epochSeen = false;
  let current = null;

  function paint() {
    for (const link of LINKS) {
      const a = anchors.get(link.key);
      const ok = Boolean(current) && (!link.weights || hasWeights(current, epochSeen));
      if (ok) {
        a.href = `/api/jobs/${encodeURIComponent(current.id)}/${link.path}`;
        a.setAttribute('download', '');
      } else {
        a.removeAttribute('href');
        a.removeAttribute('download');
      }
      a.classList.toggle('disabled', !ok);
      a.setAttribute('aria-disabled', String(!ok));
      a.title = ok ? link.title : (current ? NO_WEIGHTS : NO_JOB);
    }
  }

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    const text = await file.text();
    fileInput.value = ''; // choosing the same file again fires `change` again
    onImport({ name: file.name, text });
  });
  paint();

  return {
    /** The job on screen (its Job record), or null. */
    setJob(job) {
      if ((job?.id ?? null) !== jobId) epochSeen = false;
      jobId = job?.id ?? null;
      current = job;
      paint();
    },
    /** An epoch of the job on screen has ended: its weights are saved. */
    epochDone() {
      if (epochSeen) return;
      epochSeen = true;
      paint();
    },
  };
}
