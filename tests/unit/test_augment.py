"""Data augmentation (``training.augment``): a move does what it says (oracles: the image shifted by hand
with its border repeated, torch.rot90), draws stay in their ranges, a run with augmentation is
reproducible and resumes exactly, a run without it never enters the augmentation code, and bad specs are
refused naming the field."""

import math

import pytest
import torch

from nnplay.spec import JobSpec
from nnplay.spec.training import AugmentSpec
from nnplay.train import train
from nnplay.train import loop as loop_module
from nnplay.train.augment import apply_moves, draw_moves
from tests.conftest import job_spec

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def hand_shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """``x`` ``(C, H, W)`` with content moved right by ``dx`` and down by ``dy`` pixels; pixels from
    outside repeat the nearest border pixel (index clamping, written out)."""
    _, h, w = x.shape
    out = torch.empty_like(x)
    for i in range(h):
        for j in range(w):
            out[:, i, j] = x[:, min(max(i - dy, 0), h - 1), min(max(j - dx, 0), w - 1)]
    return out


def test_a_shift_equals_the_hand_shifted_image():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 2, 9, 7, generator=gen)  # (N, C, H, W): not square, two channels
    shifts = [(2, -1), (-2, 2), (0, 0), (1, 0)]
    moves = torch.tensor([[dx, dy, 0.0] for dx, dy in shifts])
    out = apply_moves(x, moves)
    for k, (dx, dy) in enumerate(shifts):
        assert torch.allclose(out[k], hand_shift(x[k], dx, dy), atol=1e-5), (dx, dy)


def test_a_quarter_turn_equals_rot90():
    """Positive angles turn clockwise on screen (row 0 at the top): torch.rot90 with k=-1 over (H, W)."""
    x = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    out = apply_moves(x, torch.tensor([[0.0, 0.0, math.pi / 2]] * 3))
    assert torch.allclose(out, torch.rot90(x, k=-1, dims=(2, 3)), atol=1e-5)


def test_draws_stay_in_range_and_cover_it():
    moves = draw_moves(5000, AugmentSpec(shift=2, rotate=10.0), torch.Generator().manual_seed(0))
    assert moves.shape == (5000, 3)
    shifts = moves[:, :2]
    assert torch.equal(shifts, shifts.round()) and set(shifts.flatten().tolist()) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    angles = moves[:, 2]
    assert float(angles.abs().max()) <= math.radians(10) and float(angles.abs().max()) > math.radians(9.9)
    assert abs(float(angles.mean())) < 0.01  # uniform about 0


def step_losses(spec: dict, **kw) -> tuple[list[float], list[dict]]:
    events = []
    train(JobSpec.model_validate(spec), events.append, **kw)
    return [e["train_loss"] for e in events if e["type"] == "metrics" and e["scope"] == "step"], events


def test_without_augment_the_loop_never_draws_or_moves(monkeypatch, lenet):
    """Off is today's run: the only new code in the loop is behind ``t.augment``, so the batch-order
    generator and the batches are untouched (step losses equal to a run where the functions cannot run)."""
    spec = job_spec(layers=lenet, epochs=1)
    before, _ = step_losses(spec)

    def refuse(*args, **kwargs):
        raise AssertionError("augmentation used in a run without training.augment")

    monkeypatch.setattr(loop_module, "draw_moves", refuse)
    monkeypatch.setattr(loop_module, "apply_moves", refuse)
    after, _ = step_losses(spec)
    assert before == after


def test_augmented_runs_are_reproducible_differ_from_plain_and_resume_exactly(lenet):
    spec = job_spec(layers=lenet, epochs=2, augment={"shift": 1, "rotate": 10.0})
    full, full_events = step_losses(spec)
    again, _ = step_losses(spec)
    plain, _ = step_losses(job_spec(layers=lenet, epochs=2))
    assert full == again and full != plain
    saved, calls = [], []
    first, _ = step_losses(spec, should_stop=lambda: len(calls.append(1) or calls) >= 60, checkpoint=saved.append)
    assert (saved[-1]["epoch"], saved[-1]["step"]) == (2, 60)  # stopped mid-epoch 2 (45 steps per epoch)
    rest, rest_events = step_losses(spec, resume=saved[-1])
    assert first + rest == full
    final = [e for e in rest_events if e["type"] == "metrics" and e["scope"] == "epoch"][-1]
    assert final == [e for e in full_events if e["type"] == "metrics" and e["scope"] == "epoch"][-1]


def field_error(res) -> dict:
    assert res.status_code == 422, res.text
    return res.json()["detail"][0]


@pytest.mark.parametrize("augment, dataset, field, words", [
    ({"shift": 2}, {"name": "xor"}, "training.augment", "image"),
    ({"shift": 0, "rotate": 0}, None, "training.augment", "both 0"),
    ({"shift": 9}, None, "training.augment.shift", "less than or equal to 8"),
    ({"rotate": 50}, None, "training.augment.rotate", "less than or equal to 45"),
    ({"flip": True}, None, "training.augment.flip", "Extra inputs"),
])
def test_bad_augment_specs_are_refused_naming_the_field(client, augment, dataset, field, words):
    layers = [{"type": "flatten"}, {"type": "linear", "out_features": 2 if dataset else 10}]
    body = job_spec(layers=layers, dataset=dataset, augment=augment)
    err = field_error(client.post("/api/networks/validate", json=body))
    assert err["field"] == field and words in err["msg"], err


def test_an_active_learning_run_refuses_augment(client):
    body = job_spec(layers=[{"type": "flatten"}, {"type": "linear", "out_features": 10}], augment={"shift": 1},
                    active={"initial_labels": 20, "query_size": 5, "rounds": 2, "steps_per_round": 5})
    err = field_error(client.post("/api/networks/validate", json=body))
    assert err["field"] == "training.augment" and "active" in err["msg"], err


def test_a_word2vec_network_refuses_augment():
    from nnplay.settings import Settings
    from nnplay.spec.errors import SpecError
    from nnplay.spec.presets import PRESETS
    from nnplay.train.check import check_job

    spec = next(p["spec"] for p in PRESETS if p["spec"].network.__class__.__name__ == "Word2VecSpec")
    training = spec.training.model_copy(update={"augment": AugmentSpec(shift=1)})
    with pytest.raises(SpecError, match="word2vec") as err:
        check_job(spec.dataset, spec.network, training, Settings())
    assert tuple(err.value.loc) == ("training", "augment")
