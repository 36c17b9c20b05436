"""The worker's pipe sends events in batches, in the order they were made, and anything else after
the events before it; an event after a quiet spell goes at once."""

import threading
import time

from nnplay.jobs.worker import BatchedPipe


class Recorder:
    """A pipe end that records what is sent."""

    def __init__(self):
        self.sent, self.event = [], threading.Event()

    def send(self, message):
        self.sent.append(message)
        self.event.set()


def test_events_wait_for_a_batch_and_other_messages_send_them_first():
    conn = Recorder()
    pipe = BatchedPipe(conn, seconds=3600, most=3)  # no timer tick within the test
    pipe.send(("event", "data_info", 0, "z"))  # the first event: nothing sent for a while, so at once
    assert conn.sent == [("events", [("data_info", 0, "z")])]
    pipe.send(("event", "metrics", 1, "a"))
    pipe.send(("event", "gradients", 1, "b"))
    assert len(conn.sent) == 1  # (within the quiet spell of the last batch: they wait)
    pipe.send(("hook", "pause", 1))
    pipe.send(("event", "metrics", 2, "c"))
    pipe.send(("event", "metrics", 3, "d"))
    pipe.send(("event", "metrics", 4, "e"))  # the third waiting event: a full batch goes at once
    pipe.send(("done", {"status": "completed"}))
    assert conn.sent[1:] == [("events", [("metrics", 1, "a"), ("gradients", 1, "b")]), ("hook", "pause", 1),
                             ("events", [("metrics", 2, "c"), ("metrics", 3, "d"), ("metrics", 4, "e")]),
                             ("done", {"status": "completed"})]


def test_events_after_a_batch_are_sent_by_the_timer():
    conn = Recorder()
    pipe = BatchedPipe(conn, seconds=0.05, most=100)
    pipe.sent_at = float("inf")  # as if a batch had just gone: the next events wait for the timer
    pipe.send(("event", "metrics", 1, "a"))
    pipe.send(("event", "gradients", 1, "b"))
    deadline = time.monotonic() + 30  # one tick, or two if one fell between the sends on a loaded machine
    while sum(len(batch) for _kind, batch in list(conn.sent)) < 2 and time.monotonic() < deadline:
        conn.event.wait(0.1)
    assert all(kind == "events" for kind, _ in conn.sent)
    assert [event for _kind, batch in conn.sent for event in batch] == [("metrics", 1, "a"), ("gradients", 1, "b")]


METRICS = {"type": "metrics", "scope": "step", "step": 1, "epoch": 1, "train_loss": 0.5, "lr": 0.1}


def test_a_step_event_sent_unencoded_is_encoded_with_its_batch_as_encode_gives_it():
    from nnplay.jobs.run import SEQ_PLACEHOLDER
    from nnplay.protocol import encode

    conn = Recorder()
    pipe = BatchedPipe(conn, seconds=3600, most=100)
    pipe.sent_at = float("inf")  # the events wait
    pipe.send(("event", "metrics", 1, ("job-1", METRICS)))
    pipe.send(("event", "data_info", 1, "z"))
    assert conn.sent == []
    pipe.send(("done", {"status": "completed"}))
    assert conn.sent == [("events", [("metrics", 1, encode("job-1", SEQ_PLACEHOLDER, METRICS)), ("data_info", 1, "z")]),
                         ("done", {"status": "completed"})]


def test_an_event_that_breaks_the_protocol_fails_the_next_send_even_when_the_timer_found_it():
    import pydantic
    import pytest

    conn = Recorder()
    bad = {**METRICS, "scope": "sometimes"}
    pipe = BatchedPipe(conn, seconds=3600, most=100)
    pipe.sent_at = float("inf")
    pipe.send(("event", "metrics", 1, ("job-1", bad)))
    with pytest.raises(pydantic.ValidationError, match="scope"):  # this thread's own batch
        pipe.send(("done", {"status": "completed"}))
    pipe.send(("error", "ValidationError", False))  # what the worker then says: it goes
    assert conn.sent == [("error", "ValidationError", False)]

    timed = BatchedPipe(conn := Recorder(), seconds=0.01, most=100)
    timed.sent_at = float("inf")
    timed.send(("event", "metrics", 1, ("job-1", bad)))
    deadline = time.monotonic() + 30
    while timed.failure is None and time.monotonic() < deadline:  # the timer takes it after 0.02 s
        time.sleep(0.01)
    with pytest.raises(pydantic.ValidationError, match="scope"):
        timed.send(("event", "metrics", 2, ("job-1", METRICS)))
    assert conn.sent == []  # nothing of the failed batch went


def test_the_worker_hands_step_events_to_a_pipe_that_encodes_later_and_encodes_the_rest_itself():
    from nnplay.jobs.worker import Worker

    for pipe, later in ((BatchedPipe(Recorder(), seconds=3600), True), (Recorder(), False)):
        worker, sent = Worker(pipe, {}), []
        worker.send = sent.append
        emit = worker.emitter("job-1")
        emit(METRICS)
        emit({"type": "gradients", "step": 1, "epoch": 1, "layers": [0], "layer_types": ["linear"], "norms": [1.0],
              "total_norm": 1.0, "grad_clip": None, "clipped_steps": 0})
        emit({"type": "status", "step": 1, "status": "running"})
        bodies = [message[3] for message in sent]
        assert [isinstance(b, tuple) for b in bodies] == [later, later, False]
        assert all(isinstance(b, str) for b in bodies if not isinstance(b, tuple))


def test_the_jobs_error_message_goes_even_when_its_waiting_events_break_the_protocol():
    """A run that raises (out of memory) while a bad step event waits, or after the timer found one:
    its ``error`` message still goes (the events are dropped), or the server would never learn why."""
    bad = {**METRICS, "scope": "sometimes"}
    pipe = BatchedPipe(conn := Recorder(), seconds=3600, most=100)
    pipe.sent_at = float("inf")
    pipe.send(("event", "metrics", 1, ("job-1", bad)))
    pipe.send(("error", "MemoryError: ", True))
    assert conn.sent == [("error", "MemoryError: ", True)]

    timed = BatchedPipe(conn := Recorder(), seconds=0.01, most=100)
    timed.sent_at = float("inf")
    timed.send(("event", "metrics", 1, ("job-1", bad)))
    deadline = time.monotonic() + 30
    while timed.failure is None and time.monotonic() < deadline:
        time.sleep(0.01)
    timed.send(("error", "MemoryError: ", True))
    assert conn.sent == [("error", "MemoryError: ", True)] and timed.failure is None
