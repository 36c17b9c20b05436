"""Every probe message is bounded before it is made: validation's estimate of each message type is an
upper bound of the encoded messages a short run emits (and not far above it), attention and gates past
``max_message_kb`` come as the announced window, and other types past it are refused naming the field."""

import pytest

from nnplay.data import dataset_info
from nnplay.protocol import encode
from nnplay.settings import Settings
from nnplay.spec import DatasetSpec, JobSpec
from nnplay.spec.errors import LimitError
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from nnplay.train.check import check_job

FACTOR = 3  # an estimate is at most this many times the largest real message of its type


def preset(pid: str, **dataset) -> JobSpec:
    spec = next(p["spec"] for p in PRESETS if p["id"] == pid).model_copy(deep=True)
    spec.dataset = spec.dataset.model_copy(update=dataset)
    spec.training.epochs, spec.training.probe_every = 1, 10_000  # probes at step 0 and at the end
    return spec


def char_lstm() -> JobSpec:
    """A small character LSTM (2 stacked layers, text time labels) on a tenth of the Shakespeare text."""
    dataset = {"name": "shakespeare_chars", "seq_len": 40, "test_fraction": 0.9}
    vocab = dataset_info(DatasetSpec(**dataset)).vocab_size
    return JobSpec.model_validate({"dataset": dataset, "network": {"layers": [
        {"type": "embedding", "embedding_dim": 8},
        {"type": "lstm", "hidden_size": 48, "num_layers": 2, "return_sequences": True},
        {"type": "linear", "out_features": vocab}]}, "training": {"epochs": 1, "batch_size": 256, "probe_every": 10_000}})


def largest_messages(spec: JobSpec, limit_kb: float) -> dict[str, int]:
    """The largest encoded message (bytes of JSON text) of each type of a run of ``spec``."""
    events: list[dict] = []
    train(spec, events.append, max_message_kb=limit_kb)
    sizes: dict[str, int] = {}
    for seq, event in enumerate(events, 1):
        size = len(encode("0" * 32, seq, event).encode())
        sizes[event["type"]] = max(sizes.get(event["type"], 0), size)
    return sizes


def check(spec: JobSpec, tmp_path, limit_kb: float = 1024):
    return check_job(spec.dataset, spec.network, spec.training, Settings(data_dir=tmp_path, max_message_kb=limit_kb))


@pytest.mark.parametrize("spec", [
    preset("lenet_digits"), preset("mlp_spiral", n_samples=400), preset("lstm_sunspots"),
    preset("autoencoder_digits"), preset("attention_reverse", n_samples=200),
    "char_lstm", preset("attention_dates", n_samples=200),
], ids=["feature_maps", "boundary+neurons", "gates+forecast", "autoencoder", "attention", "char_gates", "cross_attention"])
def test_estimates_bound_the_real_messages_within_a_factor(spec, tmp_path):
    spec = char_lstm() if spec == "char_lstm" else spec
    estimates = check(spec, tmp_path).messages
    actual = largest_messages(spec, 1024)
    assert estimates and set(estimates) <= set(actual), (estimates, actual)
    for kind, estimate in estimates.items():
        assert actual[kind] <= estimate <= FACTOR * actual[kind], (kind, actual[kind], estimate)


def test_long_attention_is_windowed_under_the_limit_as_announced(tmp_path):
    spec = JobSpec.model_validate({
        "dataset": {"name": "reverse", "seq_len": 200, "n_samples": 40},
        "network": {"layers": [{"type": "embedding", "embedding_dim": 16}, {"type": "self_attention", "num_heads": 16},
                               {"type": "linear", "out_features": 10}]},
        "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000}})
    summary = check(spec, tmp_path, limit_kb=64)
    assert any("first" in w and "of 200 tokens" in w for w in summary.warnings), summary.warnings
    events: list[dict] = []
    train(spec, events.append, max_message_kb=64)
    snaps = [(seq, e) for seq, e in enumerate(events, 1) if e["type"] == "attention"]
    assert snaps
    for seq, snap in snaps:
        size = len(encode("0" * 32, seq, snap).encode())
        assert size <= 64 * 1024 and size <= summary.messages["attention"]
        w = snap["window"]
        assert w["tokens_total"] == 200 and w["tokens"] < 200 and w["limit_kb"] == 64
        assert len(snap["tokens"]) == w["tokens"] and snap["layers"][0]["shape"][1:] == [w["tokens"]] * 2
        assert snap["layers"][0]["heads_total"] == 16 and snap["layers"][0]["shape"][0] == w["heads"]


def test_the_issues_hostile_attention_spec_is_bounded(tmp_path):
    spec = JobSpec.model_validate({
        "dataset": {"name": "reverse", "seq_len": 1000, "n_samples": 40},
        "network": {"layers": [{"type": "embedding", "embedding_dim": 64}, {"type": "self_attention", "num_heads": 64},
                               {"type": "linear", "out_features": 10}]},
        "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000}})
    summary = check(spec, tmp_path)
    assert summary.messages["attention"] <= 1024 * 1024
    assert any("of 1000 tokens" in w and "NNPLAY_MAX_MESSAGE_KB" in w for w in summary.warnings)


def test_long_stacked_gates_are_windowed(tmp_path):
    spec = JobSpec.model_validate({
        "dataset": {"name": "adding", "seq_len": 400, "n_samples": 40},
        "network": {"layers": [{"type": "lstm", "hidden_size": 32, "num_layers": 2, "bidirectional": True},
                               {"type": "linear", "out_features": 1}]},
        "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000, "loss": "mse"}})
    summary = check(spec, tmp_path, limit_kb=128)
    assert any("of 400 time steps" in w for w in summary.warnings), summary.warnings
    events: list[dict] = []
    train(spec, events.append, max_message_kb=128)
    gates = [(seq, e) for seq, e in enumerate(events, 1) if e["type"] == "gates"]
    for seq, msg in gates:
        assert len(encode("0" * 32, seq, msg).encode()) <= min(128 * 1024, summary.messages["gates"])
        n = msg["window"]["steps"]
        assert msg["window"]["steps_total"] == 400 and len(msg["time"]) == n < 400
        assert all(a["shape"] == [32, n] for layer in msg["layers"] for a in layer["arrays"])


@pytest.mark.parametrize("body, limit_kb, field", [
    ({"dataset": {"name": "spiral", "n_samples": 20000},
      "network": {"layers": [{"type": "linear", "out_features": 8}, {"type": "relu"}, {"type": "linear", "out_features": 2}]}},
     64, ("dataset", "n_samples")),
    ({"dataset": {"name": "reverse", "seq_len": 64},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 8},
                             {"type": "transformer_encoder", "num_heads": 1, "num_layers": 24},
                             {"type": "linear", "out_features": 10}]}},
     16, ("network", "layers", 1, "num_heads")),
])
def test_a_message_without_a_window_past_the_limit_is_refused_naming_the_field(body, limit_kb, field, tmp_path):
    spec = JobSpec.model_validate(body)
    with pytest.raises(LimitError) as err:
        check(spec, tmp_path, limit_kb=limit_kb)
    assert err.value.loc == field and "max_message_kb" in str(err.value) and "NNPLAY_MAX_MESSAGE_KB" in str(err.value)
