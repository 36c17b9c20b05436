"""Uploads are bounded: the one-hot width of a CSV is known (and refused naming the column) before any
matrix is built, tables are stored as float32, every upload together stays under max_datasets_mb, and
an upload killed midway leaves no temporary folder once the server starts again."""

import signal
import subprocess
import sys
import textwrap

import numpy as np
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from nnplay.data import csv_import, uploads


def upload(client, content: bytes, name: str, target="y", task="classification", filename="t.csv"):
    return client.post("/api/datasets", files={"file": (filename, content, "text/csv")},
                       data={"target": target, "task": task, "name": name})


def categorical_csv(columns: int, values: int = 50, rows: int = 100) -> bytes:
    """One numeric column ``n``, ``columns`` categorical ones ``c0..`` of ``values`` values each, target ``y``."""
    header = ["n", *(f"c{j}" for j in range(columns)), "y"]
    lines = [",".join(header)]
    for i in range(rows):
        lines.append(",".join([str(i), *(f"v{(i + j) % values}" for j in range(columns)), "ab"[i % 2]]))
    return "\n".join(lines).encode()


def test_encoded_width_is_refused_naming_the_column_before_any_matrix(client, monkeypatch):
    built = []
    monkeypatch.setattr(csv_import, "_assemble", lambda *a: built.append(1))  # must never be reached
    # 1 numeric + 39 x 50 = 1951 features fit; the 40th categorical column takes it to 2001 > 2000
    r = upload(client, categorical_csv(40), "wide")
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["column"] == "c39" and "2001 features" in err["msg"] and "2000" in err["msg"]
    assert not built


def test_tables_are_stored_as_float32(settings):
    with TestClient(create_app(settings)) as client:
        r = upload(client, categorical_csv(2, values=3, rows=40), "small")
        assert r.status_code == 201, r.text
        assert r.json()["input_shape"] == [1 + 2 * 3]
    x, y = uploads.read_arrays(settings.data_dir, "small")
    assert x.dtype == np.float32 and x.shape == (40, 7) and y.dtype == np.int64
    assert np.array_equal(x[:, 0], np.arange(40, dtype=np.float32))  # the numeric column, exactly
    content = b"a,t\n" + b"".join(f"{i / 3!r},{i * 0.5}\n".encode() for i in range(30))
    with TestClient(create_app(settings)) as client:
        assert upload(client, content, "reg", target="t", task="regression").status_code == 201
    x, y = uploads.read_arrays(settings.data_dir, "reg")
    assert x.dtype == y.dtype == np.float32 and np.array_equal(y, np.arange(30, dtype=np.float32) * 0.5)


def test_total_upload_quota_answers_413_naming_it(settings):
    first = categorical_csv(2, values=3, rows=2000)  # 2000 rows x (7 + 1) x 4 bytes = 64,000 bytes stored
    with TestClient(create_app(settings.model_copy(update={"max_datasets_mb": 0.1}))) as client:
        assert upload(client, first, "one").status_code == 201
        r = upload(client, first, "two")  # 64 kB more would pass 0.1 MiB (104,857 bytes)
        assert r.status_code == 413 and "max_datasets_mb" in r.json()["detail"]
        assert "NNPLAY_MAX_DATASETS_MB" in r.json()["detail"]
        assert "two" not in [d["name"] for d in client.get("/api/datasets").json()]
        assert not list(uploads.root(settings.data_dir).glob(".*.tmp"))
        assert client.delete("/api/datasets/one").status_code == 204
        assert upload(client, first, "two").status_code == 201  # the space is free again
        text = b"word " * 30_000  # 150 kB of text
        r = client.post("/api/datasets", files={"file": ("w.txt", text, "text/plain")}, data={"name": "words"})
        assert r.status_code == 413 and "NNPLAY_MAX_DATASETS_MB" in r.json()["detail"]


KILLED_UPLOAD = textwrap.dedent("""
    import sys, time
    from nnplay.data import uploads
    from nnplay.data.info import DatasetInfo
    info = DatasetInfo(name="half", title="t", task="classification", kind="tabular", input_shape=(1,),
                       classes=("a", "b"), n_samples=2, source="s", uploaded=True)
    def write(folder):
        (folder / "x.npy").write_bytes(b"partial")
        print("writing", flush=True)
        time.sleep(600)
    uploads._store(sys.argv[1], info, write)
""")


def test_an_upload_killed_midway_leaves_no_temp_folder_after_a_restart(settings):
    proc = subprocess.Popen([sys.executable, "-c", KILLED_UPLOAD, str(settings.data_dir)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = list(uploads.root(settings.data_dir).glob(".half.*.tmp"))
    assert len(left) == 1 and (left[0] / "x.npy").exists()  # what the kill left
    with TestClient(create_app(settings)) as client:
        assert not list(uploads.root(settings.data_dir).glob(".*.tmp"))
        assert "half" not in [d["name"] for d in client.get("/api/datasets").json()]
