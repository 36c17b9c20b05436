"""word2vec trained through the one loop: pure, synchronous and seeded, reporting through ``emit``.

``Word2VecTask`` is word2vec's part (a model, a loss, its epoch examples as the batch source, its linear
decay as a ``LinearDecay`` schedule, its projection probe, its epoch figures); ``nnplay.train.engine``
runs it as every job (control gate, pause, single step, stop, live settings, slow motion
``max_steps_per_s``, step-metrics windows, probe cadence, checkpoints, resume, divergence).

Events (plain dicts):

- ``metrics`` ``scope`` ``step``: mean loss per example (nats) over the steps since the last one, and
  the learning rate of the step; ``scope`` ``epoch``: the epoch's mean training loss (no test part).
- ``embedding_projection`` at step 0 (``epoch`` 0), every ``probe_every`` steps (or on the time budget
  of ``nnplay.train.cadence``), when the run pauses, after every single step and at the end: the
  ``projection_words``
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
in checkpoints. A live ``max_steps_per_s`` paces the run as it does layer networks. Live ``grad_clip``
does not apply: word2vec does not clip (the service refuses it).

``checkpoint(state)`` is called at every probe but step 0's, at the end of every epoch and on stop (the REST
neighbour and analogy queries read the latest one, with its ``words``: the vocabulary, id order);
``resume=state`` continues from it exactly.
"""

import math
from collections.abc import Callable
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
from nnplay.train.engine import STEP_POINTS_PER_EPOCH, Position, TrainResult, TrainTask, train_with
from nnplay.train.loop import _INIT_LOCK
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


class LinearDecay:
    """word2vec.c's learning-rate schedule: step at ``progress`` (the share of the run's steps done
    before it, in [0, 1]) uses ``base * max(1e-4, 1 - progress)``, from ``lr`` down to ``lr * 1e-4``
    (``LR_FLOOR``). A live lr rebases it (``rebase``): the decay goes on from the new rate."""

    def __init__(self, base: float):
        self.base = base  # lr per example at progress 0

    def lr(self, progress: float) -> float:
        """The rate of the step at ``progress``."""
        return self.base * max(LR_FLOOR, 1.0 - progress)

    def rebase(self, lr: float, progress: float) -> None:
        """Make the step at ``progress`` use ``lr``: the base becomes ``lr / max(1e-4, 1 - progress)``."""
        self.base = lr / max(LR_FLOOR, 1.0 - progress)


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


class Word2VecTask(TrainTask):
    """A word2vec model on a word corpus, for ``nnplay.train.engine.run``; see the module docstring.

    Batches: the epoch's shuffled examples (``epoch_examples``) in slices of ``batch_size``. A step:
    ``sgd_row_step`` (plain sgd with negative sampling: in place on the rows, no optimizer pass) or
    ``gradient_step`` and the optimizer's step; its lr from ``LinearDecay`` at the step's progress.
    ``Position.sums``: ``[loss_sum, examples]`` of the epoch, then the step window. Checkpoints hold
    the model and optimizer state dicts, the position, the noise generator's state, the decay's base
    (``lr_base``), the vocabulary (``words``, id order: the REST queries read it), the last projection
    (``projection``, empty before the first) and the live settings."""

    first_probe_epoch = 0  # the step-0 projection is that of epoch 0 (nothing trained yet)
    checkpoint_probes = True  # the REST neighbour and analogy queries read the latest vectors

    def __init__(self, spec: JobSpec, emit: Callable[[dict], None], dev: torch.device, data_dir=None):
        super().__init__(spec, emit)
        w, t = spec.network, self.training
        self.dev = dev
        self.vocab, self.ids = corpus_vocab(spec.dataset.name, w.min_count, data_dir)
        self.keep = keep_probabilities(self.vocab.counts, w.subsample)
        self.sampler = NoiseSampler(noise_distribution(self.vocab.counts))
        self.model = build_word2vec(spec, len(self.vocab), dev)
        self.opt = make_optimizer(self.model.parameters(), t)
        self.neg_gen = torch.Generator()
        self.sparse = takes_sparse_grads(t)
        self.n_negatives = w.n_negatives  # noise words per example (0: full softmax)
        self.direct = self.sparse and w.n_negatives > 0  # plain SGD applied to the rows in place
        self.decay = LinearDecay(t.lr)
        self.probe = ProjectionProbe(self.vocab, w.projection_words)
        self.inputs = self.targets = torch.empty(0)  # the epoch's examples
        self.size, self.n_batches, self.rate = 1, 1, t.lr  # rate: the lr of the last step

    @classmethod
    def from_spec(cls, spec: JobSpec, emit: Callable[[dict], None], *, device: str = "cpu", data_dir=None,
                  **_ignored) -> "Word2VecTask":
        """The corpus (built-in, or uploaded under ``data_dir``) and the seeded model on ``device``."""
        return cls(spec, emit, torch.device(device), data_dir)

    def epoch_sums(self) -> list:
        return [0.0, 0]

    def progress(self, pos: Position) -> float:
        """The share of the run's steps done at ``pos`` (in the epoch prepared by ``begin_epoch``)."""
        return (pos.epoch - 1 + pos.batch_index / self.n_batches) / self.epochs

    def begin_epoch(self, pos: Position) -> tuple[int, int]:
        t = self.training
        self.inputs, self.targets = epoch_examples(self.spec, self.ids, self.keep, pos.epoch)
        if pos.batch_index == 0:
            self.neg_gen.manual_seed(t.seed * SEED_STRIDE + pos.epoch + SEED_STRIDE // 2)
        n = len(self.targets)
        self.size = n if t.batch_size == "full" else min(t.batch_size, n)
        self.n_batches = math.ceil(n / self.size)
        self.rate = self.decay.lr(self.progress(pos))  # the epoch's lr if no step of it is left
        return self.n_batches, max(1, math.ceil(self.n_batches / STEP_POINTS_PER_EPOCH))

    def step(self, pos: Position, report: bool) -> float:
        lo = pos.batch_index * self.size
        xb, yb = self.inputs[lo:lo + self.size], self.targets[lo:lo + self.size]
        lr = self.rate = self.decay.lr((pos.epoch - 1 + pos.batch_index / self.n_batches) / self.epochs)  # progress
        for group in self.opt.param_groups:
            group["lr"] = lr
        k = self.n_negatives
        noise = self.sampler.negatives(len(yb), k, self.neg_gen).to(self.dev) if k else None
        if self.direct:  # plain SGD applied to the rows in place (see sgd_row_step)
            value = sgd_row_step(self.model, xb.to(self.dev), yb.to(self.dev), noise, lr)
        else:
            self.opt.zero_grad(set_to_none=True)
            value = gradient_step(self.model, xb.to(self.dev), yb.to(self.dev), noise, self.sparse)
            if math.isfinite(value):
                self.opt.step()
        sums = pos.sums
        sums[0] += value * len(yb)
        sums[1] += len(yb)
        return value

    def lr(self) -> float:
        return self.rate

    def end_epoch(self, pos: Position) -> tuple[dict, dict, bool]:
        """The epoch's mean training loss per example (there is no test part)."""
        loss = finite_or_none(pos.sums[0] / max(1, pos.sums[1]))
        return {"lr": self.rate, "train_loss": loss}, {"train_loss": loss, "epochs_done": pos.epoch, "steps": pos.step}, True

    def probe_events(self, step: int, epoch: int) -> list[dict]:
        return [self.probe.event(self.model, step, epoch)]

    def apply_live(self, values: dict, pos: Position) -> dict:
        """``lr`` rebases the decay at this step's progress; ``max_steps_per_s`` is the loop's; other
        settings do not apply (word2vec does not clip)."""
        if "lr" in values:
            self.decay.rebase(values["lr"], self.progress(pos))
        return {k: v for k, v in values.items() if k in ("lr", "max_steps_per_s")}

    def state(self, pos: Position, final: dict) -> dict:
        previous = self.probe.previous
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(), "epoch": pos.epoch,
                "batch_index": pos.batch_index, "step": pos.step, "sums": list(pos.sums),
                "neg_gen": self.neg_gen.get_state(), "final": dict(final), "lr_base": self.decay.base,
                "words": list(self.vocab.words), "live": dict(self.live),
                "projection": previous if previous is not None else torch.empty(0)}

    def restore(self, state: dict) -> tuple[Position, dict]:
        """SpecError at ``dataset.name`` when the corpus's vocabulary changed since the checkpoint."""
        _check_same_words(state, self.vocab, self.spec.dataset.name)
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.neg_gen.set_state(state["neg_gen"])
        self.decay.base = float(state.get("lr_base", self.training.lr))
        self.probe.previous = state["projection"] if state["projection"].numel() else None
        self.live = dict(state.get("live") or {})
        return Position(state["epoch"], state["batch_index"], state["step"], list(state["sums"])), state["final"]


def train_word2vec(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
                   **options) -> TrainResult:
    """Train a word2vec spec to the end or a stop request; see the module docstring for the events.

    Options as ``nnplay.train.loop.train``'s: ``control`` (pause, single step, stop, live ``lr`` and
    ``max_steps_per_s``) is honoured between steps; ``data_dir`` holds uploaded corpora; ``probe_fps``
    and ``probe_share`` the probe cadence's time budget when the spec gives no ``probe_every``
    (``nnplay.train.cadence``; a projection frame also checkpoints). The layer probes' limits do not
    apply."""
    return train_with(Word2VecTask, spec, emit, should_stop, **options)
