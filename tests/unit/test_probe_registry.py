"""The probe registry: one rule for what a job streams, used by validation, the job record and the run.

Oracles: the message types a real (short) training run emits, and ``can_generate`` on the built model.
"""

import pytest

from nnplay.jobs.run import VISUAL_TYPES
from nnplay.nn import build_network
from nnplay.probes import PROBES
from nnplay.probes.registry import (FRAME_TYPES, NON_PROBE_MESSAGES, PROBE_REGISTRY, PROBES_BY_NAME, JobFacts,
                                    can_generate, select)
from nnplay.probes.sampling import can_generate as model_can_generate
from nnplay.protocol import MESSAGE_TYPES
from nnplay.settings import Settings
from nnplay.spec import JobSpec, NetworkSpec
from nnplay.spec.layers import LAYER_FAMILIES, LAYER_TYPES
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from nnplay.train.check import check_job
from tests.conftest import job_spec

MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def server_message_types() -> set[str]:
    union = MESSAGE_TYPES
    return set(union)


def test_families_name_real_layer_types_and_watch_families_exist():
    for family, members in LAYER_FAMILIES.items():
        assert set(members) <= set(LAYER_TYPES), family
    for entry in PROBE_REGISTRY:
        assert set(entry.watches) <= set(LAYER_FAMILIES), entry.name
    assert PROBES["conv2d"] == "feature_maps" and PROBES["lstm"] == "gates" and PROBES["relu"] == "neuron_maps"
    assert PROBES["self_attention"] == "attention" and PROBES["flatten"] is None


def test_every_message_type_comes_from_one_probe_or_is_declared_non_probe():
    emitted = [t for entry in PROBE_REGISTRY for t in entry.messages]
    assert len(emitted) == len(set(emitted)), "a message type in two probes"
    assert set(emitted) | set(NON_PROBE_MESSAGES) == server_message_types()
    assert not set(emitted) & set(NON_PROBE_MESSAGES)


def test_coalesced_frames_are_the_registry_frames():
    assert VISUAL_TYPES == FRAME_TYPES == {"feature_maps", "decision_boundary", "neuron_maps", "attention",
                                            "embedding_projection", "reconstructions", "gates", "forecast",
                                            "cross_attention", "weights"}


@pytest.mark.parametrize("layers", [
    [{"type": "embedding", "embedding_dim": 8}, {"type": "lstm", "hidden_size": 8, "return_sequences": True},
     {"type": "linear", "out_features": 5}],
    [{"type": "embedding", "embedding_dim": 8}, {"type": "gru", "hidden_size": 8, "return_sequences": True,
                                                  "bidirectional": True}, {"type": "linear", "out_features": 5}],
    [{"type": "embedding", "embedding_dim": 8}, {"type": "rnn", "hidden_size": 8}, {"type": "linear", "out_features": 5}],
    [{"type": "embedding", "embedding_dim": 8}, {"type": "self_attention", "num_heads": 2, "causal": True},
     {"type": "linear", "out_features": 5}],
    [{"type": "embedding", "embedding_dim": 8}, {"type": "self_attention", "num_heads": 2, "causal": False},
     {"type": "linear", "out_features": 5}],
    [{"type": "embedding", "embedding_dim": 8}, {"type": "transformer_encoder", "num_heads": 2, "causal": True},
     {"type": "sequence_pool", "mode": "mean"}, {"type": "linear", "out_features": 5}],
])
def test_spec_rule_for_text_generation_equals_the_models(layers):
    network = NetworkSpec.model_validate({"layers": layers})
    model = build_network(network, (12,), vocab_size=5)
    assert can_generate(JobFacts(layers=tuple(network.layers))) == model_can_generate(model)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p["id"])
def test_every_preset_validates_with_panels_that_include_metrics(preset, tmp_path):
    spec = preset["spec"]
    summary = check_job(spec.dataset, spec.network, spec.training, Settings(data_dir=tmp_path))
    assert summary.panels[0] == "metrics" and set(summary.panels) <= set(PROBES_BY_NAME)


RUNS = {
    "mlp_2d": (job_spec(layers=MLP, dataset={"name": "gaussian", "n_samples": 120}, epochs=1, probe_every=2),
               ["metrics", "gradients", "activations", "decision_boundary", "neuron_maps", "weights"]),
    "logistic_2d": (job_spec(layers=[{"type": "linear", "out_features": 2}],
                             dataset={"name": "gaussian", "n_samples": 120}, epochs=1, probe_every=2),
                    ["metrics", "gradients", "decision_boundary", "weights"]),
    "digits": (job_spec(epochs=1, probe_every=20), ["metrics", "gradients", "feature_maps", "weights"]),
    "lstm_series": (job_spec(layers=[{"type": "lstm", "hidden_size": 4}, {"type": "linear", "out_features": 1}],
                             dataset={"name": "sunspots", "window": 8}, epochs=1, probe_every=20, loss="mse"),
                    ["metrics", "gradients", "gates", "forecast", "weights"]),
    "autoencoder": (job_spec(layers=[{"type": "flatten"}, {"type": "linear", "out_features": 2},
                                     {"type": "linear", "out_features": 64}],
                             dataset={"name": "digits", "target": "input"}, epochs=1, probe_every=40, loss="mse"),
                    ["metrics", "gradients", "latent_codes", "weights"]),
}


@pytest.mark.parametrize("name", RUNS)
def test_a_run_emits_exactly_the_messages_of_the_probes_its_summary_lists(name, tmp_path):
    body, expected = RUNS[name]
    spec = JobSpec.model_validate(body)
    summary = check_job(spec.dataset, spec.network, spec.training, Settings(data_dir=tmp_path))
    assert summary.panels == expected
    events = []
    train(spec, events.append)
    emitted = {e["type"] for e in events} - set(NON_PROBE_MESSAGES)
    assert emitted == {t for panel in expected for t in PROBES_BY_NAME[panel].messages}


def test_a_probe_class_makes_its_messages_itself_and_none_is_made_twice():
    """A registry entry carrying its own class (``probe``) needs no maker in ``train.probing``."""
    from nnplay.train.probing import MAKERS
    for entry in PROBE_REGISTRY:
        if entry.probe is None:
            continue
        assert entry.name not in MAKERS, entry.name
        for method in ("start_events", "events", "message_sizes"):
            assert callable(getattr(entry.probe, method, None)), (entry.name, method)
