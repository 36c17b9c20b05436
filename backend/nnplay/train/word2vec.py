"""The word2vec training loop: pure, synchronous and seeded, reporting through ``emit`` like ``train``.

Events (plain dicts):

- ``metrics`` ``scope`` ``step``: mean loss per example (nats) over the steps since the last one, and
  the learning rate of the step; ``scope`` ``epoch``: the epoch's mean training loss (no test part).
- ``embedding_projection`` at step 0, every ``probe_every`` steps (or on the time budget of
  ``nnplay.train.cadence``) and at the end: the ``projection_words``
  most frequent words projected to 2-D by PCA, aligned with the previous frame (orthogonal Procrustes),
  with the analogy accuracy on gensim's ``questions-words.txt`` restricted to the vocabulary.

Training follows word2vec.c: each epoch subsamples the corpus afresh (its own generator, seeded by
``seed`` and the epoch), takes dynamic windows and shuffles the examples; the learning rate decays
linearly from ``lr`` to ``lr * 1e-4`` over the run. Gradients are those of the batch's summed loss, so
``lr`` is per example as in word2vec's per-pair updates (0.025 for sgd, as gensim's ``alpha``; 0.05
for CBOW, word2vec.c's default). With negative sampling they are computed in closed form
(``nnplay.nn.word2vec.row_grads``: CBOW's context rows get word2vec.c's update). Plain ``sgd`` (no
momentum, no weight decay; ``takes_sparse_grads``), word2vec.c's and gensim's rule, is applied to the
touched rows in place (``sgd_row_step``, ``index_add_``), with no gradient tensors and no optimizer pass;
the other optimizers get the same gradients as row gradients (``negative_sampling_grads``, densified)
and step as usual. The full softmax goes through autograd.

A live ``lr`` (``PATCH /api/jobs/{id}/settings``, through ``RunControl``) becomes the rate of the next
step, and the linear decay goes on from it to the end of the run: at progress ``p0`` (the share of the
run's steps done), the new rate ``L`` rescales the decay's base to ``L / max(1e-4, 1 - p0)``, so step
``p`` uses ``L (1 - p) / (1 - p0)`` (floored at ``1e-4`` of that base), reaching ~0 at the end as
before. A ``settings`` message records the change at the step it was applied from; the base is kept
in checkpoints. Live ``grad_clip`` does not apply: word2vec does not clip (the service refuses it).

``checkpoint(state)`` is called at every probe, at the end of every epoch and on stop (the REST
neighbour and analogy queries read the latest one, with its ``words``: the vocabulary, id order);
``resume=state`` continues from it exactly.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import torch

from nnplay.data import word_tokens
from nnplay.nn.word2vec import (NoiseSampler, Vocab, Word2Vec, cbow_examples, keep_probabilities,
                                negative_sampling_grads, noise_distribution, sgd_row_step, skipgram_pairs,
                                subsample)
from nnplay.probes.arrays import finite_or_none
from nnplay.probes.embeddings import analogy_accuracy, project_2d, read_questions
from nnplay.spec.errors import SpecError
from nnplay.spec.network import JobSpec
from nnplay.spec.training import TrainingSpec
from nnplay.train.cadence import probe_cadence
from nnplay.train.control import RunControl
from nnplay.train.loop import _INIT_LOCK, STEP_POINTS_PER_EPOCH, TrainResult
from nnplay.train.optim import make_optimizer

LR_FLOOR = 1e-4  # the final learning rate as a fraction of lr (word2vec.c: starting_alpha * 0.0001)
SEED_STRIDE = 1_000_003


def corpus_vocab(corpus: str, min_count: int, data_dir=None) -> tuple[Vocab, torch.Tensor]:
    """The vocabulary of a word corpus (built-in, or uploaded under ``data_dir``) and its token stream
    as ids ``(n,)`` (other words dropped). SpecError at ``dataset.name`` for a name that is not a corpus."""
    return _vocab_of(word_tokens(corpus, data_dir), min_count)


@lru_cache(maxsize=8)
def _vocab_of(tokens: tuple[str, ...], min_count: int) -> tuple[Vocab, torch.Tensor]:
    """Cached by the token stream itself, so an uploaded corpus replaced under the same name is rebuilt."""
    vocab = Vocab.build(tokens, min_count)
    return vocab, torch.as_tensor(vocab.encode(tokens))


def decayed_lr(base: float, progress: float) -> float:
    """word2vec's linear decay: ``base * max(1e-4, 1 - progress)``; ``progress`` in [0, 1], the share
    of the run done before the step."""
    return base * max(LR_FLOOR, 1.0 - progress)


def rebased(lr: float, progress: float) -> float:
    """The decay base under which the step at ``progress`` uses ``lr`` (a live lr change)."""
    return lr / max(LR_FLOOR, 1.0 - progress)


QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "analogies" / "questions-words.txt"


@lru_cache(maxsize=1)
def analogy_questions() -> tuple:
    """Mikolov et al.'s 19,544 analogy questions (``questions-words.txt``, vendored from the word2vec
    project, the file gensim ships too; see ``data/analogies/SOURCES.md``)."""
    return tuple(read_questions(QUESTIONS))


def build_word2vec(spec: JobSpec, vocab_size: int, device: torch.device) -> Word2Vec:
    """The model with initial weights fixed by ``training.seed``."""
    w = spec.network
    with _INIT_LOCK:
        torch.manual_seed(spec.training.seed)
        return Word2Vec(vocab_size, w.embedding_dim, w.model, w.n_negatives).to(device)


def epoch_examples(spec: JobSpec, ids: torch.Tensor, keep: torch.Tensor, epoch: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The shuffled examples of one epoch: ``(inputs, targets)``; skip-gram: centres ``(P,)`` and
    contexts ``(P,)``; CBOW: context ids ``(P, 2W)`` (-1 padded) and centres ``(P,)``."""
    gen = torch.Generator().manual_seed(spec.training.seed * SEED_STRIDE + epoch)
    kept = subsample(ids, keep, gen)
    if spec.network.model == "skipgram":
        return skipgram_pairs(kept, spec.network.window, gen)
    centers, contexts = cbow_examples(kept, spec.network.window, gen)
    return contexts, centers


def takes_sparse_grads(t: TrainingSpec) -> bool:
    """Whether the optimizer steps with sparse row gradients: plain ``sgd`` (no momentum, no weight
    decay) applies them to the touched rows only; the others get them densified."""
    return t.optimizer == "sgd" and t.momentum == 0 and t.weight_decay == 0


def gradient_step(model: Word2Vec, inputs: torch.Tensor, targets: torch.Tensor, noise: torch.Tensor | None,
                  sparse: bool) -> float:
    """Set the gradients of the batch's summed loss on ``model``'s weights (``.grad``) and return its
    mean loss per example (nats). Negative sampling: closed form, sparse rows (``sparse``) or dense;
    full softmax: autograd."""
    if noise is None:
        loss = model(inputs, targets)
        (loss * len(targets)).backward()  # summed loss: lr per example, as word2vec's per-pair updates
        return loss.item()
    total, g_in, g_out = negative_sampling_grads(model, inputs, targets, noise)
    model.in_embed.weight.grad = g_in if sparse else g_in.to_dense()
    model.out_embed.weight.grad = g_out if sparse else g_out.to_dense()
    return total / len(targets)


class ProjectionProbe:
    """The ``embedding_projection`` events: the most frequent words in 2-D, aligned frame to frame."""

    def __init__(self, vocab: Vocab, n_words: int, previous: torch.Tensor | None = None):
        self.n = min(n_words, len(vocab))
        self.words = list(vocab.words)
        self.counts = vocab.counts[: self.n].tolist()
        self.previous = previous
        self.questions = analogy_questions()

    def event(self, model: Word2Vec, step: int, epoch: int) -> dict:
        vectors = model.in_embed.weight.detach().cpu()  # (V, D)
        coords = project_2d(vectors[: self.n], self.previous)  # (N, 2)
        self.previous = coords
        accuracy, n_questions = analogy_accuracy(vectors, self.words, self.questions)
        return {"type": "embedding_projection", "step": step, "epoch": epoch, "method": "pca",
                "words": self.words[: self.n], "counts": self.counts,
                "x": coords[:, 0].round(decimals=4).tolist(), "y": coords[:, 1].round(decimals=4).tolist(),
                "vocab_size": len(self.words), "embedding_dim": vectors.shape[1],
                "analogy_accuracy": round(accuracy, 4) if n_questions else None, "analogy_questions": n_questions}


def _check_same_words(state: dict, vocab: Vocab, corpus: str) -> None:
    """SpecError at ``dataset.name`` when a checkpoint's vocabulary is not the corpus's now (an uploaded
    corpus replaced under its name): its vectors would belong to other words."""
    if "words" in state and list(state["words"]) != list(vocab.words):
        raise SpecError(("dataset", "name"), f"the corpus '{corpus}' changed since this job's checkpoint (its "
                        "vocabulary differs): the job cannot resume; start a new one")


@dataclass
class _Position:
    epoch: int = 1
    batch_index: int = 0
    step: int = 0
    sums: list = field(default_factory=lambda: [0.0, 0, 0.0, 0])  # ep_loss, ep_n, win_loss, win_n


def train_word2vec(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
                   *, device: str = "cpu", checkpoint: Callable[[dict], None] | None = None,
                   resume: dict | None = None, control: RunControl | None = None, data_dir=None,
                   probe_fps: float | None = None, probe_share: float | None = None, **_ignored) -> TrainResult:
    """Train a word2vec spec to the end or a stop request; see the module docstring for the events.

    ``control`` (pause, single step, stop, live ``lr``) is honoured between steps; ``data_dir`` holds
    uploaded corpora; ``probe_fps`` and ``probe_share`` the probe cadence's time budget when the spec
    gives no ``probe_every`` (``nnplay.train.cadence``; a projection frame also checkpoints)."""
    started = time.perf_counter()
    dev = torch.device(device)
    w, t = spec.network, spec.training
    control = control or RunControl()
    vocab, ids = corpus_vocab(spec.dataset.name, w.min_count, data_dir)
    keep = keep_probabilities(vocab.counts, w.subsample)
    sampler = NoiseSampler(noise_distribution(vocab.counts))
    model = build_word2vec(spec, len(vocab), dev)
    opt = make_optimizer(model.parameters(), t)
    neg_gen = torch.Generator()
    sparse = takes_sparse_grads(t)
    direct = sparse and w.n_negatives > 0
    pos, final, base, progress = _Position(), {}, t.lr, 0.0  # base: of the linear decay (a live lr rescales it)
    if resume:
        _check_same_words(resume, vocab, spec.dataset.name)
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["optimizer"])
        neg_gen.set_state(resume["neg_gen"])
        pos, final = _Position(resume["epoch"], resume["batch_index"], resume["step"], list(resume["sums"])), resume["final"]
        base = float(resume.get("lr_base", t.lr))
    probe = ProjectionProbe(vocab, w.projection_words, resume["projection"] if resume and resume["projection"].numel() else None)

    def save() -> None:
        if checkpoint:
            checkpoint({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": pos.epoch,
                        "batch_index": pos.batch_index, "step": pos.step, "sums": list(pos.sums),
                        "neg_gen": neg_gen.get_state(), "final": dict(final), "lr_base": base,
                        "words": list(vocab.words),
                        "projection": probe.previous if probe.previous is not None else torch.empty(0)})

    def apply_changes() -> None:  # live settings: lr from the next step on (see the module docstring)
        nonlocal base
        for change in control.take_changes():
            values = {k: v for k, v in change.changes().items() if k == "lr"}
            if values:
                base = rebased(values["lr"], progress)
                emit({"type": "settings", "step": pos.step, "epoch": pos.epoch, "changes": values})

    cadence = probe_cadence(t.probe_every, probe_fps, probe_share)
    last_probe = -1
    if resume is None:
        cadence.timed(lambda: emit(probe.event(model, 0, 0)))
        last_probe = 0
    status = "completed"
    while pos.epoch <= t.epochs and status == "completed":
        inputs, targets = epoch_examples(spec, ids, keep, pos.epoch)
        if pos.batch_index == 0:
            neg_gen.manual_seed(t.seed * SEED_STRIDE + pos.epoch + SEED_STRIDE // 2)
        size = len(targets) if t.batch_size == "full" else min(t.batch_size, len(targets))
        n_batches = math.ceil(len(targets) / size)
        log_every = max(1, math.ceil(n_batches / STEP_POINTS_PER_EPOCH))
        lr = decayed_lr(base, (pos.epoch - 1 + pos.batch_index / n_batches) / t.epochs)  # if no step is left
        while pos.batch_index < n_batches:
            progress = (pos.epoch - 1 + pos.batch_index / n_batches) / t.epochs
            gate = control.gate(pos.step, apply_changes, lambda: emit(probe.event(model, pos.step, pos.epoch)))
            if gate == "stop":
                status = "stopped"
                break
            apply_changes()
            single = gate == "step"  # one step granted while paused: its metrics go out
            lo = pos.batch_index * size
            xb, yb = inputs[lo:lo + size], targets[lo:lo + size]
            lr = decayed_lr(base, progress)
            for group in opt.param_groups:
                group["lr"] = lr
            noise = sampler.negatives(len(yb), w.n_negatives, neg_gen).to(dev) if w.n_negatives else None
            if direct:  # plain SGD applied to the rows in place (see sgd_row_step)
                value = sgd_row_step(model, xb.to(dev), yb.to(dev), noise, lr)
            else:
                opt.zero_grad(set_to_none=True)
                value = gradient_step(model, xb.to(dev), yb.to(dev), noise, sparse)
            if not math.isfinite(value):
                emit({"type": "metrics", "scope": "step", "step": pos.step + 1, "epoch": pos.epoch,
                      "train_loss": None, "lr": lr})
                status = "diverged"
                break
            if not direct:
                opt.step()
            pos.step += 1
            pos.batch_index += 1
            s = pos.sums
            s[0], s[1], s[2], s[3] = s[0] + value * len(yb), s[1] + len(yb), s[2] + value, s[3] + 1
            if single or pos.step % log_every == 0:
                emit({"type": "metrics", "scope": "step", "step": pos.step, "epoch": pos.epoch,
                      "train_loss": s[2] / s[3], "lr": lr})
                s[2], s[3] = 0.0, 0
            if cadence.due(pos.step):
                cadence.timed(lambda: (emit(probe.event(model, pos.step, pos.epoch)), save()))
                last_probe = pos.step
            if should_stop():
                status = "stopped"
                break
        if status != "completed":
            if status == "stopped":
                save()
            break
        final = {"train_loss": finite_or_none(pos.sums[0] / max(1, pos.sums[1])), "epochs_done": pos.epoch,
                 "steps": pos.step}
        emit({"type": "metrics", "scope": "epoch", "step": pos.step, "epoch": pos.epoch, "lr": lr,
              "train_loss": final["train_loss"]})
        pos = _Position(pos.epoch + 1, 0, pos.step, [0.0, 0, pos.sums[2], pos.sums[3]])
        save()
    if status != "diverged" and last_probe != pos.step:
        cadence.timed(lambda: (emit(probe.event(model, pos.step, min(pos.epoch, t.epochs))), save()))
    return TrainResult(status, final, model, time.perf_counter() - started, None, cadence.seconds, cadence.snapshots)
