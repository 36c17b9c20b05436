"""The training loop: seeded, accurate on real data, stoppable, honest about divergence."""

import json

import torch

from nnplay.probes import feature_maps
from nnplay.probes.arrays import payload_tensor
from nnplay.protocol import encode
from nnplay.spec import JobSpec
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from tests.conftest import job_spec


def run(spec: dict, **kw):
    events = []
    result = train(JobSpec.model_validate(spec), events.append, **kw)
    return result, events


def step_losses(events):
    return [e["train_loss"] for e in events if e["type"] == "metrics" and e["scope"] == "step"]


def preset(pid):
    return next(p["spec"] for p in PRESETS if p["id"] == pid).model_dump()


def test_same_spec_and_seed_give_the_same_losses():
    spec = job_spec(epochs=1, seed=5)
    _, a = run(spec)
    _, b = run(spec)
    _, c = run(job_spec(epochs=1, seed=6))
    assert step_losses(a)[:10] == step_losses(b)[:10]
    assert step_losses(a)[:10] != step_losses(c)[:10]


def test_lenet_preset_reaches_097_on_digits():
    result, events = run(preset("lenet_digits"))
    assert result.status == "completed"
    assert result.final["test_accuracy"] >= 0.97, result.final
    epochs = [e for e in events if e["type"] == "metrics" and e["scope"] == "epoch"]
    assert len(epochs) == 30 and epochs[-1]["test_accuracy"] == result.final["test_accuracy"]


def test_logistic_regression_preset_reaches_093_on_digits():
    result, _ = run(preset("logreg_digits"))
    assert result.final["test_accuracy"] >= 0.93, result.final


def test_full_batch_is_one_step_per_epoch():
    result, events = run(job_spec(epochs=3, batch_size="full"))
    assert result.final["steps"] == 3 and len(step_losses(events)) == 3


def test_stop_flag_ends_the_run_between_steps():
    calls = []
    result, events = run(job_spec(epochs=50), should_stop=lambda: len(calls.append(1) or calls) >= 5)
    assert result.status == "stopped" and len(step_losses(events)) == 5


def test_divergence_is_reported_as_null_and_status():
    spec = job_spec(layers=[{"type": "linear", "out_features": 2}], dataset={"name": "breast_cancer"},
                    optimizer="sgd", lr=10.0, loss="mse", epochs=50, momentum=0.99)
    result, events = run(spec)
    assert result.status == "diverged"
    assert step_losses(events)[-1] is None
    for i, event in enumerate(events):  # every event still encodes as valid JSON
        json.loads(encode("j", i + 1, event))


def test_feature_map_events_equal_the_layers_own_outputs(lenet):
    spec = job_spec(layers=lenet, epochs=1, probe_every=10)
    result, events = run(spec, max_channels=4)
    maps = [e for e in events if e["type"] == "feature_maps"]
    assert [m["step"] for m in maps] == [0, 10, 20, 30, 40, 45]
    last = maps[-1]
    model = result.model.eval()
    x = payload_tensor(last["input"]).unsqueeze(0)  # (1, 1, 8, 8), exact float32
    outputs = []
    with torch.no_grad():
        for module in model:
            x = module(x)
            outputs.append(x[0])
    assert [m["index"] for m in last["layers"]] == [0, 2, 3, 5]
    for layer in last["layers"]:
        expected = outputs[layer["index"]][:4]  # (C<=4, H, W)
        assert layer["shape"] == list(expected.shape) and layer["dims"] == ["channel", "row", "col"]
        torch.testing.assert_close(payload_tensor(layer), expected, atol=1e-6, rtol=0)
    assert last["layers"][2]["channels_total"] == 16 and last["layers"][2]["shape"][0] == 4
    assert abs(sum(last["prediction"]["probabilities"]) - 1) < 1e-3


def test_probe_restores_training_mode(lenet):
    spec = JobSpec.model_validate(job_spec(layers=lenet))
    from nnplay.nn import build_network
    model = build_network(spec.network, (1, 8, 8)).train()
    feature_maps(model, [layer.type for layer in spec.network.layers], torch.zeros(1, 1, 8, 8), 16)
    assert model.training


def test_non_image_data_sends_no_feature_maps():
    _, events = run(job_spec(layers=[{"type": "linear", "out_features": 2}], dataset={"name": "xor"}))
    assert not [e for e in events if e["type"] == "feature_maps"]


def test_resume_from_a_checkpoint_continues_the_same_run(lenet):
    spec = job_spec(layers=lenet, epochs=3)
    full, full_events = run(spec)
    saved, calls = [], []
    stopped, first = run(spec, should_stop=lambda: len(calls.append(1) or calls) >= 70, checkpoint=saved.append)
    assert stopped.status == "stopped" and [s["step"] for s in saved] == [45, 70]
    state = saved[-1]
    assert (state["epoch"], state["batch_index"]) == (2, 25)
    resumed, rest = run(spec, resume=state, checkpoint=saved.append)
    assert resumed.status == "completed"
    assert step_losses(first) + step_losses(rest) == step_losses(full_events)
    steps = [e["step"] for e in first + rest if e["type"] == "metrics" and e["scope"] == "step"]
    assert steps == list(range(1, 136))
    assert resumed.final["test_accuracy"] == full.final["test_accuracy"]
    train_accuracy = lambda evs: [e["train_accuracy"] for e in evs if e["type"] == "metrics" and e["scope"] == "epoch"]  # noqa: E731
    assert train_accuracy(first) + train_accuracy(rest) == train_accuracy(full_events)  # (epoch 2's count spans the stop)


def test_checkpoints_come_once_the_last_is_checkpoint_seconds_old_first_last_and_stops_always(monkeypatch):
    """Short epochs do not each pay a checkpoint: with CHECKPOINT_SECONDS out of reach only the first
    epoch's end, the last epoch's and a stop checkpoint; at 0 every epoch's end does."""
    from nnplay.train import engine

    spec = job_spec(epochs=5)  # logistic regression on digits, 45 steps an epoch
    monkeypatch.setattr(engine, "CHECKPOINT_SECONDS", 0.0)
    every = []
    run(spec, checkpoint=every.append)
    assert [s["epoch"] for s in every] == [2, 3, 4, 5, 6]  # (the epoch a state resumes at)
    monkeypatch.setattr(engine, "CHECKPOINT_SECONDS", 1e9)
    sparse = []
    run(spec, checkpoint=sparse.append)
    assert [s["epoch"] for s in sparse] == [2, 6]
    last, kept = every[-1]["model"], sparse[-1]["model"]
    assert sparse[-1]["step"] == every[-1]["step"] and all(torch.equal(kept[k], w) for k, w in last.items())
    stopped, calls = [], []
    result, _ = run(spec, should_stop=lambda: len(calls.append(1) or calls) >= 60, checkpoint=stopped.append)
    assert result.status == "stopped" and [s["step"] for s in stopped] == [45, 60]


def test_checkpoint_state_loads_with_weights_only(tmp_path, lenet):
    saved = []
    run(job_spec(layers=lenet, epochs=1), checkpoint=saved.append)
    torch.save(saved[-1], tmp_path / "c.pt")
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state["step"] == 45 and state["epoch"] == 2 and "0.weight" in state["model"]


def test_a_non_finite_gradient_ends_the_run_diverged_at_that_step(monkeypatch):
    """A finite loss whose gradient is infinite: d sqrt(z)/dz at z = 0 is inf, and z = s - s.detach()
    is 0 in value with dz/dlogits = 1. With clipping on, the old loop scaled the inf gradient by 0
    (NaN weights) and counted a clipped step; the run must end at step 1 naming the gradient, its
    weights unchanged."""
    from nnplay.train import loop

    real = loop.objective

    def overflowing(*args):
        logits = args[2]
        return real(*args) + torch.sqrt(logits.sum() - logits.sum().detach())

    monkeypatch.setattr(loop, "objective", overflowing)
    result, events = run(job_spec(epochs=1, grad_clip=1.0))
    assert result.status == "diverged"
    assert "gradient norm became non-finite" in result.reason and "at step 1" in result.reason
    assert [e["step"] for e in events if e["type"] == "metrics"] == [1]
    assert all(torch.isfinite(p).all() for p in result.model.parameters())


def test_data_info_says_when_a_last_batch_of_one_is_merged():
    """digits: 1,797 examples, test_fraction 0.2 -> 1,437 to train; batch 32 leaves 1,437 = 44 * 32 + 29;
    batch 2 leaves a last batch of 1 (1,437 = 718 * 2 + 1), which joins the one before."""
    from nnplay.train.loop import batch_plan

    assert batch_plan(1437, 32) == {"batch_size": 32, "batches_per_epoch": 45, "last_batch_merged": False}
    assert batch_plan(1437, 2) == {"batch_size": 2, "batches_per_epoch": 718, "last_batch_merged": True}
    assert batch_plan(1437, "full") == {"batch_size": 1437, "batches_per_epoch": 1, "last_batch_merged": False}
    assert batch_plan(1, 1) == {"batch_size": 1, "batches_per_epoch": 1, "last_batch_merged": False}
    result, events = run(job_spec(epochs=1, batch_size=2))
    info = next(e for e in events if e["type"] == "data_info")
    assert info["n_train"] == 1437 and info["last_batch_merged"] and info["batches_per_epoch"] == 718
    assert result.final["steps"] == 718  # the steps taken: as many as the message said
