"""An uploaded set deleted while a request reads it: the reader sees the whole set or none of it, and a
job check on it ends in SpecError at ``dataset.name`` (HTTP 422), never an unhandled FileNotFoundError
(HTTP 500). The race is made deterministic by deleting the set inside the read itself."""

import csv
import io
from pathlib import Path

import pytest
from sklearn.datasets import load_iris

from nnplay.data import registry, uploads
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import SpecError


def _iris_csv() -> bytes:
    iris = load_iris()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*iris.feature_names, "species"])
    for row, target in zip(iris.data, iris.target, strict=True):
        writer.writerow([*row, iris.target_names[target]])
    return out.getvalue().encode()


@pytest.fixture
def stored(tmp_path):
    uploads.import_csv(tmp_path, _iris_csv(), target="species", task="classification", name="iris_up",
                       filename="iris.csv", builtin=())
    return tmp_path


def _delete_on_first_read(monkeypatch, data_dir, suffix: str):
    """Path.read_text / numpy's open of a file ending in ``suffix`` deletes the set first (once)."""
    real_read_text = Path.read_text
    fired = []

    def read_text(self, *args, **kwargs):
        if self.name.endswith(suffix) and not fired:
            fired.append(uploads.delete(data_dir, "iris_up"))
        return real_read_text(self, *args, **kwargs)
    monkeypatch.setattr(Path, "read_text", read_text)
    return fired


def test_a_set_deleted_between_the_look_and_the_read_is_simply_gone(stored, monkeypatch):
    fired = _delete_on_first_read(monkeypatch, stored, "meta.json")
    assert uploads.read_info(stored, "iris_up") is None
    assert fired == [True]
    with pytest.raises(SpecError) as err:
        registry.find_info("iris_up", stored)
    assert err.value.loc[-1] == "name"


def test_a_set_deleted_after_its_info_was_read_refuses_the_job_at_dataset_name(stored, monkeypatch):
    info = registry.find_info("iris_up", stored)
    assert uploads.delete(stored, "iris_up")
    with pytest.raises(SpecError, match="was deleted") as err:
        registry._raw(DatasetSpec(name="iris_up"), info, stored)
    assert tuple(err.value.loc) == ("dataset", "name")


def test_deletion_leaves_no_folder_behind_and_a_second_delete_finds_nothing(stored):
    assert uploads.delete(stored, "iris_up")
    assert list(uploads.root(stored).iterdir()) == []
    assert not uploads.delete(stored, "iris_up")
    assert uploads.list_infos(stored) == []
