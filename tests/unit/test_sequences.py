"""Sequence data, recurrent layers and per-step losses: shapes, refusals naming the field, and the
loss/accuracy on (N, T, V) logits against torch's own functions."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from pydantic import ValidationError

from nnplay.data import dataset_info, load
from nnplay.data.series import series
from nnplay.data.text import UNK
from nnplay.settings import Settings
from nnplay.spec import DatasetSpec, JobSpec, NetworkSpec, ShapeError, SpecError, summarize
from nnplay.train import train
from nnplay.train.check import check_job
from nnplay.train.loop import evaluate
from nnplay.train.optim import accuracy, loss_fn

LSTM_LAST = [{"type": "lstm", "hidden_size": 8}, {"type": "linear", "out_features": 1}]
CHAR_LM = [{"type": "embedding", "embedding_dim": 8},
           {"type": "lstm", "hidden_size": 16, "return_sequences": True}, {"type": "linear", "out_features": 74}]


def check(dataset: dict, layers: list, loss: str = "mse"):
    spec = JobSpec.model_validate({"dataset": dataset, "network": {"layers": layers}, "training": {"loss": loss}})
    return check_job(spec.dataset, spec.network, spec.training, Settings())


def refusal(dataset: dict, layers: list, loss: str = "mse") -> SpecError:
    with pytest.raises(SpecError) as info:
        check(dataset, layers, loss)
    return info.value


# ---- refusals, each naming its place -------------------------------------------------------------

def test_recurrent_layer_after_a_non_sequence_names_the_layer():
    err = refusal({"name": "sunspots"}, [{"type": "flatten"}, {"type": "lstm", "hidden_size": 4},
                                          {"type": "linear", "out_features": 1}])
    assert err.loc == ("network", "layers", 1) and "(22,)" in err.message and "sequence" in err.message


def test_return_sequences_false_before_another_recurrent_layer_names_that_field():
    err = refusal({"name": "sunspots"}, [{"type": "gru", "hidden_size": 4}, {"type": "lstm", "hidden_size": 4},
                                          {"type": "linear", "out_features": 1}])
    assert err.loc == ("network", "layers", 0, "return_sequences") and "layer 1 (lstm)" in err.message


@pytest.mark.parametrize("layer_type", ["rnn", "lstm", "gru"])
def test_hidden_size_zero_is_refused(layer_type):
    with pytest.raises(ValidationError) as info:
        NetworkSpec.model_validate({"layers": [{"type": layer_type, "hidden_size": 0}]})
    assert any(e["loc"][-1] == "hidden_size" for e in info.value.errors())


def test_window_longer_than_the_series_names_the_window():
    err = refusal({"name": "sunspots", "window": 400}, LSTM_LAST)
    assert err.loc == ("dataset", "window") and "309" in err.message
    err = refusal({"name": "sunspots", "window": 250}, LSTM_LAST)  # fits, but leaves no training window
    assert err.loc == ("dataset", "window") and "no training" in err.message


def test_embedding_on_real_valued_input_is_refused():
    err = refusal({"name": "adding"}, [{"type": "embedding", "embedding_dim": 4}] + LSTM_LAST)
    assert err.loc == ("network", "layers", 0) and "real-valued" in err.message


def test_token_ids_need_an_embedding_first_and_its_size_must_match():
    err = refusal({"name": "shakespeare_chars"}, CHAR_LM[1:], "cross_entropy")
    assert err.loc == ("network", "layers", 0) and "embedding" in err.message
    err = refusal({"name": "shakespeare_chars"}, [{**CHAR_LM[0], "num_embeddings": 10}] + CHAR_LM[1:],
                  "cross_entropy")
    assert err.loc == ("network", "layers", 0, "num_embeddings") and "74" in err.message


def test_targets_decide_the_loss_and_the_final_shape():
    assert refusal({"name": "sunspots"}, LSTM_LAST, "cross_entropy").loc == ("training", "loss")
    err = refusal({"name": "sunspots", "horizon": 3}, LSTM_LAST)
    assert err.loc == ("network", "layers", 1, "out_features") and "(3,)" in err.message
    assert refusal({"name": "shakespeare_chars"}, CHAR_LM, "mse").loc == ("training", "loss")
    last_only = [CHAR_LM[0], {**CHAR_LM[1], "return_sequences": False}, CHAR_LM[2]]
    err = refusal({"name": "shakespeare_chars"}, last_only, "cross_entropy")
    assert "return_sequences true" in err.message and "(100, 74)" in err.message


def test_valid_sequence_networks_summarise():
    summary = check({"name": "shakespeare_chars", "seq_len": 40}, CHAR_LM, "cross_entropy")
    assert summary.output_shape == [40, 74] and summary.layers[0].params == 74 * 8
    lstm_params = 4 * (8 * 16 + 16 * 16 + 2 * 16)
    assert summary.layers[1].params == lstm_params
    summary = check({"name": "co2", "window": 12, "horizon": 2},
                    [{"type": "gru", "hidden_size": 5, "bidirectional": True}, {"type": "linear", "out_features": 2}])
    assert summary.input_shape == [12, 1] and summary.output_shape == [2]


def test_dropout_on_a_single_recurrent_layer_warns():
    net = NetworkSpec(layers=[{"type": "lstm", "hidden_size": 4, "dropout": 0.3}, {"type": "linear", "out_features": 1}])
    (warning,) = summarize(net, (10, 1), 0, "mse", target_shape=(1,), task="regression").warnings
    assert "num_layers 1" in warning


# ---- data ----------------------------------------------------------------------------------------

def test_series_windows_are_chronological_and_scaled_with_training_statistics():
    split = load(DatasetSpec(name="sunspots", window=10, horizon=2, test_fraction=0.2))
    raw = series("sunspots").values
    cut = round(309 * 0.8)
    mean, std = raw[:cut].mean(), raw[:cut].std()
    assert split.meta["mean"] == pytest.approx(mean) and split.meta["std"] == pytest.approx(std)
    assert split.x_train.shape == (cut - 11, 10, 1) and split.y_train.shape == (cut - 11, 2)
    assert split.y_train.dtype == torch.float32
    torch.testing.assert_close(split.x_train[0, :, 0].double(), torch.as_tensor((raw[:10] - mean) / std))
    first_test_target = split.y_test[0, 0].item() * std + mean  # the first value after the cut
    assert first_test_target == pytest.approx(raw[cut], abs=1e-3) and split.meta["test_time"][0] == 1700 + cut
    assert len(split.x_test) == 309 - cut - 1  # every target after the cut, horizon 2


def test_co2_is_monthly_without_gaps():
    s = series("co2")
    assert len(s.values) == 526 and np.isfinite(s.values).all() and 310 < s.values.min() < s.values.max() < 380


def test_char_vocabulary_comes_from_the_training_text_with_unk():
    info = dataset_info(DatasetSpec(name="shakespeare_chars", seq_len=50))
    assert info.vocab[0] == UNK and info.kind == "text" and info.target_shape == (50,)
    split = load(DatasetSpec(name="shakespeare_chars", seq_len=50))
    assert split.x_train.dtype == torch.int64 and split.x_train.shape[1] == 50
    assert torch.equal(split.x_train[0, 1:], split.y_train[0, :-1])  # targets are the next characters
    text = "".join(info.vocab[i] for i in split.x_train[0].tolist())
    assert text.strip() and UNK not in text


def test_adding_and_copy_tasks():
    split = load(DatasetSpec(name="adding", seq_len=20, n_samples=100))
    x, y = split.x_train, split.y_train
    assert x.shape == (80, 20, 2) and (x[:, :, 1].sum(1) == 2).all()
    torch.testing.assert_close((x[:, :, 0] * x[:, :, 1]).sum(1, keepdim=True), y)
    copy = load(DatasetSpec(name="copy", seq_len=16, n_samples=50))
    assert copy.info.vocab[copy.x_train[0, 10].item()] == ":"
    assert torch.equal(copy.y_train[:, -5:], copy.x_train[:, :5]) and (copy.y_train[:, :-5] == 0).all()


# ---- losses and accuracy -------------------------------------------------------------------------

def test_per_step_cross_entropy_and_accuracy_flatten_steps():
    torch.manual_seed(0)
    logits, y = torch.randn(4, 7, 5), torch.randint(0, 5, (4, 7))
    want = F.nll_loss(F.log_softmax(logits, -1).reshape(28, 5), y.reshape(28))
    torch.testing.assert_close(loss_fn("cross_entropy", logits, y), want)
    assert accuracy(logits, y) == pytest.approx((logits.argmax(-1) == y).float().mean().item())
    values = torch.randn(4, 2)
    torch.testing.assert_close(loss_fn("mse", values, values + 1), torch.tensor(1.0))
    assert accuracy(values, values) is None


def test_training_a_forecaster_and_a_char_model_reports_losses():
    events = []
    spec = JobSpec.model_validate({"dataset": {"name": "sunspots"}, "network": {"layers": LSTM_LAST},
                                   "training": {"loss": "mse", "epochs": 2, "lr": 0.01}})
    result = train(spec, events.append)
    epochs = [e for e in events if e["type"] == "metrics" and e["scope"] == "epoch"]
    assert result.status == "completed" and epochs[-1]["test_accuracy"] is None
    assert result.final["train_accuracy"] is None and epochs[-1]["train_loss"] < epochs[0]["train_loss"]
    assert math.isfinite(epochs[-1]["test_loss"])
    dataset = {"name": "shakespeare_chars", "seq_len": 20, "test_fraction": 0.9}  # a small training part
    vocab = len(dataset_info(DatasetSpec(**dataset)).vocab)
    layers = CHAR_LM[:2] + [{"type": "linear", "out_features": vocab}]
    spec = JobSpec.model_validate({"dataset": dataset, "network": {"layers": layers},
                                   "training": {"epochs": 1, "batch_size": 64, "lr": 0.01}})
    split = load(spec.dataset)
    result = train(spec, events.append, split=split)
    loss, acc = evaluate(result.model, "cross_entropy", split.x_test[:200], split.y_test[:200])
    assert loss < math.log(vocab) - 0.5 and 0.1 < acc < 1  # well below a uniform guess over the vocabulary


# ---- probes of a recurrent run --------------------------------------------------------------------

def test_recurrent_run_streams_valid_gates_time_gradients_forecast_and_samples():
    from nnplay.protocol import encode

    events = []
    spec = JobSpec.model_validate({
        "dataset": {"name": "co2", "window": 12},
        "network": {"layers": [{"type": "gru", "hidden_size": 6, "num_layers": 2, "bidirectional": True},
                               {"type": "linear", "out_features": 1}]},
        "training": {"loss": "mse", "epochs": 1, "probe_every": 10, "grad_clip": 0.5}})
    train(spec, events.append)
    for seq, event in enumerate(events, 1):
        encode("j", seq, event)  # every event is a valid protocol message
    gates = [e for e in events if e["type"] == "gates"][-1]
    assert [(g["layer"], g["direction"]) for g in gates["layers"]] == [(0, "forward"), (0, "backward"),
                                                                        (1, "forward"), (1, "backward")]
    assert [a["name"] for a in gates["layers"][0]["arrays"]] == ["r", "z", "n", "h"]
    assert gates["layers"][0]["arrays"][0]["shape"] == [6, 12] and len(gates["time"]) == 12
    assert 300 < gates["values"][0] < 400  # the probe window in ppm
    (tg,) = [e for e in events if e["type"] == "time_gradients"][-1]["layers"]
    assert len(tg["norms"]) == 12 and all(v > 0 for v in tg["norms"])
    forecast = [e for e in events if e["type"] == "forecast"][-1]
    assert forecast["unit"] == "ppm CO2" and len(forecast["actual"]) == len(forecast["predicted"]) == 105
    grads = [e for e in events if e["type"] == "gradients"][-1]
    assert grads["grad_clip"] == 0.5 and 0 <= grads["clipped_steps"] <= grads["step"]
    assert grads["total_norm"] == pytest.approx(math.sqrt(sum(n * n for n in grads["norms"])))


def test_time_gradients_equal_an_independent_unrolled_lstm_cell():
    """||dL/dh_t|| against torch.nn.LSTMCell stepped by hand with the same weights (the oracle)."""
    from torch import nn

    from nnplay.nn import build_network
    from nnplay.probes.sequence import probe_sequences

    torch.manual_seed(0)
    net = NetworkSpec(layers=[{"type": "lstm", "hidden_size": 5}, {"type": "linear", "out_features": 1}])
    model = build_network(net, (7, 2))
    x, y = torch.randn(4, 7, 2), torch.randn(4, 1)
    seen = probe_sequences(model, x, y, lambda out, t: F.mse_loss(out, t), 32)
    cell = nn.LSTMCell(2, 5)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(model[0], name + "_l0"))
    h = c = torch.zeros(4, 5)
    hs = []
    for t in range(7):
        h, c = cell(x[:, t], (h, c))
        h.retain_grad()
        hs.append(h)
    F.mse_loss(model[1](h), y).backward()
    want = [float(s.grad.norm()) for s in hs]
    assert seen["time_gradients"][0]["norms"] == pytest.approx(want, rel=1e-4)


def test_generated_text_steps_equal_the_full_forward_and_temperature_must_be_positive():
    from nnplay.nn import build_network
    from nnplay.probes.sampling import _step, generate

    torch.manual_seed(0)
    model = build_network(NetworkSpec(layers=CHAR_LM[:2] + [{"type": "linear", "out_features": 74}]), (30,), 74).eval()
    ids = torch.randint(0, 74, (30,))
    states: dict = {}
    with torch.no_grad():
        stepwise = torch.cat([_step(model, ids[None, :10], states), _step(model, ids[None, 10:], states)], dim=1)
        torch.testing.assert_close(stepwise, model(ids[None]), atol=1e-5, rtol=0)
    sample = generate(model, ids[:5], 40, 0.5, torch.Generator().manual_seed(1))
    assert len(sample) == 40 and all(0 <= i < 74 for i in sample)
    with pytest.raises(ValidationError) as info:
        JobSpec.model_validate({"dataset": {"name": "shakespeare_chars"}, "network": {"layers": CHAR_LM},
                                "training": {"temperature": 0}})
    assert info.value.errors()[0]["loc"] == ("training", "temperature")


def test_grad_clip_changes_and_switches_off_live_through_the_shared_control():
    """A running job's grad_clip is changed, then switched off, with ``RunControl`` (``LiveSettings``);
    the gradients messages report the threshold in force and count the clipped steps."""
    from nnplay.spec.training import LiveSettings
    from nnplay.train.control import RunControl

    control, events = RunControl(), []
    spec = JobSpec.model_validate({"dataset": {"name": "sunspots"}, "network": {"layers": LSTM_LAST},
                                   "training": {"loss": "mse", "epochs": 3, "lr": 0.01, "grad_clip": 1e-4,
                                                "probe_every": 1000}})

    def emit(event):
        events.append(event)
        if event["type"] == "metrics" and event["scope"] == "epoch":
            control.change(LiveSettings(grad_clip=5.0) if event["epoch"] == 1 else LiveSettings(grad_clip=None))
    train(spec, emit, control=control)
    grads = [e for e in events if e["type"] == "gradients"]
    by_epoch = {epoch: [g for g in grads if g["epoch"] == epoch] for epoch in (1, 2, 3)}
    assert {g["grad_clip"] for g in by_epoch[1]} == {1e-4} and {g["grad_clip"] for g in by_epoch[2]} == {5.0}
    assert {g["grad_clip"] for g in by_epoch[3]} == {None}
    first_epoch_steps = by_epoch[1][-1]["step"]
    assert by_epoch[1][-1]["clipped_steps"] == first_epoch_steps  # every step clipped at 1e-4
    assert by_epoch[3][0]["clipped_steps"] == by_epoch[3][-1]["clipped_steps"]  # off: no more clipping
    settings = [e for e in events if e["type"] == "settings"]
    assert [s["changes"] for s in settings] == [{"grad_clip": 5.0}, {"grad_clip": None}]
    with pytest.raises(ValidationError):
        LiveSettings(grad_clip=0)
