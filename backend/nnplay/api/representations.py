"""Learned representations of a job: word-vector queries and the embedding download.

``GET /api/jobs/{id}/neighbors?word=&k=``      the k nearest words by cosine (word2vec jobs)
``GET /api/jobs/{id}/analogy?a=&b=&c=&k=``     the k words nearest to a - b + c (word2vec jobs)
``GET /api/jobs/{id}/embeddings?format=json``  the word vectors with their words as JSON; ``format=tsv``
                                               with ``part=vectors`` or ``part=metadata`` gives the two
                                               files TensorBoard's projector loads (vectors.tsv,
                                               metadata.tsv); for an autoencoder, the codes of the
                                               test set with their true labels

Vectors come from the job's latest checkpoint: a word2vec job saves one at every probe, at each
epoch's end and on stop, so a running job answers with its vectors of a moment ago. A word not in
the vocabulary answers 422 naming the query field, with close spellings (difflib).
"""


import torch
from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from nnplay.api.export import filename, latest_weights
from nnplay.api.routes import ERRORS, service
from nnplay.jobs import JobConflict, JobService
from nnplay.jobs.store import JobRow
from nnplay.data import load
from nnplay.nn import build_network
from nnplay.probes.embeddings import analogy, close_spellings, neighbors, unit_rows
from nnplay.probes.latent import bottleneck_index, latent_codes
from nnplay.spec.network import JobSpec, infer_shapes, network_kind
from nnplay.train.word2vec import corpus_vocab

router = APIRouter(prefix="/api")


def word_query():
    return Query(min_length=1, max_length=100, description="A word of the job's vocabulary (lower case)")


NOT_WORD2VEC = {409: {"description": "Not a word2vec job, or no checkpoint yet"}}
NO_REPRESENTATION = {409: {"description": "A classifier (no learned representation), or no checkpoint yet"}}


class WordScore(BaseModel):
    word: str
    similarity: float


class NeighborsOut(BaseModel):
    job_id: str
    step: int
    word: str
    neighbors: list[WordScore]


class AnalogyOut(BaseModel):
    job_id: str
    step: int
    query: str
    results: list[WordScore]


class EmbeddingsOut(BaseModel):
    job_id: str
    step: int
    kind: str
    dims: list[str]
    labels: list[str]
    vectors: list[list[float]]


# ---- logic -------------------------------------------------------------------------------------


class WordVectors:
    """A word2vec job's vocabulary and input embeddings ``(V, D)`` from its latest checkpoint."""

    def __init__(self, svc: JobService, row: JobRow):
        spec = JobSpec.model_validate(row.spec)
        if network_kind(spec.network) != "word2vec":
            raise JobConflict(f"job {row.id} trains a layer network, not word2vec: it has no word vectors")
        state = latest_weights(svc, row)
        words = state.get("words") or corpus_vocab(spec.dataset.name, spec.network.min_count,
                                                   svc.settings.data_dir)[0].words  # (checkpoints before words)
        self.words, self.step = list(words), int(state["step"])
        self.vectors = state["model"]["in_embed.weight"].float()  # (V, D)
        self.index = {w: i for i, w in enumerate(self.words)}

    def id_of(self, word: str, field: str) -> int:
        """The id of ``word``; RequestValidationError (422 at query ``field``) with close spellings."""
        word = word.strip().lower()
        if word in self.index:
            return self.index[word]
        close = close_spellings(word, self.words)
        hint = f"; close spellings: {', '.join(close)}" if close else "; no word of it is spelled alike"
        raise RequestValidationError([{"loc": ("query", field), "type": "unknown_word", "input": word,
                                       "msg": f"'{word}' is not in the vocabulary of {len(self.words):,} words{hint}"}])


def tsv(rows) -> str:
    """Tab-separated lines, one per row, as TensorBoard's projector reads them."""
    return "".join("\t".join(str(v) for v in row) + "\n" for row in rows)


def embeddings_of(svc: JobService, row: JobRow) -> EmbeddingsOut:
    """A job's learned representation: word vectors ``(V, D)`` with their words, or an autoencoder's
    codes of the test set ``(N, width)`` with their true labels. JobConflict (409) for a classifier."""
    spec = JobSpec.model_validate(row.spec)
    if network_kind(spec.network) == "word2vec":
        wv = WordVectors(svc, row)
        return EmbeddingsOut(job_id=row.id, step=wv.step, kind="word2vec", dims=["word", "component"],
                             labels=wv.words, vectors=wv.vectors.double().round(decimals=6).tolist())
    if spec.dataset.target != "input":
        raise JobConflict(f"job {row.id} is a classifier: only word2vec jobs and autoencoders (dataset.target "
                          "'input') learn a representation to download")
    state = latest_weights(svc, row)
    codes, labels = autoencoder_codes(spec, state["model"], svc.settings.data_dir)
    return EmbeddingsOut(job_id=row.id, step=int(state["step"]), kind="autoencoder", dims=["example", "code"],
                         labels=labels, vectors=codes.double().round(decimals=6).tolist())


def autoencoder_codes(spec: JobSpec, state_dict: dict, data_dir=None) -> tuple[torch.Tensor, list[str]]:
    """The bottleneck codes ``(N, width)`` of the test set under ``state_dict`` and each example's label
    (``data_dir``: where an uploaded data set lives)."""
    split = load(spec.dataset, data_dir)
    model = build_network(spec.network, split.info.input_shape)
    model.load_state_dict(state_dict)
    shapes = [tuple(r.output_shape) for r in infer_shapes(spec.network, split.info.input_shape)]
    codes = latent_codes(model, bottleneck_index(shapes), split.x_test)
    return codes, [split.info.classes[int(y)] for y in split.y_test]


# ---- routes ------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}/neighbors", response_model=NeighborsOut,
            responses={404: ERRORS[404], 422: ERRORS[422], **NOT_WORD2VEC})
def word_neighbors(job_id: str, word: str = word_query(), k: int = Query(10, ge=1, le=100), svc: JobService = Depends(service)):
    """The ``k`` words closest to ``word`` by cosine similarity of their input embeddings."""
    wv = WordVectors(svc, svc.get(job_id))
    word_id = wv.id_of(word, "word")
    found = neighbors(unit_rows(wv.vectors), wv.words, word_id, k)
    return NeighborsOut(job_id=job_id, step=wv.step, word=wv.words[word_id], neighbors=found)


@router.get("/jobs/{job_id}/analogy", response_model=AnalogyOut,
            responses={404: ERRORS[404], 422: ERRORS[422], **NOT_WORD2VEC})
def word_analogy(job_id: str, a: str = word_query(), b: str = word_query(), c: str = word_query(), k: int = Query(5, ge=1, le=100),
                 svc: JobService = Depends(service)):
    """The ``k`` words closest to ``a - b + c`` (unit vectors; e.g. king - man + woman), a, b, c excluded."""
    wv = WordVectors(svc, svc.get(job_id))
    ids = [wv.id_of(word, field) for word, field in ((a, "a"), (b, "b"), (c, "c"))]
    found = analogy(unit_rows(wv.vectors), wv.words, *ids, k=k)
    query = f"{wv.words[ids[0]]} - {wv.words[ids[1]]} + {wv.words[ids[2]]}"
    return AnalogyOut(job_id=job_id, step=wv.step, query=query, results=found)


@router.get("/jobs/{job_id}/embeddings", response_model=EmbeddingsOut,
            responses={200: {"content": {"text/tab-separated-values": {}}}, 404: ERRORS[404], **NO_REPRESENTATION})
def download_embeddings(job_id: str, format: str = Query("json", pattern="^(json|tsv)$"),
                        part: str = Query("vectors", pattern="^(vectors|metadata)$"),
                        svc: JobService = Depends(service)):
    """The learned vectors with their labels: JSON, or (``format=tsv``) TensorBoard projector files:
    ``part=vectors`` (one tab-separated vector per line) and ``part=metadata`` (the matching labels)."""
    row = svc.get(job_id)
    out = embeddings_of(svc, row)
    if format == "json":
        return out
    body = tsv(out.vectors) if part == "vectors" else "".join(f"{w}\n" for w in out.labels)
    name = filename(row, f".{part}.tsv")
    return Response(body, media_type="text/tab-separated-values; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
