"""Schemathesis fuzzing of every REST route against the app's own OpenAPI schema.

More than 1,000 generated requests (about 1,600) from a fixed seed (``SEED``), so every run sends the
same requests (what they answer still depends on how far the jobs have got). Three groups:

- schemathesis' positive mode (bodies and path values valid by the schema; most networks still fail
  shape inference, so they test the 422 path) and negative mode (bodies that break the schema);
- bodies that are valid jobs by construction (a hypothesis strategy below: layer networks and, one
  in four, word2vec networks on the word corpora), so POST /api/jobs and POST /api/networks/validate
  also answer 201/200 and jobs really train; and near-valid word2vec bodies (one field wrong: window 0,
  negatives with full_softmax, a min_count leaving fewer than 10 words, an unknown or non-corpus data
  set), which must answer 422 naming that field;
- the path routes (stop, resume, metrics, get, delete) on the ids of those real jobs, right after each
  create while they queue, run and end, then once more when they have ended, and on generated ids.

Every response is checked: no 5xx, a documented status code, the documented content type and a body
that matches the documented schema (``response_schema_conformance``); negative bodies must be refused
with a 4xx. Failures are collected, not shrunk (the app is live and training), and reported together
with a curl line that reproduces each.

Jobs are kept tiny through the settings (``max_epochs=2``, ``max_params=5000``, one job at a time).
"""

import math
import time
from collections import Counter
from functools import cache

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)

from nnplay.api.app import create_app
from nnplay.data import DATASETS
from nnplay.settings import Settings
from nnplay.spec.data import GENERATED
from nnplay.train.word2vec import corpus_vocab

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = CHECKS + [negative_data_rejection]
MIN_REQUESTS = 1000
SEED = 20_240_607
PATH_ROUTES = ["GET /api/jobs/{job_id}", "GET /api/jobs/{job_id}/metrics", "POST /api/jobs/{job_id}/stop",
               "POST /api/jobs/{job_id}/resume", "DELETE /api/jobs/{job_id}"]  # delete last: it removes ids
# after a create; hypothesis favours the first entries, and stop/resume matter most on live jobs
LIFECYCLE_ROUTES = ["POST /api/jobs/{job_id}/stop", "POST /api/jobs/{job_id}/resume",
                    "GET /api/jobs/{job_id}/metrics", "GET /api/jobs/{job_id}", "DELETE /api/jobs/{job_id}",
                    "GET /api/jobs"]
KNOWN_ROUTES = {*PATH_ROUTES, "GET /api/health", "GET /api/datasets", "GET /api/presets", "GET /api/layers",
                "GET /api/jobs", "POST /api/jobs", "POST /api/networks/validate"}


def derandomized(max_examples: int):
    """Decorates a ``@given`` test: the fixed SEED, no example database, no shrinking, no deadline."""
    options = hsettings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    return lambda test: seed(SEED)(options(test))


# ---- bodies that are valid jobs by construction --------------------------------------------------

ACTIVATIONS = [{"type": "relu"}, {"type": "tanh"}, {"type": "sigmoid"}, {"type": "gelu"},
               {"type": "leaky_relu", "negative_slope": 0.1}]


@st.composite
def flat_layers(draw, n_out: int) -> list[dict]:
    """An MLP on flat features: [linear, activation, (dropout | batchnorm1d)?] * 0..2, linear(n_out)."""
    layers = []
    for _ in range(draw(st.integers(0, 2))):
        layers += [{"type": "linear", "out_features": draw(st.integers(2, 16))},
                   draw(st.sampled_from(ACTIVATIONS))]
        extra = draw(st.sampled_from([None, {"type": "dropout", "p": 0.2}, {"type": "batchnorm1d"}]))
        layers += [extra] if extra else []
    return layers + [{"type": "linear", "out_features": n_out}]


@st.composite
def image_layers(draw, n_out: int) -> list[dict]:
    """Digits (1, 8, 8): optionally conv -> relu -> pool (-> batchnorm2d), then flatten and an MLP."""
    layers = []
    if draw(st.booleans()):
        pool = draw(st.sampled_from(["maxpool2d", "avgpool2d"]))
        layers += [{"type": "conv2d", "out_channels": draw(st.integers(1, 4)), "kernel_size": 3,
                    "padding": draw(st.sampled_from(["same", 1, "valid"]))},
                   {"type": "relu"}, {"type": pool, "kernel_size": 2}]
        layers += [{"type": "batchnorm2d"}] if draw(st.booleans()) else []
    return layers + [{"type": "flatten"}] + draw(flat_layers(n_out))


@st.composite
def training(draw, n_samples: int) -> dict:
    optimizer = draw(st.sampled_from(["sgd", "adagrad", "rmsprop", "adam", "adamw"]))
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    return {"optimizer": optimizer, "lr": draw(st.floats(1e-4, 0.5)), "momentum": momentum,
            "nesterov": optimizer == "sgd" and momentum > 0 and draw(st.booleans()),
            "weight_decay": draw(st.sampled_from([0.0, 1e-4, 0.01])),
            "epochs": draw(st.integers(1, 2)),
            "batch_size": draw(st.sampled_from(["full", 16, 64] + ([8] if n_samples <= 200 else []))),
            "grad_clip": draw(st.sampled_from([None, 0.5, 5.0])), "seed": draw(st.integers(0, 2**31 - 1)),
            "probe_every": draw(st.integers(1, 50))}


FLAT_OR_IMAGE_KINDS = ("image", "tabular", "toy1d", "toy2d")  # the data the generated MLPs and CNNs take


MAX_PARAMS = 5000  # the fuzzed app's setting: word2vec's 2 * V * D must stay under it
# the data sets whose generated networks fit MAX_PARAMS whatever is drawn: 16 hidden units on twice the
# inputs (an imputation indicator per feature) after at most a pool that halves each side (mnist: no)
SMALL_INPUT_SETS = sorted(n for n, i in DATASETS.items()
                          if i.kind in FLAT_OR_IMAGE_KINDS and 2 * math.prod(i.input_shape) * 16 <= MAX_PARAMS)
WORD_CORPORA = sorted(n for n, i in DATASETS.items() if i.kind == "corpus")
W2V_MIN_COUNTS = (100, 200, 400, 1000)


@cache
def vocab_size(corpus: str, min_count: int) -> int:
    return len(corpus_vocab(corpus, min_count)[0])


@st.composite
def word2vec_jobs(draw) -> dict:
    """A word2vec JobSpec body the server must accept: a vocabulary of 10+ words and 2 V D <= MAX_PARAMS."""
    name = draw(st.sampled_from(WORD_CORPORA))
    fits = [m for m in W2V_MIN_COUNTS if 10 <= vocab_size(name, m) <= MAX_PARAMS // 4]
    min_count = draw(st.sampled_from(fits))
    full_softmax = draw(st.booleans())
    network = {"type": "word2vec", "model": draw(st.sampled_from(["skipgram", "cbow"])),
               "embedding_dim": draw(st.integers(2, min(16, MAX_PARAMS // (2 * vocab_size(name, min_count))))),
               "window": draw(st.integers(1, 5)), "full_softmax": full_softmax, "min_count": min_count,
               "subsample": draw(st.sampled_from([0.0, 1e-3, 1e-4])), "projection_words": draw(st.integers(10, 50))}
    if not full_softmax and draw(st.booleans()):
        network["negatives"] = draw(st.integers(1, 10))
    train = {"optimizer": draw(st.sampled_from(["sgd", "adam"])), "lr": draw(st.floats(1e-4, 0.1)),
             "epochs": draw(st.integers(1, 2)), "batch_size": draw(st.sampled_from([512, 2048, 8192])),
             "seed": draw(st.integers(0, 2**31 - 1)), "probe_every": draw(st.integers(5, 100))}
    return {"dataset": {"name": name}, "network": network, "training": train}


NEAR_VALID = {  # one wrong field of a valid word2vec body -> the field the 422 must name
    "window 0": (lambda b: b["network"].update(window=0), "network.window"),
    "negatives with full_softmax": (lambda b: b["network"].update(full_softmax=True, negatives=5), "network.negatives"),
    "huge min_count": (lambda b: b["network"].update(min_count=10_000), "network.min_count"),
    "unknown data set": (lambda b: b["dataset"].update(name="no_such_corpus"), "dataset.name"),
    "not a corpus": (lambda b: b["dataset"].update(name="digits"), "dataset.name"),
}


@st.composite
def near_valid_word2vec_jobs(draw) -> tuple[dict, str]:
    """A word2vec body with one field wrong, and that field's path."""
    body = draw(word2vec_jobs())
    body["network"].pop("negatives", None)
    spoil, field = NEAR_VALID[draw(st.sampled_from(sorted(NEAR_VALID)))]
    spoil(body)
    return body, field


@st.composite
def valid_jobs(draw) -> dict:
    """A JobSpec body the server must accept: a layer network whose output size fits the data set and the
    loss, or (one in four) a word2vec network on a word corpus."""
    if draw(st.integers(0, 3)) == 0:
        return draw(word2vec_jobs())
    name = draw(st.sampled_from(SMALL_INPUT_SETS))
    info = DATASETS[name]
    n_classes = len(info.classes)
    dataset = {"name": name, "test_fraction": draw(st.sampled_from([0.1, 0.2, 0.5])),
               "seed": draw(st.integers(0, 99))}
    if name in GENERATED:  # the seeded sets: keep them small
        dataset |= {"n_samples": draw(st.integers(20, 300)), "noise": draw(st.floats(0.0, 0.5))}
    if draw(st.booleans()):
        dataset |= {"missing_fraction": draw(st.sampled_from([0.0, 0.1, 0.5])),
                    "impute": draw(st.sampled_from(["mean", "zero", "mean_with_indicator"]))}
    if info.task == "regression":
        loss, n_out = "mse", 1
    else:
        loss = draw(st.sampled_from(["cross_entropy", "mse", "bce_with_logits"]))
        n_out = 1 if loss == "bce_with_logits" and n_classes == 2 and draw(st.booleans()) else n_classes
    layers = draw(image_layers(n_out) if len(info.input_shape) == 3 else flat_layers(n_out))
    body = {"dataset": dataset, "network": {"layers": layers},
            "training": {**draw(training(dataset.get("n_samples", info.n_samples))), "loss": loss}}
    if draw(st.booleans()):
        body["name"] = draw(st.text(st.characters(exclude_categories=["Cc"]), max_size=40))  # the Name rule
    return body


# ---- the run --------------------------------------------------------------------------------------

class Fuzzer:
    """Sends cases, counts them by route and status, and collects failures instead of raising."""

    def __init__(self, schema):
        self.schema = schema
        self.ops = {r.ok().label: r.ok() for r in schema.get_all_operations()}
        self.counts: Counter = Counter()
        self.failures: dict[tuple, str] = {}
        self.job_ids: list[str] = []
        self.word2vec: Counter = Counter()  # (label, status) of the word2vec bodies sent

    def send_body(self, label: str, body: dict, expect: range):
        r = self.send(self.ops[label].Case(body=body, media_type="application/json"), expect=expect)
        if body["network"].get("type") == "word2vec":
            self.word2vec[(label, r.status_code)] += 1
        return r

    def send(self, case, checks=CHECKS, expect: range | None = None):
        response = case.call()
        label = case.operation.label
        self.counts[(label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=checks)
        except BaseException as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            if not isinstance(exc, (AssertionError, BaseExceptionGroup)):
                raise
            self.failures.setdefault((label, response.status_code, type(exc).__name__), str(exc)[:3000])
        if expect is not None and response.status_code not in expect:
            reply = f"{case.as_curl_command()}\n-> {response.status_code} {response.text[:2000]}"
            self.failures.setdefault((label, response.status_code, "unexpected"), reply)
        return response

    def generated(self, label: str, mode: GenerationMode, n: int) -> None:
        """Up to n schemathesis cases of ``mode`` (fewer, or none, when the route has little to vary)."""
        op = self.ops[label]
        checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

        @derandomized(n)
        @given(case=op.as_strategy(mode))
        def run(case):
            self.send(case, checks)

        try:
            run()
        except Unsatisfiable:  # negative mode on a route whose only input is a free string: nothing to break
            assert mode is GenerationMode.NEGATIVE, label

    def bodies(self, label: str, n: int, expect: range) -> None:
        """n valid job bodies; the route must answer within ``expect``."""

        @derandomized(n)
        @given(body=valid_jobs())
        def run(body):
            if label == "POST /api/networks/validate":
                body.pop("name", None)  # a job's name is no part of a network check
            self.send_body(label, body, expect)

        run()

    def near_valid_word2vec(self, label: str, n: int) -> None:
        """n word2vec bodies with one field wrong: 422 naming that field."""

        @derandomized(n)
        @given(case=near_valid_word2vec_jobs())
        def run(case):
            body, field = case
            r = self.send_body(label, body, range(422, 423))
            fields = [e.get("field") for e in r.json().get("detail", [])] if r.status_code == 422 else []
            if field not in fields:
                self.failures.setdefault((label, r.status_code, f"not at {field}"), f"{body}\n-> {r.text[:2000]}")

        run()

    def lifecycle(self, n: int) -> None:
        """n valid jobs, each followed by one to four actions on recent jobs (the new one included)
        while they are queued, running or ended: stop, resume, metrics, get, delete, or the list."""
        action = st.tuples(st.sampled_from(LIFECYCLE_ROUTES), st.integers(0, 3))

        @derandomized(n)
        @given(body=valid_jobs(), actions=st.lists(action, min_size=1, max_size=4))
        def run(body, actions):
            r = self.send_body("POST /api/jobs", body, range(201, 202))
            if r.status_code == 201:
                self.job_ids.append(r.json()["id"])
            for label, back in actions if self.job_ids else ():  # back = 0: the newest job
                job_id = self.job_ids[max(0, len(self.job_ids) - 1 - back)]
                path = {"job_id": job_id} if "{" in label else None
                self.send(self.ops[label].Case(path_parameters=path))

        run()

    def on_jobs(self, label: str, n: int) -> None:
        """Up to n cases on the ids of real jobs (and an unknown one), in whatever state they are in."""
        op = self.ops[label]

        @derandomized(n)
        @given(job_id=st.sampled_from(self.job_ids + ["0" * 32]))
        def run(job_id):
            self.send(op.Case(path_parameters={"job_id": job_id}))

        run()


@pytest.fixture
def fuzzer(tmp_path):
    # "testserver": the Host header of schemathesis's ASGI client (Starlette's TestClient)
    settings = Settings(data_dir=tmp_path, device="cpu", max_concurrent_jobs=1, max_params=MAX_PARAMS, max_epochs=2,
                        torch_threads=1, allowed_hosts=["localhost", "127.0.0.1", "::1", "testserver"])
    try:
        yield Fuzzer(schemathesis.openapi.from_asgi("/openapi.json", create_app(settings)))
    finally:
        asgi.shutdown_lifespans()  # the app's shutdown: stops the jobs still training, closes the store


def summary(counts: Counter) -> str:
    routes: dict[str, list[str]] = {}
    for (label, status), n in sorted(counts.items()):
        routes.setdefault(label, []).append(f"{status}x{n}")
    return "\n".join(f"  {label}: {', '.join(parts)}" for label, parts in routes.items())


def test_fuzz_rest_api(fuzzer):
    started = time.monotonic()
    for label in ("GET /api/health", "GET /api/datasets", "GET /api/presets", "GET /api/layers"):
        fuzzer.generated(label, GenerationMode.POSITIVE, 1)  # no parameters: one request says it all
    for label in ("POST /api/networks/validate", "POST /api/jobs"):
        fuzzer.generated(label, GenerationMode.POSITIVE, 200)
        fuzzer.generated(label, GenerationMode.NEGATIVE, 200)
    fuzzer.bodies("POST /api/networks/validate", 150, range(200, 201))
    for label in ("POST /api/networks/validate", "POST /api/jobs"):
        fuzzer.near_valid_word2vec(label, 40)
    fuzzer.lifecycle(60)
    fuzzer.generated("GET /api/jobs", GenerationMode.POSITIVE, 1)
    for label in sorted(set(fuzzer.ops) - KNOWN_ROUTES):  # a route added later is fuzzed too, briefly
        fuzzer.generated(label, GenerationMode.POSITIVE, 10)
        fuzzer.generated(label, GenerationMode.NEGATIVE, 10)
        if "{job_id}" in label:
            fuzzer.on_jobs(label, 5)
    for label in PATH_ROUTES:
        fuzzer.generated(label, GenerationMode.POSITIVE, 30)
        fuzzer.on_jobs(label, 100)
    total = sum(fuzzer.counts.values())
    print(f"\n{total} requests in {time.monotonic() - started:.1f} s\n{summary(fuzzer.counts)}\nword2vec: {dict(fuzzer.word2vec)}")
    failures = "\n\n".join(f"== {key}\n{text}" for key, text in fuzzer.failures.items())
    assert not fuzzer.failures, f"{len(fuzzer.failures)} distinct failures:\n{failures}"
    assert total >= MIN_REQUESTS, summary(fuzzer.counts)
    assert fuzzer.counts[("POST /api/jobs", 201)] >= 50, summary(fuzzer.counts)
    w2v = fuzzer.word2vec  # valid word2vec bodies were accepted and trained, near-valid ones refused
    assert w2v[("POST /api/networks/validate", 200)] >= 20 and w2v[("POST /api/jobs", 201)] >= 5, w2v
    assert w2v[("POST /api/networks/validate", 422)] == w2v[("POST /api/jobs", 422)] == 40, w2v
