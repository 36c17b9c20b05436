"""The probe cadence (``nnplay.train.cadence``): a spec's ``probe_every`` as written; left out, a time
budget of ``probe_fps`` snapshots a second and ``probe_share`` of the wall time. A hand-driven clock is
the oracle: no real time is measured here."""

import pytest

from nnplay.spec.network import JobSpec
from nnplay.train import train
from nnplay.train.cadence import ProbeCadence
from tests.conftest import job_spec


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_explicit_probe_every_is_honoured_whatever_the_time():
    clock = Clock()
    cadence = ProbeCadence(7, fps=1e-3, share=1e-3, clock=clock)
    assert [s for s in range(1, 30) if cadence.due(s)] == [7, 14, 21, 28]
    clock.now = 1e9
    cadence.timed(lambda: setattr(clock, "now", clock.now + 100))  # an expensive snapshot changes nothing
    assert cadence.due(7) and not cadence.due(8)


def test_the_budget_waits_for_the_frame_interval_when_snapshots_are_cheap():
    clock = Clock()
    cadence = ProbeCadence(None, fps=10, share=0.05, clock=clock)
    cadence.timed(lambda: setattr(clock, "now", clock.now + 0.001))  # 1 ms: the 0.1 s frame interval rules
    clock.now = 0.001 + 0.0999
    assert not cadence.due(5)
    clock.now = 0.001 + 0.1
    assert cadence.due(6)


def test_the_budget_keeps_probes_to_their_share_when_snapshots_are_costly():
    """A snapshot of 0.2 s at share 0.05 waits 0.2 * 0.95 / 0.05 = 3.8 s of training; then over many
    cycles probe time / wall time is 0.05 (within one 10 ms step a cycle)."""
    clock = Clock()
    cadence = ProbeCadence(None, fps=10, share=0.05, clock=clock)
    probe_time, step = 0.0, 0
    for _ in range(50):
        cadence.timed(lambda: setattr(clock, "now", clock.now + 0.2))
        probe_time += 0.2
        while not cadence.due(step := step + 1):
            clock.now += 0.01  # a training step of 10 ms
    assert probe_time / clock.now == pytest.approx(0.05, rel=0.01)


def test_the_budget_counts_the_snapshots_so_far_against_the_time_since_the_start():
    """A costly first snapshot (1 s, the model's first forward pass and lazy inits) holds the next one
    until the snapshots so far are within the share of the whole run: 1 s / 0.05 = 20 s, not 1 s * 19."""
    clock = Clock()
    cadence = ProbeCadence(None, fps=10, share=0.05, clock=clock)
    cadence.timed(lambda: setattr(clock, "now", clock.now + 1.0))
    clock.now = 19.99
    assert not cadence.due(1)
    clock.now = 20.0
    assert cadence.due(2)


def test_a_bad_budget_is_refused():
    with pytest.raises(ValueError, match="probe_fps"):
        ProbeCadence(None, fps=0, share=0.05)
    with pytest.raises(ValueError, match="probe_share"):
        ProbeCadence(None, fps=10, share=0)


def test_a_run_on_the_budget_probes_first_and_last_and_trains_as_with_steps():
    """Probes never touch the training state: the losses of a run on the budget equal those of the
    same spec probed every step, and its snapshots include step 0 and the last step."""
    spec = JobSpec.model_validate(job_spec(epochs=2))
    assert spec.training.probe_every is None
    every = spec.model_copy(deep=True)
    every.training.probe_every = 1
    runs = []
    for s in (spec, every):
        events = []
        train(s, events.append, probe_fps=1000, probe_share=0.5)
        runs.append(events)
    losses = [[e["train_loss"] for e in run if e["type"] == "metrics"] for run in runs]
    assert losses[0] == losses[1]
    probed = sorted({e["step"] for e in runs[0] if e["type"] == "feature_maps"})
    last = max(e["step"] for e in runs[0] if e["type"] == "metrics")
    assert probed[0] == 0 and probed[-1] == last
    assert len({e["step"] for e in runs[1] if e["type"] == "feature_maps"}) == last + 1
