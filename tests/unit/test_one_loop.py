"""The one training loop (``nnplay.train.engine``) with word2vec plugged in as a task: its losses are
those of a plain word2vec.c loop over the same examples, it pauses and single-steps as layer networks
do, slow motion paces it, and a new kind of job gets control, checkpoints and exact resume from the
loop alone."""

import math

import pytest
import torch

from nnplay.nn.word2vec import NoiseSampler, keep_probabilities, noise_distribution, sgd_row_step
from nnplay.spec import JobSpec
from nnplay.spec.training import LiveSettings
from nnplay.train import train
from nnplay.train.control import RunControl
from nnplay.train.engine import Position, TrainTask, train_with
from nnplay.train.word2vec import SEED_STRIDE, build_word2vec, corpus_vocab, epoch_examples

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # see tests/conftest.py


def w2v(model="skipgram", **training) -> JobSpec:
    """lee_words at batch 4096: under 50 steps an epoch, so every step's loss is streamed."""
    return JobSpec.model_validate({
        "dataset": {"name": "lee_words"},
        "network": {"type": "word2vec", "model": model, "embedding_dim": 16, "window": 3, "min_count": 5},
        "training": {"optimizer": "sgd", "lr": 0.025, "epochs": 2, "batch_size": 4096, "probe_every": 10, **training}})


def step_losses(events) -> list[tuple[int, float]]:
    return [(e["step"], e["train_loss"]) for e in events if e["type"] == "metrics" and e["scope"] == "step"]


def plain_word2vec(spec: JobSpec) -> tuple[list[float], torch.nn.Module]:
    """word2vec.c's loop written out: each epoch's examples (subsampled, windowed, shuffled from the
    seed), negatives from the epoch's noise generator, plain SGD on the rows at the linearly decayed lr
    ``lr * max(1e-4, 1 - progress)``. Returns the step losses and the model."""
    w, t = spec.network, spec.training
    vocab, ids = corpus_vocab(spec.dataset.name, w.min_count)
    keep, sampler = keep_probabilities(vocab.counts, w.subsample), NoiseSampler(noise_distribution(vocab.counts))
    model, noise_gen, losses = build_word2vec(spec, len(vocab), torch.device("cpu")), torch.Generator(), []
    for epoch in range(1, t.epochs + 1):
        inputs, targets = epoch_examples(spec, ids, keep, epoch)
        noise_gen.manual_seed(t.seed * SEED_STRIDE + epoch + SEED_STRIDE // 2)
        n = math.ceil(len(targets) / t.batch_size)
        for b in range(n):
            lr = t.lr * max(1e-4, 1 - (epoch - 1 + b / n) / t.epochs)
            part = slice(b * t.batch_size, (b + 1) * t.batch_size)
            noise = sampler.negatives(len(targets[part]), w.n_negatives, noise_gen)
            losses.append(sgd_row_step(model, inputs[part], targets[part], noise, lr))
    return losses, model


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_word2vec_through_the_one_loop_equals_a_plain_word2vec_loop(model):
    spec = w2v(model, lr=0.05 if model == "cbow" else 0.025)
    expected, reference = plain_word2vec(spec)
    events = []
    result = train(spec, events.append)
    assert result.status == "completed" and len(expected) > 10
    assert step_losses(events) == list(enumerate(expected, start=1))
    for ours, theirs in zip(result.model.parameters(), reference.parameters()):
        assert torch.equal(ours, theirs)


def pausing(pause_at: int, grants: int) -> tuple[RunControl, callable]:
    """A control paused from the stream at step ``pause_at``; while paused it grants ``grants`` single
    steps, then resumes (all in the loop's thread: no timing involved)."""
    control, left = RunControl(), [grants]

    def on_wait(_step):
        if left[0]:
            left[0] -= 1
            control.grant_step()
        else:
            control.resume()

    def watch(event):
        if event["type"] == "metrics" and event["scope"] == "step" and event["step"] == pause_at:
            control.pause()
    control.on_wait = on_wait
    return control, watch


def test_word2vec_pauses_and_single_steps_as_layer_networks_do():
    """Paused at step 6: the paused model's projection (and a checkpoint the REST queries read); each
    of two single steps sends its metrics, its projection and a checkpoint; the losses are the
    unpaused run's."""
    spec = w2v(epochs=1)
    plain = []
    train(spec, plain.append)
    control, watch = pausing(6, 2)
    events, states = [], []
    result = train(spec, lambda e: (events.append(e), watch(e)), control=control, checkpoint=states.append)
    assert result.status == "completed" and step_losses(events) == step_losses(plain)
    around = [(e["type"], e["step"]) for e in events if 6 <= e["step"] <= 9 and e["type"] != "settings"]
    assert around == [("metrics", 6), ("embedding_projection", 6), ("metrics", 7), ("embedding_projection", 7),
                      ("metrics", 8), ("embedding_projection", 8), ("metrics", 9)]
    assert {6, 7, 8} <= {s["step"] for s in states} and states[-1]["words"][0] == "the"


class RecordedWaits(RunControl):
    """A control whose slow-motion waits are recorded instead of slept."""

    def __init__(self):
        super().__init__()
        self.waits: list[float] = []

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_slow_motion_paces_word2vec_and_can_be_set_live():
    """With max_steps_per_s every step waits out the rest of its 1 / rate seconds; without it none
    does; set live after step 5, the waits begin at step 6 and a settings event records it."""
    control = RecordedWaits()
    result = train(w2v(epochs=1, max_steps_per_s=0.01), lambda e: None, control=control)
    steps = result.final["steps"]
    assert len(control.waits) == steps and all(0 < s <= 100 for s in control.waits)

    control, events = RecordedWaits(), []

    def watch(event):
        events.append(event)
        if event["type"] == "metrics" and event.get("step") == 5 and event["scope"] == "step":
            control.change(LiveSettings(max_steps_per_s=0.01))
    train(w2v(epochs=1), watch, control=control)
    assert len(control.waits) == steps - 5 and all(0 < s <= 100 for s in control.waits)
    assert [(e["step"], e["changes"]) for e in events if e["type"] == "settings"] == [(5, {"max_steps_per_s": 0.01})]


class LineFit(TrainTask):
    """A third kind of job in a few lines: fit ``y = 3 x`` with one weight by SGD on 4 fixed batches an
    epoch (batch order from a generator kept in checkpoints)."""

    @classmethod
    def from_spec(cls, spec, emit, **_options):
        return cls(spec, emit)

    def __init__(self, spec, emit):
        super().__init__(spec, emit)
        self.model = torch.nn.Linear(1, 1, bias=False)
        torch.nn.init.zeros_(self.model.weight)
        self.x = torch.linspace(-1, 1, 32).unsqueeze(1)  # (32, 1)
        self.gen, self.order = torch.Generator().manual_seed(spec.training.seed), None

    def epoch_sums(self):
        return [0.0]

    def begin_epoch(self, pos):
        self.gen_state = self.gen.get_state()
        self.order = torch.randperm(32, generator=self.gen).view(4, 8)  # (batches, examples)
        return 4, 1

    def step(self, pos, report):
        xb = self.x[self.order[pos.batch_index]]
        loss = ((self.model(xb) - 3 * xb) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            self.model.weight -= self.training.lr * self.model.weight.grad
            self.model.weight.grad = None
        pos.sums[0] += loss.item()
        return loss.item()

    def lr(self):
        return self.training.lr

    def end_epoch(self, pos):
        self.gen_state = self.gen.get_state()
        return {"lr": self.lr()}, {"epochs_done": pos.epoch, "w": self.model.weight.item()}, True

    def probe_events(self, step, epoch):
        return [{"type": "line", "step": step, "epoch": epoch, "w": self.model.weight.item()}]

    def state(self, pos, final):
        return {"w": self.model.weight.detach().clone(), "gen": self.gen_state, "epoch": pos.epoch,
                "batch_index": pos.batch_index, "step": pos.step, "sums": list(pos.sums), "final": dict(final)}

    def restore(self, state):
        self.model.weight.data.copy_(state["w"])
        self.gen.set_state(state["gen"])
        return Position(state["epoch"], state["batch_index"], state["step"], list(state["sums"])), state["final"]


def test_a_new_task_gets_control_checkpoints_and_exact_resume_from_the_one_loop():
    spec = JobSpec.model_validate({**w2v().model_dump(), "training": {"lr": 0.5, "epochs": 3, "probe_every": 5}})
    whole = []
    done = train_with(LineFit, spec, whole.append)
    assert done.status == "completed" and done.final["w"] == pytest.approx(3, abs=0.1)
    first, states = [], []
    stopped = train_with(LineFit, spec, first.append, lambda: len(step_losses(first)) == 6, checkpoint=states.append)
    assert stopped.status == "stopped" and (states[-1]["epoch"], states[-1]["batch_index"]) == (2, 2)
    rest = []
    assert train_with(LineFit, spec, rest.append, resume=states[-1]).final == done.final
    assert step_losses(first) + step_losses(rest) == step_losses(whole)
    assert [e["step"] for e in whole if e["type"] == "line"] == [0, 5, 10, 12]
