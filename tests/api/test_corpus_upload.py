"""Uploaded plain-text corpora: stored as word corpora, tokenised as the built-in ones, trained by word2vec,
listed after a restart; every kind of bad file answers 422 at ``file`` with a readable message."""

import io
import struct
import zipfile
import zlib

import pytest
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from nnplay.data.corpora import CORPUS_DIR
from nnplay.data.text_import import MIN_TOKENS
from nnplay.data.words import tokenize
from nnplay.nn.word2vec import Vocab
from tests.api.helpers import wait_done

REGAINED = CORPUS_DIR / "milton_paradise_regained.txt"
W2V = {"type": "word2vec", "model": "skipgram", "embedding_dim": 16, "window": 3, "min_count": 5}


def upload_text(client, content: bytes, name: str | None = "regained", filename="Paradise Regained.txt", **form):
    data = {**({"name": name} if name else {}), **form}
    return client.post("/api/datasets", files={"file": (filename, content, "text/plain")}, data=data)


def w2v_spec(dataset: str, **network) -> dict:
    return {"name": "w2v on upload", "dataset": {"name": dataset}, "network": {**W2V, **network},
            "training": {"optimizer": "sgd", "lr": 0.025, "epochs": 1, "batch_size": 1024, "probe_every": 10}}


def png_bytes() -> bytes:
    """A real 2x2 PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("poem.txt", REGAINED.read_text(encoding="ascii")[:5000])
    return out.getvalue()


def test_uploaded_text_has_the_builtin_tokenisers_tokens_and_vocabulary(client):
    content = REGAINED.read_bytes()
    tokens = tokenize(content.decode("ascii"))  # the oracle: the built-in corpora's tokeniser on the same text
    r = upload_text(client, content)
    assert r.status_code == 201, r.text
    info = r.json()
    assert (info["name"], info["kind"], info["task"], info["uploaded"]) == ("regained", "corpus", "word embedding", True)
    assert info["n_samples"] == len(tokens) > 15_000
    listed = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert listed["regained"]["kind"] == "corpus" and listed["regained"]["n_samples"] == len(tokens)
    for min_count in (1, 5):
        summary = client.post("/api/networks/validate", json=w2v_spec("regained", min_count=min_count)).json()
        vocab = Vocab.build(tokens, min_count)
        kept = int(vocab.counts.sum())
        assert summary["input_shape"] == [len(vocab)] and summary["total_params"] == 2 * len(vocab) * 16
        assert f"vocabulary: {len(vocab):,} words seen at least {min_count} times; {kept:,} tokens" in summary["warnings"][0]


def test_uploaded_corpus_trains_word2vec_and_answers_neighbours(client):
    assert upload_text(client, REGAINED.read_bytes()).status_code == 201
    job = client.post("/api/jobs", json=w2v_spec("regained")).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "completed" and done["final"]["train_loss"] > 0, done
    r = client.get(f"/api/jobs/{job['id']}/neighbors", params={"word": "Satan", "k": 5})
    assert r.status_code == 200 and len(r.json()["neighbors"]) == 5, r.text
    words = client.get(f"/api/jobs/{job['id']}/embeddings").json()["labels"]
    assert words == list(Vocab.build(tokenize(REGAINED.read_text(encoding="ascii")), 5).words)
    # the job keeps its vocabulary when the corpus is deleted (it is stored with the vectors)
    assert client.delete("/api/datasets/regained").status_code == 204
    assert client.get(f"/api/jobs/{job['id']}/neighbors", params={"word": "satan"}).status_code == 200
    assert "dataset.name" in {e["field"] for e in client.post("/api/jobs", json=w2v_spec("regained")).json()["detail"]}


def test_corpus_upload_survives_a_restart(settings):
    with TestClient(create_app(settings)) as client:
        assert upload_text(client, REGAINED.read_bytes(), name=None).status_code == 201  # name from the file
    with TestClient(create_app(settings)) as client:
        listed = {d["name"]: d for d in client.get("/api/datasets").json()}
        assert listed["paradise_regained"]["kind"] == "corpus"
        assert client.post("/api/networks/validate", json=w2v_spec("paradise_regained")).status_code == 200
        r = upload_text(client, b"other words " * 100, name="paradise_regained")
        assert r.status_code == 409 and "exists already" in r.json()["detail"]


def test_kind_is_inferred_from_the_file_name_or_given(client):
    text = REGAINED.read_bytes()[:20_000]
    assert upload_text(client, text, name="by_suffix", filename="poem.TXT").json()["kind"] == "corpus"
    assert upload_text(client, text, name="by_kind", filename="poem.md", kind="text").json()["kind"] == "corpus"
    r = upload_text(client, text, name="as_csv", filename="poem.md")  # no kind, not .txt: a CSV, needing a target
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "target"
    r = upload_text(client, text, name="bad_kind", kind="pdf")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "kind"


BAD_TEXTS = [
    ("empty", b"", "the file is empty"),
    ("whitespace only", b" \n\t\r\n   \n", "only whitespace (9 bytes)"),
    ("not utf-8", "Of man's first disobedience\nand the caf\u00e9".encode("latin-1"),
     "byte 0xe9 at byte offset 39 (line 2)"),
    ("png renamed", png_bytes(), "NUL byte at byte offset"),
    ("zip renamed", zip_bytes(), "NUL byte at byte offset"),
    ("utf-16", "Of man's first disobedience".encode("utf-16"), "NUL byte"),
    ("control characters", bytes(range(1, 9)) * 50 + b"some words here", "are control characters, the first "
     "U+0001 at byte offset 0"),
    ("too few words", b"Of man's first disobedience, and the fruit of that forbidden tree",
     f"the text has 11 words; at least {MIN_TOKENS} are needed"),
    ("too few distinct words", b"la " * 500, "only 1 distinct ones"),
    ("no letters", b"1234 5678, 90!\n" * 100, "the text has 0 words"),
]


@pytest.mark.parametrize("case,content,text", BAD_TEXTS, ids=[b[0] for b in BAD_TEXTS])
def test_bad_text_files_answer_422_at_file(client, case, content, text):
    r = upload_text(client, content, name="bad_text")
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["field"] == "file" and text in err["msg"], err
    assert "bad_text" not in [d["name"] for d in client.get("/api/datasets").json()]


def test_name_rules_size_limit_and_builtin_names_as_for_csv(settings):
    settings.max_upload_bytes = 4096
    with TestClient(create_app(settings)) as client:
        r = upload_text(client, b"word " * 200, name="Bad Name!")
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "name"
        r = upload_text(client, REGAINED.read_bytes()[:5000], name="big")
        assert r.status_code == 413 and "max_upload_bytes" in r.json()["detail"][0]["msg"]
        assert upload_text(client, b"one two three " * 100, name="milton_words").status_code == 409
        r = upload_text(client, b" ".join(f"w{chr(97 + i % 26)}".encode() for i in range(300)), name="small")
        assert r.status_code == 201, r.text
        assert upload_text(client, b"one two three " * 100, name="small").status_code == 409


def test_min_count_leaving_too_few_words_answers_422_for_an_upload(client):
    assert upload_text(client, REGAINED.read_bytes()).status_code == 201
    for path in ("/api/jobs", "/api/networks/validate"):
        r = client.post(path, json=w2v_spec("regained", min_count=2000))
        assert r.status_code == 422, r.text
        errors = {e["field"]: e["msg"] for e in r.json()["detail"]}
        assert "leaves" in errors["network.min_count"] and "regained" in errors["network.min_count"]
    spec = {"dataset": {"name": "regained"}, "network": {"layers": [{"type": "flatten"}]}}
    r = client.post("/api/jobs", json=spec)
    assert r.status_code == 422 and "word2vec" in r.json()["detail"][0]["msg"]


def test_a_corpus_deleted_and_uploaded_again_under_its_name_is_read_afresh(client):
    assert upload_text(client, REGAINED.read_bytes(), name="poem").status_code == 201
    before = client.post("/api/networks/validate", json=w2v_spec("poem", min_count=1)).json()["input_shape"]
    assert client.delete("/api/datasets/poem").status_code == 204
    other = (CORPUS_DIR / "shakespeare_macbeth.txt").read_bytes()
    assert upload_text(client, other, name="poem").status_code == 201
    after = client.post("/api/networks/validate", json=w2v_spec("poem", min_count=1)).json()["input_shape"]
    assert after == [len(set(tokenize(other.decode("ascii"))))] != before

