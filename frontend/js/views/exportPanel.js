// Middle column, under the run bar: downloads of the job on screen (weights, ONNX, PyTorch code, spec)
// and the "Import spec" file input, which reads a JSON file in the page and hands its text on.
// The links are plain <a href download>; when the server needs an API token (a header, which a link
// cannot send), a click is handed to `fetchFile(path)` instead and the answer saved from a Blob.

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

/** Save `blob` as `filename` through a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename || 'download';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download has started reading it by then
}

/**
 * @param {{linksEl: Element, fileInput: HTMLInputElement, onImport: Function,
 *          needsFetch?: () => boolean, fetchFile?: (path: string) => Promise<{blob: Blob, filename: string|null}>,
 *          onError?: (text: string, err: Error) => void}} opts
 */
export function createExportPanel({
  linksEl, fileInput, onImport, needsFetch = () => false, fetchFile = null, onError = () => {},
}) {
  const anchors = new Map(LINKS.map((link) => {
    const a = document.createElement('a');
    a.className = 'export-link';
    a.id = `export-${link.key}`;
    a.textContent = link.text;
    a.addEventListener('click', (ev) => onClick(ev, a, link));
    linksEl.append(a);
    return [link.key, a];
  }));

  async function onClick(ev, a, link) {
    const path = a.getAttribute('href');
    if (!path || !fetchFile || !needsFetch()) return; // a plain link: the browser downloads it
    ev.preventDefault();
    if (a.classList.contains('busy')) return;
    a.classList.add('busy');
    a.setAttribute('aria-busy', 'true');
    try {
      const { blob, filename } = await fetchFile(path);
      saveBlob(blob, filename || `${current?.id ?? 'job'}-${link.path}`);
    } catch (err) {
      onError(`Could not download ${link.text}`, err);
    } finally {
      a.classList.remove('busy');
      a.removeAttribute('aria-busy');
    }
  }
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
