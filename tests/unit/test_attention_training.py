"""Attention networks trained for real: the reverse preset learns the anti-diagonal, a causal
transformer learns Shakespeare's characters, and a padded classifier streams attention without its
padding. Seeded; budgets sized for a shared 2-core CPU."""

import pytest
import torch

from nnplay.data import load
from nnplay.data.tasks import PAD
from nnplay.probes.arrays import payload_tensor
from nnplay.probes.attention import attention_maps
from nnplay.protocol import encode
from nnplay.spec import JobSpec
from nnplay.spec.presets import PRESETS
from nnplay.train import train


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # see tests/conftest.py


def preset(pid: str) -> JobSpec:
    return next(p["spec"] for p in PRESETS if p["id"] == pid).model_copy(deep=True)


def run(spec: JobSpec, split=None):
    events: list[dict] = []
    result = train(spec, events.append, split=split)
    for seq, event in enumerate(events, 1):  # every event is a valid protocol message
        encode("job", seq, event)
    return result, [e for e in events if e["type"] == "attention"]


def test_reverse_preset_learns_the_anti_diagonal():
    spec = preset("attention_reverse")
    result, snapshots = run(spec)
    assert result.status == "completed"
    assert result.final["test_accuracy"] >= 0.95, result.final
    split = load(spec.dataset)
    types = [layer.type for layer in spec.network.layers]
    (entry,), _ = attention_maps(result.model, types, split.x_test)
    probs = entry["probs"]  # (N, heads, T, T)
    t = probs.shape[-1]
    anti = probs[:, :, torch.arange(t), t - 1 - torch.arange(t)].mean(dim=(0, 2))  # (heads,)
    assert anti.max() >= 0.6, anti
    # snapshots from step 0 on, each with the probe's 8 digits and a (2, 8, 8) map
    assert snapshots[0]["step"] == 0 and len(snapshots) >= 3
    assert all(len(s["tokens"]) == t and s["layers"][0]["shape"] == [2, t, t] for s in snapshots)
    first, last = (payload_tensor(s["layers"][0]).tolist() for s in (snapshots[0], snapshots[-1]))
    best = int(anti.argmax())
    gain = lambda d: sum(d[best][i][t - 1 - i] for i in range(t)) / t  # noqa: E731
    assert gain(last) > gain(first) + 0.3  # the pattern formed during training
    assert snapshots[-1]["predicted"] == snapshots[-1]["target"] == snapshots[-1]["tokens"][::-1]


def test_sort_preset_sorts_held_out_digits():
    spec = preset("transformer_sort")
    result, snapshots = run(spec)
    assert result.status == "completed"
    assert result.final["test_accuracy"] >= 0.98, result.final  # per digit; chance is ~0.1
    split = load(spec.dataset)
    with torch.no_grad():
        predicted = result.model.eval()(split.x_test).argmax(-1)  # (N, T)
    assert torch.equal(split.y_test, split.x_test.sort(dim=1).values)  # the task's targets are the sorted digits
    assert (predicted == split.y_test).all(dim=1).float().mean() >= 0.9  # whole sequences sorted right
    assert snapshots[-1]["predicted"] == sorted(snapshots[-1]["tokens"])


def test_causal_transformer_learns_characters_and_never_looks_ahead():
    spec = preset("transformer_shakespeare")
    spec.dataset.test_fraction = 0.8  # a fifth of the text trains, one epoch (100 steps): a sane test budget
    spec.training.epochs = 1
    split = load(spec.dataset)
    split.x_test, split.y_test = split.x_test[:256], split.y_test[:256]  # evaluated on 256 x 64 characters
    spec.network.layers[-1].out_features = len(split.info.vocab)
    result, snapshots = run(spec, split)
    assert result.status == "completed"
    assert result.final["test_loss"] < 2.8, result.final  # unigram entropy of the characters is ~3.3 nats
    for snap in snapshots:
        assert [layer["block"] for layer in snap["layers"]] == [0, 1]
        for layer in snap["layers"]:
            probs = payload_tensor(layer)  # (heads, T, T)
            assert (probs.triu(diagonal=1) == 0).all()


def test_padded_classifier_streams_attention_without_padding():
    spec = preset("transformer_authors")
    spec.dataset.n_samples = 400
    spec.training.epochs = 1
    result, snapshots = run(spec)
    assert result.status == "completed" and snapshots
    split = load(spec.dataset)
    probe = split.x_test[0].tolist()
    length = probe.index(split.info.vocab.index(PAD)) if split.info.vocab.index(PAD) in probe else len(probe)
    snap = snapshots[-1]
    assert snap["tokens"][0] == "<cls>" and len(snap["tokens"]) == length < len(probe)
    assert snap["target"] in (["Shakespeare"], ["Milton"]) and len(snap["predicted"]) == 1
    for layer in snap["layers"]:
        assert layer["shape"][1:] == [length, length]
        sums = payload_tensor(layer).double().sum(-1)  # (heads, L): float32 on the wire
        assert (sums - 1).abs().max() < 1e-6


@pytest.mark.parametrize("pid", ["attention_reverse", "transformer_shakespeare", "transformer_authors"])
def test_attention_presets_validate_on_their_data(pid):
    from nnplay.settings import Settings
    from nnplay.train.check import check_job

    spec = preset(pid)
    summary = check_job(spec.dataset, spec.network, spec.training, Settings())
    assert not summary.warnings, summary.warnings


def test_causal_transformer_samples_text_from_its_trained_context():
    """A causal transformer generates as GPT-style samplers do: each character from softmax(logits / T)
    of the model run on the last seq_len characters (oracle: the same loop written out by hand)."""
    from nnplay.probes.sampling import can_generate, generate

    spec = preset("transformer_shakespeare")
    spec.dataset.seq_len = 16
    for layer in spec.network.layers:
        if layer.type == "positional_encoding":
            layer.max_len = 16
    spec.dataset.test_fraction, spec.training.epochs, spec.training.probe_every = 0.95, 1, 10**6
    spec.training.sample_length = 30
    split = load(spec.dataset)
    spec.network.layers[-1].out_features = len(split.info.vocab)
    result, _ = run(spec, split)
    model = result.model.eval()
    assert can_generate(model)
    prompt = split.x_test[1, :8]
    sample = generate(model, prompt, 30, 0.7, torch.Generator().manual_seed(3), context=16)
    gen, seq, expected = torch.Generator().manual_seed(3), prompt.tolist(), []
    with torch.no_grad():
        for _ in range(30):
            logits = model(torch.tensor([seq[-16:]]))[0, -1]
            token = int(torch.multinomial(torch.softmax(logits / 0.7, 0), 1, generator=gen))
            expected.append(token)
            seq.append(token)
    assert sample == expected
    events = []
    train(spec, events.append, split=split)
    samples = [e for e in events if e["type"] == "text_sample"]
    assert samples and len(samples[-1]["text"]) == 30


def test_only_causal_step_keeping_attention_networks_generate():
    from nnplay.nn import build_network
    from nnplay.probes.sampling import can_generate
    from nnplay.spec import NetworkSpec

    def net(causal: bool, pool: bool):
        layers = [{"type": "embedding", "embedding_dim": 8}, {"type": "self_attention", "num_heads": 2, "causal": causal}]
        layers += [{"type": "sequence_pool", "mode": "last"}] if pool else []
        return build_network(NetworkSpec(layers=layers + [{"type": "linear", "out_features": 5}]), (6,), 5)

    assert can_generate(net(True, False))
    assert not can_generate(net(False, False)) and not can_generate(net(True, True))
