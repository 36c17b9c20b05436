"""Active learning: the training loop of a job with ``training.active`` (``nnplay.spec.active``).

Pool-based uncertainty sampling (Lewis & Gale 1994; Settles, "Active Learning Literature Survey", 2009,
section 3.1). The training part of the data set is the pool ``(N, ...)``; its labels are read only for the
labelled indices. Round ``r`` (0-based, ``rounds + 1`` of them) trains ``steps_per_round`` optimizer steps
on the labelled points only, each on a fresh random batch of them, evaluates on the test part, then (except
after the last round) scores every pool point with the model and labels the ``query_size`` best-scoring
unlabelled ones (never a labelled one), which join the pool for round ``r + 1``. The weights carry over.

Events, as ``nnplay.train.loop.train`` (``data_info``, the probes' ``data_points`` / ``decision_boundary``,
step ``metrics``, ``gradients``, ``settings``) with ``epoch = r + 1``, and at the end of every round an
epoch ``metrics`` event (train figures over the labelled points, test figures over the test part) followed
by ``{"type": "active_round", "step", "epoch", "round", "strategy", "n_labels", "pool_size",
"test_accuracy", "test_loss", "train_accuracy", "labelled", "queried", "queried_scores", "score"}``:
``labelled`` the pool indices trained on this round (in the order they were labelled), ``queried`` the
indices chosen for the next round (empty after the last), ``queried_scores`` their uncertainty (the
strategy's score; a random query reports the points' entropy), ``score`` what that score is.

Seeds: the model's initial weights and the batches follow ``training.seed`` as in ``train``; the first
labelled points and the random queries come from their own generator seeded with ``training.seed``, so a
random run's labelled points do not depend on the network or ``steps_per_round``, and runs of the three
strategies with one seed start from the same labelled points and the same weights.

Checkpoints at the end of every round and when a stop request ends the run hold, besides the model and
optimizer, the position (round, steps done in it), both generators, torch's RNG and the labelled indices;
``resume`` continues with the same batches and step numbers.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from nnplay.data import Split, load
from nnplay.probes.arrays import finite_or_none
from nnplay.probes.gradients import GradNorms, trainable_layers
from nnplay.settings import get_settings
from nnplay.spec.active import ActiveSpec
from nnplay.spec.network import JobSpec
from nnplay.train.control import RunControl
from nnplay.train.loop import (EVAL_CHUNK, TrainResult, _gradients_event, data_info_event, evaluate,
                               clip_gradients, objective, seeded_model)
from nnplay.train.optim import apply_live, current_lr, l1_norm, make_optimizer, penalties, probabilities
from nnplay.train.cadence import probe_cadence
from nnplay.train.probing import Probe

SCORES = {"entropy": "entropy", "margin": "margin", "random": "entropy"}  # what queried_scores hold


def entropy_scores(probs: torch.Tensor) -> torch.Tensor:
    """Predictive entropy ``-sum_k p_k log p_k`` in nats of class probabilities ``(N, K)`` -> ``(N,)``,
    with ``0 log 0 = 0`` (``scipy.stats.entropy`` of each row)."""
    logs = torch.log(torch.where(probs > 0, probs, torch.ones_like(probs)))
    return -(probs * logs).sum(dim=1)


def margin_scores(probs: torch.Tensor) -> torch.Tensor:
    """``1 - (p_(1) - p_(2))`` of class probabilities ``(N, K)``, ``K >= 2`` -> ``(N,)`` in [0, 1]: the
    margin between the two most probable classes, turned so that the most uncertain point scores highest."""
    top = torch.topk(probs, 2, dim=1).values  # (N, 2)
    return 1.0 - (top[:, 0] - top[:, 1])


def uncertainty(probs: torch.Tensor, strategy: str) -> torch.Tensor:
    """The score ``(N,)`` a strategy ranks points by (``SCORES``: random reports the entropy)."""
    return margin_scores(probs) if SCORES[strategy] == "margin" else entropy_scores(probs)


def most_uncertain(scores: torch.Tensor, labelled: list[int], k: int) -> list[int]:
    """The ``k`` unlabelled indices with the highest ``scores`` ``(N,)``, best first; ties go to the lower
    index (a stable sort). Labelled indices are never chosen. Raises ValueError when fewer than ``k`` remain."""
    taken = torch.zeros(len(scores), dtype=torch.bool)
    taken[labelled] = True
    order = torch.sort(scores, descending=True, stable=True).indices
    free = order[~taken[order]]
    if len(free) < k:
        raise ValueError(f"{len(free)} unlabelled points left, {k} asked for")
    return free[:k].tolist()


def random_unlabelled(n: int, labelled: list[int], k: int, gen: torch.Generator) -> list[int]:
    """``k`` distinct unlabelled indices of ``range(n)``, uniformly at random with ``gen``."""
    free = torch.tensor(sorted(set(range(n)) - set(labelled)), dtype=torch.long)
    return free[torch.randperm(len(free), generator=gen)[:k]].tolist()


def initial_pool(y: torch.Tensor, n: int, gen: torch.Generator) -> list[int]:
    """``n`` distinct indices of the class ids ``y`` ``(N,)``, stratified: a random permutation (``gen``);
    the first point of each class in it (classes in the order they first appear, as many as ``n`` allows),
    then the rest of the permutation in order."""
    perm = torch.randperm(len(y), generator=gen).tolist()
    firsts, seen = [], set()
    for i in perm:
        if int(y[i]) not in seen:
            seen.add(int(y[i]))
            firsts.append(i)
    chosen = firsts[:n]
    rest = [i for i in perm if i not in set(chosen)]
    return chosen + rest[:n - len(chosen)]


@torch.no_grad()
def pool_probabilities(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(N, K)`` of the pool ``x`` ``(N, ...)``, eval mode, in chunks."""
    was_training = model.training
    model.eval()
    out = torch.cat([probabilities(model(x[s:s + EVAL_CHUNK])) for s in range(0, len(x), EVAL_CHUNK)])
    model.train(was_training)
    return out


def choose(model: torch.nn.Module, x_pool: torch.Tensor, labelled: list[int], a: ActiveSpec,
           gen: torch.Generator) -> tuple[list[int], list[float]]:
    """The next ``a.query_size`` pool indices to label and their scores (``SCORES``)."""
    scores = uncertainty(pool_probabilities(model, x_pool), a.strategy).cpu()  # (N,)
    if a.strategy == "random":
        picked = random_unlabelled(len(x_pool), labelled, a.query_size, gen)
    else:
        picked = most_uncertain(scores, labelled, a.query_size)
    return picked, [float(scores[i]) for i in picked]


@dataclass
class _Position:
    """Where the loop is: ``batch_index`` batches of ``epoch`` (1-based) done, ``step`` steps in all,
    with the running sums of the epoch and of the current step-metrics window."""

    epoch: int = 1
    batch_index: int = 0
    step: int = 0
    sums: list = field(default_factory=lambda: [0.0, 0, 0, 0.0, 0])  # ep_loss, ep_correct, ep_n, win_loss, win_n
    clipped: int = 0  # steps whose gradient grad_clip scaled down


def _state(model, opt, pos: _Position, gen, qgen, labelled, final, live) -> dict:
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": pos.epoch,
            "batch_index": pos.batch_index, "step": pos.step, "sums": list(pos.sums), "gen_state": gen.get_state(),
            "query_gen_state": qgen.get_state(), "torch_rng": torch.get_rng_state(), "labelled": list(labelled),
            "final": dict(final), "live": dict(live), "clipped": pos.clipped, "scheduler": None}


def _restore(state: dict, model, opt, gen, qgen) -> tuple[_Position, list[int], dict, dict]:
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    gen.set_state(state["gen_state"])
    qgen.set_state(state["query_gen_state"])
    torch.set_rng_state(state["torch_rng"])
    pos = _Position(state["epoch"], state["batch_index"], state["step"], list(state["sums"]), state.get("clipped", 0))
    return pos, [int(i) for i in state["labelled"]], state["final"], dict(state.get("live") or {})


def round_event(pos: _Position, a: ActiveSpec, labelled: list[int], queried: list[int], scores: list[float],
                figures: dict, pool_size: int) -> dict:
    """The ``active_round`` event of round ``pos.epoch - 1``."""
    return {"type": "active_round", "step": pos.step, "epoch": pos.epoch, "round": pos.epoch - 1,
            "strategy": a.strategy, "n_labels": len(labelled), "pool_size": pool_size,
            "test_accuracy": figures["test_accuracy"], "test_loss": figures["test_loss"],
            "train_accuracy": figures["train_accuracy"], "labelled": list(labelled), "queried": queried,
            "queried_scores": [finite_or_none(s) for s in scores], "score": SCORES[a.strategy]}


def train_active(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
                 *, split: Split | None = None, device: str = "cpu", max_channels: int = 16,
                 checkpoint: Callable[[dict], None] | None = None, resume: dict | None = None,
                 data_dir: str | None = None, control: RunControl | None = None, max_units: int = 16,
                 unit_resolution: int = 32, max_message_kb: float | None = None, probe_fps: float | None = None,
                 probe_share: float | None = None) -> TrainResult:
    """Run the active-learning job ``spec`` (``spec.training.active`` set) to the end, a stop request or
    divergence; arguments as ``nnplay.train.loop.train``, events in the module docstring. A classification
    set whose training part holds at least ``active.final_labels`` points is assumed (``check_job``)."""
    started = time.perf_counter()
    dev = torch.device(device)
    split = split or load(spec.dataset, data_dir)
    t, a = spec.training, spec.training.active
    control = control or RunControl()
    x_pool, y_pool = split.x_train.to(dev), split.y_train.to(dev)
    x_te, y_te = split.x_test.to(dev), split.y_test.to(dev)
    model = seeded_model(spec, split.info.input_shape, dev)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(model.parameters(), t)
    gen, qgen = torch.Generator().manual_seed(t.seed), torch.Generator().manual_seed(t.seed)
    limit_kb = get_settings().max_message_kb if max_message_kb is None else max_message_kb
    probe = Probe(spec, split, max_channels, dev, max_units, unit_resolution, limit_kb)
    cadence = probe_cadence(t.probe_every, probe_fps, probe_share)
    watched = trainable_layers(model)
    layer_types = [spec.network.layers[i].type for i in watched]
    grad_norms = GradNorms(model, watched, params)
    if resume:
        pos, labelled, final, live = _restore(resume, model, opt, gen, qgen)
    else:
        pos, final, live = _Position(), {}, {}
        labelled = initial_pool(split.y_train, a.initial_labels, qgen)
    status, reason = "completed", None
    last_probe = -1 if resume else 0
    log_every = max(1, a.steps_per_round // 50)

    def step_metrics() -> None:
        l2, l1 = penalties(params, t)
        emit({"type": "metrics", "scope": "step", "step": pos.step, "epoch": pos.epoch,
              "train_loss": pos.sums[3] / pos.sums[4], "lr": current_lr(opt), "l2_penalty": l2, "l1_penalty": l1})
        pos.sums[3], pos.sums[4] = 0.0, 0

    def probes() -> None:
        nonlocal last_probe
        cadence.timed(lambda: [emit(ev) for ev in probe.events(model, pos.step, pos.epoch)])
        last_probe = pos.step

    def before_pause() -> None:
        if pos.sums[4]:
            step_metrics()
        if last_probe != pos.step:
            probes()

    def apply_changes() -> None:
        for change in control.take_changes():
            values = change.changes()
            apply_live(values, opt, None)
            live.update(values)
            emit({"type": "settings", "step": pos.step, "epoch": pos.epoch, "changes": values})

    for ev in ([data_info_event(split, spec)] + probe.start_events() + probe.events(model, 0, 0)) if resume is None else []:
        emit(ev)
    while pos.epoch <= a.rounds + 1:
        pool = torch.tensor(labelled, dtype=torch.long, device=dev)  # (n_labels,) pool indices
        batch = len(pool) if t.batch_size == "full" else min(t.batch_size, len(pool))
        while pos.batch_index < a.steps_per_round:
            gate = control.gate(pos.step, apply_changes, before_pause)
            if gate == "stop":
                status = "stopped"
                break
            apply_changes()
            single = gate == "step"
            idx = pool[torch.randperm(len(pool), generator=gen)[:batch].to(dev)]  # (batch,) pool indices
            xb, yb = x_pool[idx], y_pool[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = objective(t.loss, False, logits, xb, yb)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                emit({"type": "metrics", "scope": "step", "step": pos.step + 1, "epoch": pos.epoch,
                      "train_loss": None, "lr": current_lr(opt)})
                status = "diverged"
                break
            (loss + t.l1 * l1_norm(params) if t.l1 else loss).backward()
            logging = single or (pos.step + 1) % log_every == 0
            norms, total = grad_norms.measure(logging)  # before clipping
            clip = live.get("grad_clip", t.grad_clip)
            if not math.isfinite(total):
                status, reason = "diverged", f"the gradient norm became non-finite ({total}) at step {pos.step + 1}"
                break
            clip_gradients(params, clip, total)
            pos.clipped += clip is not None and total > clip
            if logging:
                emit(_gradients_event(pos.step + 1, pos.epoch, pos.clipped, watched, layer_types, norms, clip))
            opt.step()
            pos.step += 1
            pos.batch_index += 1
            pos.sums[3] += loss_value
            pos.sums[4] += 1
            if single or pos.step % log_every == 0:
                step_metrics()
            if single or cadence.due(pos.step):
                probes()
            if should_stop() or control.stopped:
                status = "stopped"
                break
        if status == "diverged":
            break
        if status == "stopped" and pos.batch_index < a.steps_per_round:
            if checkpoint:
                checkpoint(_state(model, opt, pos, gen, qgen, labelled, final, live))
            break
        figures = round_figures(model, t.loss, x_pool[pool], y_pool[pool], x_te, y_te)
        final = {**figures, "epochs_done": pos.epoch, "steps": pos.step, "n_labels": len(labelled)}
        l2, l1 = penalties(params, t)
        emit({"type": "metrics", "scope": "epoch", "step": pos.step, "epoch": pos.epoch, "lr": current_lr(opt),
              "l2_penalty": l2, "l1_penalty": l1, **figures})
        if final["test_loss"] is None:
            status = "diverged"
            break
        last = pos.epoch == a.rounds + 1
        queried, scores = ([], []) if last else choose(model, x_pool, labelled, a, qgen)
        emit(round_event(pos, a, labelled, queried, scores, figures, len(x_pool)))
        if last_probe != pos.step:
            probes()  # the boundary that made this round's queries
        labelled = labelled + queried
        pos = _Position(pos.epoch + 1, 0, pos.step, [0.0, 0, 0, pos.sums[3], pos.sums[4]], pos.clipped)
        if checkpoint:
            checkpoint(_state(model, opt, pos, gen, qgen, labelled, final, live))
        if status != "completed":
            break
    return TrainResult(status, final, model, time.perf_counter() - started, reason, cadence.seconds, cadence.snapshots)


def round_figures(model: torch.nn.Module, loss_name: str, x_lab: torch.Tensor, y_lab: torch.Tensor,
                  x_te: torch.Tensor, y_te: torch.Tensor) -> dict:
    """Loss (nats) and accuracy of ``model`` on the labelled points and on the test part, eval mode."""
    train_loss, train_acc = evaluate(model, loss_name, x_lab, y_lab)
    test_loss, test_acc = evaluate(model, loss_name, x_te, y_te)
    return {"train_loss": finite_or_none(train_loss), "train_accuracy": train_acc,
            "test_loss": finite_or_none(test_loss), "test_accuracy": test_acc}
