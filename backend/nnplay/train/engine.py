"""The one training loop: control, cadence, metrics, checkpoints and resume, for every kind of job.

``run(task, emit, ...)`` drives a ``TrainTask``: what is trained (a layer network, word2vec, ...) is the
task's business; how a run goes is written once here:

- the ``RunControl`` gate before each step (pause, single step, stop) and live settings
  (``settings`` events; the task applies what concerns it, ``max_steps_per_s`` is the loop's own);
- slow motion: after a step, a wait until ``1 / max_steps_per_s`` seconds after it began (the spec's
  value, or a live one; not after a single step);
- step metrics: ``{"type": "metrics", "scope": "step", "step", "epoch", "train_loss", "lr", ...}``
  (the task's ``step_fields`` added), ``train_loss`` the mean of the step losses since the previous
  step event, one event every ``log_every`` steps (the task's per epoch) and one for every single step;
- the step's own visuals (``task.step(pos, report)``: a layer network's ``gradients``): with every
  single step and, among the steps whose metrics go out, with each one when the spec gives
  ``probe_every``, else at most ``GRADIENTS_PER_S`` a second of training (a run's first step event and
  its last step always). A LeNet step on digits takes ~1.4 ms and each step has its metrics: measuring
  and sending its per-layer gradient norms cost ~90 us a step, 6% of the run;
- probes (``task.probe_events``): at step 0 (a fresh run, after ``task.start_events()``), when the
  cadence (``nnplay.train.cadence``) says so, when the run pauses, after every single step and at the
  end (unless the run diverged); with ``task.checkpoint_probes`` each of them (but step 0's) also
  checkpoints;
- a pause first reports the step metrics of the steps since the last event, then the probes of the
  paused model (if not already taken at that step);
- epochs: ``task.begin_epoch`` (the epoch's batches), steps, then ``task.end_epoch`` (its figures, the
  ``scope`` ``epoch`` metrics event); ``checkpoint(task.state(...))`` at an epoch's end once the last
  checkpoint is ``CHECKPOINT_SECONDS`` old (the first epoch's end, and the last epoch's, always),
  and when a stop request ends the run, mid-epoch or at an epoch's end (a stop after an epoch's last
  step ends that epoch first). A run that dies loses at most about ``CHECKPOINT_SECONDS`` or one
  epoch of training, whichever is longer; short epochs do not pay a checkpoint each (a LeNet epoch on
  digits takes ~65 ms, its checkpoint ~1.3 ms);
- divergence: a non-finite step loss (reported as ``None``) or ``StepDiverged`` from the task (with
  its reason) ends the run ``diverged``; so does an epoch end the task finds non-finite.

``resume=state`` (a state given earlier to ``checkpoint``) continues from its position: the task
restores its model, optimizer, generators and sums, and the same batches follow with step numbers
continuing without a gap or repeat.

A new kind of job is a ``TrainTask`` subclass and an entry in ``nnplay.train.TASKS``; ``train_with``
builds one from a spec and runs it.
"""

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from torch import nn

from nnplay.probes.arrays import finite_or_none
from nnplay.spec.network import JobSpec
from nnplay.train.cadence import ProbeCadence, probe_cadence
from nnplay.train.control import RunControl

STEP_POINTS_PER_EPOCH = 50  # at most about this many step-metrics events an epoch
CHECKPOINT_SECONDS = 1.0  # an epoch's end checkpoints once the last checkpoint is this old
GRADIENTS_PER_S = 25.0  # at most this many steps a second report their visuals (without probe_every)


@dataclass
class TrainResult:
    """How a run ended: ``status`` is ``completed``, ``stopped`` or ``diverged``."""

    status: str
    final: dict = field(default_factory=dict)
    model: nn.Module | None = None
    seconds: float = 0.0
    reason: str | None = None  # why it diverged, when the loss alone does not say (a non-finite gradient)
    probe_seconds: float = 0.0  # of ``seconds``, spent taking probe snapshots (and checkpoints taken with them)
    probe_snapshots: int = 0


@dataclass
class Position:
    """Where a run is: ``batch_index`` batches of ``epoch`` (1-based) done, ``step`` steps in all.
    ``sums``: the task's running sums of the epoch (``task.epoch_sums()``) followed by the step-metrics
    window, ``[..., loss_sum, steps]``; the layout is the task's checkpoint format."""

    epoch: int = 1
    batch_index: int = 0
    step: int = 0
    sums: list = field(default_factory=list)


class StepDiverged(Exception):
    """Raised by ``TrainTask.step`` when a step cannot be taken although its loss is finite (an
    overflowing gradient): ``loss`` is reported as the step's ``train_loss``, ``reason`` as the run's."""

    def __init__(self, loss: float, reason: str):
        super().__init__(reason)
        self.loss, self.reason = loss, reason


class TrainTask(ABC):
    """What one kind of job trains; ``run`` drives it. Subclasses set ``model`` and implement the
    abstract methods; ``live`` holds the live settings changed so far (kept in checkpoints)."""

    first_probe_epoch = 1  # the ``epoch`` of the step-0 probe events
    checkpoint_probes = False  # every probe snapshot after step 0 also checkpoints

    def __init__(self, spec: JobSpec, emit: Callable[[dict], None]):
        self.spec, self.training, self.emit = spec, spec.training, emit
        self.epochs = spec.training.epochs
        self.live: dict = {}
        self.model: nn.Module | None = None

    @classmethod
    @abstractmethod
    def from_spec(cls, spec: JobSpec, emit: Callable[[dict], None], **options) -> "TrainTask":
        """The task of ``spec`` (its model built with the spec's seed, its data loaded); ``options``
        are the task's own keywords of ``nnplay.train.train`` (a task ignores those it has no use for)."""

    def start_events(self) -> list[dict]:
        """Events before the step-0 probe of a fresh run (not on resume)."""
        return []

    @abstractmethod
    def epoch_sums(self) -> list:
        """The zeroed running sums of an epoch (the head of ``Position.sums``)."""

    @abstractmethod
    def begin_epoch(self, pos: Position) -> tuple[int, int]:
        """Prepare ``pos.epoch``'s batches (the same after a resume); returns ``(batches, log_every)``:
        the epoch's number of steps and the steps between two step-metrics events."""

    @abstractmethod
    def step(self, pos: Position, report: bool) -> float:
        """Train batch ``pos.batch_index`` of the epoch (step ``pos.step + 1``); add to the epoch's sums
        in ``pos.sums``; return its mean loss. A non-finite loss means the step was not applied.
        ``report``: this step's metrics go out (a task may emit its own events of the step then).
        Raises ``StepDiverged`` when a finite loss cannot be stepped on.

        ``report``: the task emits the step's own visual events (gradient norms) with it; true on a
        single step and, among the steps whose metrics go out, on each one with an explicit
        ``probe_every``, else at most ``GRADIENTS_PER_S`` a second (see the module docstring)."""

    @abstractmethod
    def lr(self) -> float:
        """The learning rate of the last step (before any step: the next one's)."""

    def step_fields(self) -> dict:
        """Fields added to the step-metrics events (computed when one goes out)."""
        return {}

    @abstractmethod
    def end_epoch(self, pos: Position) -> tuple[dict, dict, bool]:
        """At the end of ``pos.epoch``: ``(fields, final, finite)``, the ``scope`` ``epoch`` event's
        figures (``lr`` included), the run's ``final`` figures so far, and whether they are finite
        (False ends the run ``diverged``)."""

    @abstractmethod
    def probe_events(self, step: int, epoch: int) -> list[dict]:
        """The probe events of the model now (eval mode, no grad; training state untouched)."""

    def apply_live(self, values: dict, pos: Position) -> dict:
        """Apply ``LiveSettings.changes()`` before step ``pos.step + 1``; returns the changes that
        apply to this task (reported in a ``settings`` event and added to ``live``)."""
        return values

    @abstractmethod
    def state(self, pos: Position, final: dict) -> dict:
        """A checkpoint at ``pos``: tensors, numbers and lists only (``torch.load(weights_only=True)``)."""

    @abstractmethod
    def restore(self, state: dict) -> tuple[Position, dict]:
        """Load a checkpoint (``live`` included); returns the position and the last epoch's ``final``."""


def train_with(task_type: type[TrainTask], spec: JobSpec, emit: Callable[[dict], None],
               should_stop: Callable[[], bool] = lambda: False, *, control: RunControl | None = None,
               checkpoint: Callable[[dict], None] | None = None, resume: dict | None = None,
               probe_fps: float | None = None, probe_share: float | None = None, **options) -> TrainResult:
    """Build ``task_type.from_spec(spec, emit, **options)`` and ``run`` it; ``probe_fps`` and
    ``probe_share`` (None: the settings) are the probe cadence's time budget when the spec gives no
    ``probe_every`` (``nnplay.train.cadence``)."""
    started = time.perf_counter()
    task = task_type.from_spec(spec, emit, **options)
    cadence = probe_cadence(spec.training.probe_every, probe_fps, probe_share)
    return run(task, emit, should_stop, cadence, control=control, checkpoint=checkpoint, resume=resume,
               started=started)


def run(task: TrainTask, emit: Callable[[dict], None], should_stop: Callable[[], bool], cadence: ProbeCadence, *,
        control: RunControl | None = None, checkpoint: Callable[[dict], None] | None = None,
        resume: dict | None = None, started: float | None = None) -> TrainResult:
    """Train ``task`` to the end of its epochs, a stop request (``should_stop()`` between steps, or
    ``control``) or divergence; see the module docstring. ``started``: ``time.perf_counter()`` at the
    start of the job (for ``TrainResult.seconds``)."""
    return _Run(task, emit, should_stop, cadence, control or RunControl(), checkpoint, started).go(resume)


class _Run:
    """One run of ``run``: its position and the hooks it hands the control gate."""

    def __init__(self, task: TrainTask, emit, should_stop, cadence: ProbeCadence, control: RunControl,
                 checkpoint, started: float | None):
        self.task, self.emit, self.should_stop, self.cadence = task, emit, should_stop, cadence
        self.control, self.checkpoint = control, checkpoint
        self.started = time.perf_counter() if started is None else started
        self.pos, self.final, self.last_probe = Position(), {}, -1
        self.n_batches = 0  # of the epoch at ``pos``
        self.saved_at = -math.inf  # time.perf_counter() of the last checkpoint
        self.reported_at = -math.inf  # ... of the last step that reported its visuals

    def save(self) -> None:
        if self.checkpoint:
            self.checkpoint(self.task.state(self.pos, self.final))
            self.saved_at = time.perf_counter()

    def report_due(self, metrics: bool, single: bool) -> bool:
        """Whether the step about to be taken reports its visuals (``task.step``'s ``report``)."""
        last = self.pos.epoch == self.task.epochs and self.pos.batch_index == self.n_batches - 1
        if not (metrics or single or last):
            return False
        now = time.perf_counter()
        if single or last or self.cadence.every is not None or now - self.reported_at >= 1.0 / GRADIENTS_PER_S:
            self.reported_at = now
            return True
        return False

    def save_due(self) -> bool:
        """At an epoch's end: whether the last checkpoint is ``CHECKPOINT_SECONDS`` old."""
        return time.perf_counter() - self.saved_at >= CHECKPOINT_SECONDS

    def step_metrics(self) -> None:
        """The step-metrics window so far as one event; the window restarts."""
        pos, sums = self.pos, self.pos.sums
        self.emit({"type": "metrics", "scope": "step", "step": pos.step, "epoch": pos.epoch,
                   "train_loss": sums[-2] / sums[-1], "lr": self.task.lr(), **self.task.step_fields()})
        sums[-2], sums[-1] = 0.0, 0

    def probes(self, epoch: int | None = None, save: bool = True) -> None:
        """The probe events at this step (timed by the cadence), with a checkpoint if the task asks."""
        step, epoch = self.pos.step, self.pos.epoch if epoch is None else epoch
        with_state = save and self.task.checkpoint_probes

        def snapshot() -> None:
            for event in self.task.probe_events(step, epoch):
                self.emit(event)
            if with_state:
                self.save()
        self.cadence.timed(snapshot)
        self.last_probe = step

    def before_pause(self) -> None:
        """The paused model on screen: its last steps' metrics and its probes."""
        if self.pos.sums[-1]:
            self.step_metrics()
        if self.last_probe != self.pos.step:
            self.probes()

    def apply_changes(self) -> None:
        """Live settings queued on the control, applied before the next step."""
        for change in self.control.take_changes():
            values = self.task.apply_live(change.changes(), self.pos)
            if values:
                self.task.live.update(values)
                self.emit({"type": "settings", "step": self.pos.step, "epoch": self.pos.epoch, "changes": values})

    def diverged(self, loss: float) -> str:
        self.emit({"type": "metrics", "scope": "step", "step": self.pos.step + 1, "epoch": self.pos.epoch,
                   "train_loss": finite_or_none(loss), "lr": self.task.lr()})
        return "diverged"

    def go(self, resume: dict | None) -> TrainResult:
        task = self.task
        if resume:
            self.pos, self.final = task.restore(resume)
        else:
            self.pos = Position(sums=task.epoch_sums() + [0.0, 0])
            for event in task.start_events():
                self.emit(event)
            self.probes(task.first_probe_epoch, save=False)
        status, reason = "completed", None
        while self.pos.epoch <= task.epochs:
            status, reason = self.epoch()
            if status == "diverged" or (status == "stopped" and self.pos.batch_index < self.n_batches):
                break  # (stopped after the epoch's last step: the epoch ends first)
            fields, self.final, finite = task.end_epoch(self.pos)
            pos = self.pos
            self.emit({"type": "metrics", "scope": "epoch", "step": pos.step, "epoch": pos.epoch, **fields})
            if not finite:
                status = "diverged"
                break
            self.pos = Position(pos.epoch + 1, 0, pos.step, task.epoch_sums() + pos.sums[-2:])
            if status != "completed" or self.pos.epoch > task.epochs or self.save_due():
                self.save()
            if status != "completed":
                break
        if status != "diverged" and self.last_probe != self.pos.step:
            self.probes(min(self.pos.epoch, task.epochs))
        return TrainResult(status, self.final, task.model, time.perf_counter() - self.started, reason,
                           self.cadence.seconds, self.cadence.snapshots)

    def epoch(self) -> tuple[str, str | None]:
        """The steps left of the epoch at ``pos``; returns ``(status, reason)``, ``status``
        ``completed`` (its last step done), ``stopped`` (checkpointed if steps are left) or
        ``diverged`` (``reason``: why, when not the loss)."""
        task, pos, control = self.task, self.pos, self.control
        self.n_batches, log_every = task.begin_epoch(pos)
        while pos.batch_index < self.n_batches:
            gate = control.gate(pos.step, self.apply_changes, self.before_pause)
            if gate == "stop":
                return self.stopped(), None
            self.apply_changes()
            single = gate == "step"  # one step granted while paused: report all of it
            rate = None if single else task.live.get("max_steps_per_s", task.training.max_steps_per_s)
            began = time.monotonic() if rate else 0.0  # slow motion paces from here
            try:
                value = task.step(pos, self.report_due((pos.step + 1) % log_every == 0, single))
            except StepDiverged as exc:
                return self.diverged(exc.loss), exc.reason
            if not math.isfinite(value):
                return self.diverged(value), None
            pos.step += 1
            pos.batch_index += 1
            pos.sums[-2] += value
            pos.sums[-1] += 1
            if single or pos.step % log_every == 0:
                self.step_metrics()
            if single or self.cadence.due(pos.step):
                self.probes()
            if rate:
                control.wait(began + 1.0 / rate - time.monotonic())
            if self.should_stop() or control.stopped:
                return self.stopped(), None
        return "completed", None

    def stopped(self) -> str:
        """A stop request: checkpoint where the run stands if steps of the epoch are left (otherwise
        the epoch ends first, and its checkpoint follows)."""
        if self.pos.batch_index < self.n_batches:
            self.save()
        return "stopped"
