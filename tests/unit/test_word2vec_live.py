"""A live learning rate on a word2vec run: the step after the change updates the weights by exactly
-lr·gradient with the new lr, the linear decay goes on from it (the same shape, rescaled), a
``settings`` event records it, and a resumed run keeps it."""

import pytest
import torch

import nnplay.train.word2vec as w2v
from nnplay.nn.word2vec import negative_sampling_grads
from nnplay.spec import JobSpec
from nnplay.spec.training import LiveSettings
from nnplay.train import train
from nnplay.train.control import RunControl

SGD_ROW_STEP = w2v.sgd_row_step
CHANGE_AFTER = 7  # steps done when the new lr arrives
NEW_LR = 0.1


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # see tests/conftest.py


def spec(**training) -> JobSpec:
    return JobSpec.model_validate({
        "dataset": {"name": "lee_words"},
        "network": {"type": "word2vec", "model": "skipgram", "embedding_dim": 16, "window": 3, "min_count": 5},
        "training": {"optimizer": "sgd", "lr": 0.025, "epochs": 2, "batch_size": 4096, "probe_every": 1000,
                     **training}})


class Recorder:
    """Wraps the loop's SGD step (plain sgd: ``sgd_row_step``, in place on the rows): before each step,
    the lr, the weights and their gradients (``negative_sampling_grads``, densified: the closed form
    tested against autograd); after it, the weights. At the ``change_after``-th step's end, a live lr
    is queued on ``control``."""

    def __init__(self, monkeypatch, control: RunControl | None, change_after: int | None):
        self.steps: list[dict] = []
        monkeypatch.setattr(w2v, "sgd_row_step", self.step)
        self.control, self.change_after = control, change_after

    def step(self, model, inputs, targets, noise, lr):
        params = [model.in_embed.weight, model.out_embed.weight]
        _, g_in, g_out = negative_sampling_grads(model, inputs, targets, noise)
        self.steps.append({"lr": lr, "w": [p.detach().clone() for p in params],
                           "grad": [g_in.to_dense(), g_out.to_dense()]})
        value = SGD_ROW_STEP(model, inputs, targets, noise, lr)
        self.steps[-1]["w_after"] = [p.detach().clone() for p in params]
        if len(self.steps) == self.change_after:
            self.control.change(LiveSettings(lr=NEW_LR))
        return value


def test_the_step_after_a_live_lr_uses_it_and_the_decay_goes_on_from_it(monkeypatch):
    plain = Recorder(monkeypatch, None, None)
    train(spec(), lambda e: None)
    control = RunControl()
    live = Recorder(monkeypatch, control, CHANGE_AFTER)
    events = []
    result = train(spec(), events.append, control=control)
    assert result.status == "completed" and len(live.steps) == len(plain.steps) > 3 * CHANGE_AFTER

    lrs, plain_lrs = [s["lr"] for s in live.steps], [s["lr"] for s in plain.steps]
    assert lrs[:CHANGE_AFTER] == plain_lrs[:CHANGE_AFTER]  # nothing changes before the request
    first = live.steps[CHANGE_AFTER]  # the step after the change: exactly the new lr
    assert first["lr"] == pytest.approx(NEW_LR, rel=1e-12)
    for w, g, after in zip(first["w"], first["grad"], first["w_after"]):  # plain sgd: w' = w - lr * grad
        torch.testing.assert_close(after, w - NEW_LR * g, rtol=0, atol=1e-6)  # rows: duplicates add in another order
        assert g.abs().max() > 0
    # the linear decay continues from the new rate: every later lr is the old schedule times one factor
    factor = NEW_LR / plain_lrs[CHANGE_AFTER]
    assert lrs[CHANGE_AFTER:] == pytest.approx([factor * lr for lr in plain_lrs[CHANGE_AFTER:]], rel=1e-9)
    assert lrs[-1] < lrs[CHANGE_AFTER] / 10  # ... down to near 0 at the end of the run

    settings = [e for e in events if e["type"] == "settings"]
    assert [(e["step"], e["changes"]) for e in settings] == [(CHANGE_AFTER, {"lr": NEW_LR})]
    streamed = {e["step"]: e["lr"] for e in events if e["type"] == "metrics" and e["scope"] == "step"}
    assert all(lr == pytest.approx(lrs[step - 1]) for step, lr in streamed.items())


def test_a_resumed_run_keeps_the_live_lr(monkeypatch):
    whole = Recorder(monkeypatch, None, None)
    train(spec(), lambda e: None)
    n_steps = len(whole.steps)

    control, states = RunControl(), []
    first = Recorder(monkeypatch, control, CHANGE_AFTER)
    train(spec(), lambda e: None, control=control, checkpoint=states.append,
          should_stop=lambda: len(first.steps) == CHANGE_AFTER + 3)
    state = states[-1]
    assert state["step"] == CHANGE_AFTER + 3 and state["words"][0] == "the"
    rest = Recorder(monkeypatch, None, None)
    assert train(spec(), lambda e: None, resume=state).status == "completed"
    assert len(rest.steps) == n_steps - state["step"]

    control = RunControl()
    uninterrupted = Recorder(monkeypatch, control, CHANGE_AFTER)
    train(spec(), lambda e: None, control=control)
    expected = [s["lr"] for s in uninterrupted.steps]
    assert [s["lr"] for s in first.steps + rest.steps] == pytest.approx(expected, rel=1e-12)


def test_a_checkpoint_of_other_words_is_refused_on_resume():
    """An uploaded corpus replaced under its name: the checkpoint's vectors belong to other words."""
    from nnplay.spec.errors import SpecError

    states = []
    train(spec(epochs=1), lambda e: None, checkpoint=states.append, should_stop=lambda: True)
    state = {**states[-1], "words": list(reversed(states[-1]["words"]))}
    with pytest.raises(SpecError, match="changed since this job's checkpoint"):
        train(spec(epochs=1), lambda e: None, resume=state)


def test_momentum_sgd_steps_through_the_optimizer_and_its_first_step_is_plain_sgds(monkeypatch):
    """sgd with momentum is not the in-place row step (its gradients go to torch.optim.SGD, densified);
    its first step (the momentum buffer starts as the gradient) equals plain sgd's in-place step."""
    plain = train(spec(), lambda e: None, should_stop=lambda: True).model
    calls = []
    monkeypatch.setattr(w2v, "sgd_row_step", lambda *a: calls.append(1) or SGD_ROW_STEP(*a))
    momentum = train(spec(momentum=0.9), lambda e: None, should_stop=lambda: True).model
    assert not calls
    for a, b in zip(plain.parameters(), momentum.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
        assert a.detach().abs().max() > 0
