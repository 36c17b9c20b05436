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
