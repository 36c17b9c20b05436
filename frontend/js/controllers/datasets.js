// Data sets: uploading a CSV (the upload panel) and deleting an uploaded set. The spec controller
// (`spec`) takes the reloaded list and the switch to the new set.

import { api } from '../api.js';
import { datasetInfo, store } from '../state.js';
import { createUploadPanel } from '../views/uploadPanel.js';
import { errorText } from './notes.js';

export function createDatasetsController({ $, spec }) {
  const upload = createUploadPanel({
    fileInput: $('upload-file'), kindSelect: $('upload-kind'), targetSelect: $('upload-target'), taskSelect: $('upload-task'),
    nameInput: $('upload-name'), button: $('upload-btn'), resultEl: $('upload-result'), hintEl: $('upload-hint'),
    onUpload: uploadDataset,
  });

  /** Upload a CSV (FormData), reload the data sets and switch the spec to the new one. */
  async function uploadDataset(form) {
    const info = await api.uploadDataset(form);
    await reloadDatasets();
    spec.onFormEdit(['dataset', 'name'], info.name);
    return info;
  }

  async function reloadDatasets() {
    spec.setDatasets(await api.datasets());
  }

  async function deleteDataset() {
    const name = store.get().spec?.dataset?.name;
    if (!name || !datasetInfo(name)?.uploaded) return;
    if (!confirm(`Delete the uploaded data set “${name}”? Finished jobs keep their history.`)) return;
    try {
      await api.deleteDataset(name);
      await reloadDatasets();
      spec.onFormEdit(['dataset', 'name'], 'iris');
      upload.show(`Deleted “${name}”.`, 'ok');
    } catch (err) {
      upload.show(errorText(err), 'error');
    }
  }

  $('delete-dataset-btn').addEventListener('click', deleteDataset);
}
