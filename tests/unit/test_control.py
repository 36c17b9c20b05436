"""RunControl and the loop: pause without spinning, single steps, live lr, schedules across a resume,
the likelihood and prior terms."""

import math
import threading
import time

import pytest
import torch

from nnplay.spec import JobSpec
from nnplay.spec.training import LiveSettings
from nnplay.train import train
from nnplay.train.control import RunControl
from nnplay.train.optim import penalties

XOR = {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 0}
MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def spec(**training) -> JobSpec:
    return JobSpec.model_validate({"dataset": XOR, "network": {"layers": MLP},
                                   "training": {"optimizer": "sgd", "lr": 0.1, "epochs": 4, "batch_size": 16,
                                                **training}})


def step_metrics(events):
    return [e for e in events if e["type"] == "metrics" and e["scope"] == "step"]


def thread_cpu_seconds(thread: threading.Thread) -> float:
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def test_a_paused_gate_waits_without_spinning_and_stop_releases_it():
    control = RunControl(paused=True)
    outcome = []
    waiting = threading.Event()
    control.on_wait = lambda _step: waiting.set()
    worker = threading.Thread(target=lambda: outcome.append(control.gate(7)))
    worker.start()
    assert waiting.wait(5) and control.waiting_at == 7
    cpu = thread_cpu_seconds(worker)
    time.sleep(0.4)
    assert thread_cpu_seconds(worker) - cpu < 0.02  # blocked on a condition, not polling
    control.stop()
    worker.join(5)
    assert outcome == ["stop"] and control.waiting_at is None


def test_a_granted_step_passes_the_gate_once_and_resume_announces_once():
    calls = []
    control = RunControl(paused=True, on_pause=lambda s: calls.append(("pause", s)),
                         on_resume=lambda s: calls.append(("resume", s)))
    control.grant_step()
    assert control.gate(3) == "step"
    control.grant_step()
    assert control.gate(4) == "step"
    control.resume()
    assert control.gate(5) == "run"
    assert calls == [("pause", 3), ("resume", 5)]  # single steps do not flap the status


def run_in_thread(job: JobSpec, control: RunControl, **kw):
    events, result = [], []
    worker = threading.Thread(target=lambda: result.append(train(job, events.append, control=control, **kw)))
    worker.start()
    return worker, events, result


def test_loop_pauses_steps_once_with_full_report_and_resumes():
    waits = []
    control = RunControl(paused=True)
    control.on_wait = lambda step: waits.append(step)
    worker, events, result = run_in_thread(spec(epochs=2), control)
    deadline = time.monotonic() + 30
    while not waits and time.monotonic() < deadline:
        time.sleep(0.01)
    assert control.waiting_at == 0 and not step_metrics(events)
    control.change(LiveSettings(lr=0.25))
    control.grant_step()
    while control.waiting_at != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(e["step"], e["lr"]) for e in step_metrics(events)] == [(1, 0.25)]
    assert [(e["type"], e["step"]) for e in events if e["type"] in ("gradients", "decision_boundary")] == [
        ("decision_boundary", 0), ("gradients", 1), ("decision_boundary", 1)]
    assert [e for e in events if e["type"] == "settings"] == [
        {"type": "settings", "step": 0, "epoch": 1, "changes": {"lr": 0.25}}]
    control.resume()
    worker.join(60)
    assert result[0].status == "completed"
    assert [e["step"] for e in step_metrics(events)] == list(range(1, 2 * 10 + 1))  # 160 train points / 16


def lrs(events, scope="epoch"):
    return [e["lr"] for e in events if e["type"] == "metrics" and e["scope"] == scope]


def test_step_and_cosine_schedules_follow_their_formulas():
    events = []
    train(spec(epochs=5, lr_schedule={"type": "step", "step_size": 2, "gamma": 0.5}), events.append)
    assert lrs(events) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    events = []
    train(spec(epochs=5, lr_schedule={"type": "cosine", "eta_min": 0.01}), events.append)
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * e / 5)) / 2 for e in range(5)]  # SGDR, no restart
    assert lrs(events) == pytest.approx(expected)
    third = lrs([e for e in events if e.get("epoch") == 3], "step")
    assert len(third) == 10 and third == pytest.approx([expected[2]] * 10)  # every step of epoch 3


def test_a_live_lr_change_rescales_the_rest_of_a_step_schedule():
    control = RunControl()
    events = []
    changed = []

    def emit(event):
        events.append(event)
        if event["type"] == "metrics" and event["scope"] == "epoch" and event["epoch"] == 1 and not changed:
            changed.append(1)
            control.change(LiveSettings(lr=1.0))
    train(spec(epochs=4, lr_schedule={"type": "step", "step_size": 2, "gamma": 0.5}), emit, control=control)
    assert lrs(events) == pytest.approx([0.1, 1.0, 0.5, 0.5])


def test_resume_keeps_the_schedule_and_the_live_lr():
    job = spec(epochs=6, lr_schedule={"type": "step", "step_size": 2, "gamma": 0.5})
    full = []
    train(job, full.append)
    saved, calls, first = [], [], []
    stopped = train(job, first.append, should_stop=lambda: len(calls.append(1) or calls) >= 35,
                    checkpoint=saved.append)
    assert stopped.status == "stopped" and saved[-1]["step"] == 35
    rest = []
    train(job, rest.append, resume=saved[-1])
    assert lrs(first + rest, "step") == lrs(full, "step")
    assert [e["train_loss"] for e in step_metrics(first + rest)] == [e["train_loss"] for e in step_metrics(full)]


def test_penalties_are_the_gaussian_and_laplace_prior_terms():
    w = [torch.tensor([[1.0, -2.0]]), torch.tensor([3.0])]
    l2, l1 = penalties(w, spec(weight_decay=0.1, l1=0.01).training)
    assert l2 == pytest.approx(0.1 / 2 * (1 + 4 + 9))
    assert l1 == pytest.approx(0.01 * (1 + 2 + 3))
    assert penalties(w, spec().training) == (0.0, 0.0)  # maximum likelihood: no prior term


def test_l1_is_added_to_the_loss_and_streamed_beside_the_data_term():
    events = []
    train(spec(epochs=1, l1=0.05, weight_decay=0.02), events.append)
    first = step_metrics(events)[0]
    assert first["l1_penalty"] > 0 and first["l2_penalty"] > 0
    plain = []
    train(spec(epochs=1), plain.append)
    assert step_metrics(plain)[0]["train_loss"] == pytest.approx(first["train_loss"])  # same data term, step 1
    assert step_metrics(plain)[-1]["train_loss"] != pytest.approx(step_metrics(events)[-1]["train_loss"])


def test_slow_motion_paces_the_steps_and_a_live_change_lifts_it():
    """max_steps_per_s: each step waits until 1/rate s after it began (a lower bound on the run's time,
    whatever the load); set live to a high rate, the rest of the run goes at full speed."""
    started = time.monotonic()
    result = train(spec(epochs=1, max_steps_per_s=40), lambda e: None)  # 10 steps at 40 a second
    assert result.status == "completed" and time.monotonic() - started >= 10 / 40 - 0.01

    control = RunControl()
    worker, events, result = run_in_thread(spec(max_steps_per_s=0.5), control)  # 40 steps: 80 s as asked
    deadline = time.monotonic() + 30
    while not step_metrics(events) and time.monotonic() < deadline:
        time.sleep(0.01)
    control.change(LiveSettings(max_steps_per_s=10_000))  # ends the current wait at once
    worker.join(60)
    assert not worker.is_alive() and result[0].status == "completed"
    assert [e["changes"] for e in events if e["type"] == "settings"] == [{"max_steps_per_s": 10_000}]


def test_a_slow_motion_wait_blocks_without_spinning_and_stop_ends_it():
    control = RunControl()
    worker, events, result = run_in_thread(spec(max_steps_per_s=0.01), control)  # 100 s a step
    deadline = time.monotonic() + 30
    while not step_metrics(events) and time.monotonic() < deadline:
        time.sleep(0.01)
    cpu = thread_cpu_seconds(worker)
    time.sleep(0.4)
    assert thread_cpu_seconds(worker) - cpu < 0.05  # waiting on the condition, not polling
    control.stop()
    worker.join(30)
    assert not worker.is_alive() and result[0].status == "stopped"
    assert [e["step"] for e in step_metrics(events)] == [1]
