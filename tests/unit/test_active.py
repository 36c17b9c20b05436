"""Active learning (nnplay.train.active): the uncertainty scores against scipy.stats.entropy and a hand
computation, the query as the argmax over unlabelled points only, the pool growing by query_size a round,
seeded reproducibility, each round's test accuracy against sklearn's accuracy_score on the model rebuilt
from that round's checkpoint, and stop/resume. No claim about which strategy learns faster."""

import copy

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.metrics import accuracy_score

from nnplay.data import load
from nnplay.nn import build_network
from nnplay.spec.network import JobSpec
from nnplay.train import train
from nnplay.train.active import (entropy_scores, initial_pool, margin_scores, most_uncertain, pool_probabilities,
                                 random_unlabelled)
from nnplay.train.control import RunControl
from nnplay.train.optim import probabilities

pytestmark = pytest.mark.usefixtures("one_torch_thread")

MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]
SPIRAL3 = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 3}]


def spec(strategy="entropy", dataset=None, layers=MLP, seed=0, **active) -> JobSpec:
    act = {"strategy": strategy, "initial_labels": 4, "query_size": 3, "rounds": 4, "steps_per_round": 15, **active}
    return JobSpec.model_validate({
        "dataset": dataset or {"name": "xor", "n_samples": 120, "seed": 1},
        "network": {"layers": layers},
        "training": {"optimizer": "adam", "lr": 0.05, "batch_size": 8, "seed": seed, "probe_every": 1000,
                     "active": act}})


def run(s: JobSpec, **options) -> tuple[list[dict], list[dict], object]:
    events, checkpoints = [], []  # a state holds the live tensors: copied as the worker's torch.save does
    result = train(s, events.append, checkpoint=lambda state: checkpoints.append(copy.deepcopy(state)), **options)
    return events, checkpoints, result


def rounds_of(events):
    return [e for e in events if e["type"] == "active_round"]


PROBS = torch.tensor([[0.5, 0.5, 0.0], [0.7, 0.2, 0.1], [1.0, 0.0, 0.0], [0.4, 0.35, 0.25]], dtype=torch.float64)


def test_entropy_scores_equal_scipy_entropy_in_nats():
    expected = [stats.entropy(row) for row in PROBS.numpy()]
    assert entropy_scores(PROBS).tolist() == pytest.approx(expected, abs=1e-12)
    assert entropy_scores(PROBS)[2] == 0.0  # 0 log 0 = 0


def test_margin_scores_by_hand():
    # 1 - (p_(1) - p_(2)): [1 - 0, 1 - 0.5, 1 - 1, 1 - 0.05]
    assert margin_scores(PROBS).tolist() == pytest.approx([1.0, 0.5, 0.0, 0.95], abs=1e-12)


def test_the_query_is_the_argmax_among_unlabelled_points_only():
    scores = torch.tensor([0.9, 0.1, 0.8, 0.3, 0.8, 0.95])
    assert most_uncertain(scores, labelled=[5, 0], k=1) == [2]  # 5 and 0 score higher but are labelled
    assert most_uncertain(scores, labelled=[5, 0], k=3) == [2, 4, 3]  # ties: the lower index first
    with pytest.raises(ValueError):
        most_uncertain(scores, labelled=[0, 1, 2, 3, 4], k=2)


def test_random_queries_are_unlabelled_distinct_and_seeded():
    labelled = [0, 3, 7]
    a = random_unlabelled(20, labelled, 5, torch.Generator().manual_seed(4))
    assert a == random_unlabelled(20, labelled, 5, torch.Generator().manual_seed(4))
    assert len(set(a)) == 5 and not set(a) & set(labelled) and all(0 <= i < 20 for i in a)


def test_initial_pool_has_every_class_when_it_can():
    y = torch.tensor([0] * 50 + [1] * 3 + [2] * 2)
    for seed in range(10):
        pool = initial_pool(y, 3, torch.Generator().manual_seed(seed))
        assert sorted(int(y[i]) for i in pool) == [0, 1, 2]
        bigger = initial_pool(y, 8, torch.Generator().manual_seed(seed))
        assert len(set(bigger)) == 8 and bigger[:3] == pool
    assert len(initial_pool(y, 2, torch.Generator().manual_seed(0))) == 2


def test_the_pool_grows_by_query_size_and_never_requeries_a_labelled_point():
    events, _, result = run(spec("margin"))
    rounds = rounds_of(events)
    assert [r["round"] for r in rounds] == [0, 1, 2, 3, 4]
    assert [r["n_labels"] for r in rounds] == [4, 7, 10, 13, 16] == [len(r["labelled"]) for r in rounds]
    for before, after in zip(rounds, rounds[1:]):
        assert len(before["queried"]) == 3 and not set(before["queried"]) & set(before["labelled"])
        assert after["labelled"] == before["labelled"] + before["queried"]
    assert rounds[-1]["queried"] == [] and result.status == "completed" and result.final["n_labels"] == 16
    steps = [e["step"] for e in events if e["type"] == "metrics" and e["scope"] == "epoch"]
    assert steps == [15, 30, 45, 60, 75]


@pytest.mark.parametrize("strategy", ["entropy", "margin"])
def test_each_round_scores_and_queries_as_the_checkpointed_model_says(strategy):
    s = spec(strategy, dataset={"name": "spiral", "n_samples": 150, "seed": 2}, layers=SPIRAL3)
    events, checkpoints, _ = run(s)
    split = load(s.dataset)
    for r, state in zip(rounds_of(events), checkpoints):  # a checkpoint at the end of every round
        model = build_network(s.network, split.info.input_shape)
        model.load_state_dict(state["model"])
        model.eval()
        with torch.no_grad():
            p = probabilities(model(split.x_test)).numpy()
        assert r["test_accuracy"] == pytest.approx(accuracy_score(split.y_test.numpy(), p.argmax(1)), abs=1e-12)
        if not r["queried"]:
            continue
        pool = pool_probabilities(model, split.x_train).double().numpy()
        score = (stats.entropy(pool, axis=1) if strategy == "entropy"
                 else 1 - np.diff(np.sort(pool, axis=1)[:, -2:], axis=1)[:, 0] * 1.0)
        score[r["labelled"]] = -np.inf
        assert r["queried"][0] == int(np.argmax(score))
        assert r["queried_scores"][0] == pytest.approx(score.max(), abs=1e-5)
        assert state["labelled"] == r["labelled"] + r["queried"]


def test_random_strategy_is_reproducible_and_independent_of_the_network():
    a, _, _ = run(spec("random", seed=7))
    b, _, _ = run(spec("random", seed=7))
    c, _, _ = run(spec("random", seed=7, steps_per_round=3))
    d, _, _ = run(spec("random", seed=8))
    labelled = lambda ev: [r["labelled"] for r in rounds_of(ev)]  # noqa: E731
    assert rounds_of(a) == rounds_of(b)
    assert labelled(a) == labelled(c) and labelled(a) != labelled(d)


def test_strategies_on_one_seed_share_the_first_round():
    firsts = [rounds_of(run(spec(s, seed=3))[0])[0] for s in ("entropy", "margin", "random")]
    assert len({tuple(f["labelled"]) for f in firsts}) == 1
    assert len({f["test_accuracy"] for f in firsts}) == 1


def test_stop_and_resume_continue_without_a_gap_or_repeat():
    s = spec("entropy")
    whole, _, _ = run(s)
    control = RunControl()
    first = []
    stopped = {"at": 0}

    def emit(ev):
        first.append(ev)
        if ev["type"] == "metrics" and ev["scope"] == "step" and ev["step"] >= 22 and not stopped["at"]:
            stopped["at"] = ev["step"]
            control.stop()

    checkpoints = []
    result = train(s, emit, checkpoint=checkpoints.append, control=control)
    assert result.status == "stopped" and checkpoints[-1]["step"] == stopped["at"]
    rest, _, done = run(s, resume=checkpoints[-1])
    assert done.status == "completed"
    both = rounds_of(first) + rounds_of(rest)
    assert [r["round"] for r in both] == [0, 1, 2, 3, 4]
    assert [r["labelled"] for r in both] == [r["labelled"] for r in rounds_of(whole)]
    steps = [e["step"] for e in first + rest if e["type"] == "metrics" and e["scope"] == "step"]
    assert steps == sorted(set(steps)) and steps[-1] == 75


def test_the_message_size_estimate_bounds_the_real_active_rounds():
    from nnplay.probes.budget import active_round_bytes
    from nnplay.protocol import encode

    s = spec("entropy", initial_labels=20, query_size=5, rounds=6, steps_per_round=2)
    events, _, _ = run(s)
    largest = max(len(encode("0" * 32, 10**6, e).encode()) for e in rounds_of(events))
    assert largest <= active_round_bytes(s.training.active.final_labels, 5) <= 4 * largest
