"""Commands for a running loop: pause, resume, single step, stop, and live settings.

``RunControl`` is the one channel from the outside world into a running ``train``: any thread may
call its commands; the loop calls ``gate`` between two optimizer steps and ``take_changes`` to pick
up new settings. While paused, the worker thread blocks on a condition variable (no spinning) until
it is resumed, granted one step, or stopped.

The hooks ``on_pause(step)`` and ``on_resume(step)`` run in the loop's thread when it starts and
stops waiting (the job service records the ``paused`` / ``running`` statuses there);
``on_wait(step)`` runs every time the loop is about to block (after a single step too), so a waiter
can tell the step is done.

A loop in another process is driven by a ``RunControl`` on each side: the caller's copy ``attach``es a
relay that forwards every later command (``("pause", None)``, ``("change", {...})``, ...) and returns
the state so far for the remote copy to ``apply``; the remote side's hooks report back, and the
caller's copy replays them with ``remote_hook`` (which keeps ``waiting_at`` and runs its own hooks).
"""

import threading
from collections.abc import Callable
from typing import Literal

from nnplay.spec.training import LiveSettings

Gate = Literal["run", "step", "stop"]
Hook = Callable[[int], None]
Relay = Callable[[str, object], None]


def _noop(_step: int) -> None:
    pass


class RunControl:
    """Thread-safe commands for one run; see the module docstring."""

    def __init__(self, *, paused: bool = False, on_pause: Hook = _noop, on_resume: Hook = _noop,
                 on_wait: Hook = _noop):
        self._cond = threading.Condition()
        self._paused, self._stopped, self._grants = paused, False, 0
        self._waiting_at: int | None = None  # the step the loop waits at, None while it trains
        self._announced = False  # on_pause ran and on_resume has not yet: single steps stay paused
        self._changes: list[LiveSettings] = []
        self._relay: Relay | None = None
        self.on_pause, self.on_resume, self.on_wait = on_pause, on_resume, on_wait

    # ---- commands (any thread) ------------------------------------------------------------------

    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._forward("pause")

    def resume(self) -> None:
        with self._cond:
            self._paused, self._grants = False, 0
            self._cond.notify_all()
            self._forward("resume")

    def grant_step(self) -> None:
        """Let a paused loop take exactly one more optimizer step."""
        with self._cond:
            self._grants += 1
            self._cond.notify_all()
            self._forward("grant_step")

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            self._forward("stop")

    def change(self, live: LiveSettings) -> None:
        """Queue new settings; the loop applies them before its next step (paused or not)."""
        with self._cond:
            if self._relay is not None:  # the loop runs elsewhere: nothing is taken from this copy
                return self._forward("change", live.model_dump(exclude_unset=True))
            self._changes.append(live)
            self._cond.notify_all()

    # ---- a loop in another process ----------------------------------------------------------------

    def attach(self, relay: Relay) -> dict:
        """Forward every later command through ``relay(command, argument)``; returns the state so far
        (``{"paused", "stopped", "grants", "changes"}``, plain data) for the remote copy's ``apply``.
        Atomic with the commands: none is lost or sent twice."""
        with self._cond:
            self._relay = relay
            changes, self._changes = self._changes, []
            return {"paused": self._paused, "stopped": self._stopped, "grants": self._grants,
                    "changes": [c.model_dump(exclude_unset=True) for c in changes]}

    def detach(self) -> None:
        """Stop forwarding (the remote loop has ended)."""
        with self._cond:
            self._relay = None

    def apply(self, command: str, argument: object = None) -> None:
        """Run one relayed command (or, for ``"state"``, an ``attach`` snapshot) on this copy."""
        if command == "state":
            state = dict(argument)
            for change in state.pop("changes"):
                self.change(LiveSettings.model_validate(change))
            with self._cond:
                self._paused, self._grants = state["paused"], state["grants"]
                self._stopped = self._stopped or state["stopped"]
                self._cond.notify_all()
        elif command == "change":
            self.change(LiveSettings.model_validate(argument))
        elif command in ("pause", "resume", "grant_step", "stop"):
            getattr(self, command)()

    def remote_hook(self, hook: str, step: int) -> None:
        """Replay a remote loop's hook (``pause``, ``resume`` or ``wait``) on this copy: ``waiting_at``
        follows the remote loop, then this copy's own hook runs."""
        with self._cond:
            self._waiting_at = step if hook == "wait" else None if hook == "resume" else self._waiting_at
        {"pause": self.on_pause, "resume": self.on_resume, "wait": self.on_wait}[hook](step)

    def _forward(self, command: str, argument: object = None) -> None:
        """Under the lock: relay a command to the remote loop, if one is attached."""
        if self._relay is not None:
            self._relay(command, argument)

    # ---- state ---------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def waiting_at(self) -> int | None:
        """The step at which the loop is blocked, or None while it trains (or has not started)."""
        return self._waiting_at

    # ---- the loop's side -----------------------------------------------------------------------

    def wait(self, seconds: float) -> None:
        """Block the loop's thread up to ``seconds`` (slow motion between two steps); a command
        (pause, stop, a granted step, new settings) ends the wait at once."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopped or self._paused or self._grants or self._changes,
                                timeout=max(0.0, seconds))

    def take_changes(self) -> list[LiveSettings]:
        if not self._changes:  # every step asks: no lock for the common answer (one queued meanwhile goes next step)
            return []
        with self._cond:
            changes, self._changes = self._changes, []
        return changes

    def gate(self, step: int, apply: Callable[[], None] = lambda: None,
             before_pause: Callable[[], None] = lambda: None) -> Gate:
        """Called by the loop before each optimizer step, ``step`` steps done. Returns ``"run"`` (go
        on), ``"step"`` (one single step granted while paused: report it in full) or ``"stop"``.
        Blocks while paused: ``before_pause()`` runs first (the loop reports where it stands), and
        ``apply()`` runs (in the loop's thread) for settings changed while it waits."""
        if self._stopped:
            return "stop"
        if not self._paused:
            if self._announced:  # resumed while a single step ran: say so now
                self._announced = False
                self.on_resume(step)
            return "run"
        if not self._announced:
            self._announced = True
            before_pause()
            self.on_pause(step)
        while True:
            with self._cond:
                self._waiting_at = step
            self.on_wait(step)
            with self._cond:
                self._cond.wait_for(lambda: self._stopped or not self._paused or self._grants or self._changes)
                outcome = self._outcome()
                if outcome is not None:
                    self._waiting_at = None
            apply()
            if outcome is not None:
                if outcome == "run":
                    self._announced = False
                    self.on_resume(step)
                return outcome

    def _outcome(self) -> Gate | None:
        """Under the lock: what ends the wait, or None (settings changed: apply them, keep waiting)."""
        if self._stopped:
            return "stop"
        if not self._paused:
            return "run"
        if self._grants:
            self._grants -= 1
            return "step"
        return None
