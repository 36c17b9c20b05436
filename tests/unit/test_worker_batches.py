"""The worker's pipe sends events in batches, in the order they were made, and anything else after
the events before it."""

import threading

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
    pipe = BatchedPipe(conn, seconds=3600, most=3)  # no timed flush within the test
    pipe.send(("event", "metrics", 1, "a"))
    pipe.send(("event", "gradients", 1, "b"))
    assert conn.sent == []
    pipe.send(("hook", "pause", 1))
    pipe.send(("event", "metrics", 2, "c"))
    pipe.send(("event", "metrics", 3, "d"))
    pipe.send(("event", "metrics", 4, "e"))  # the third waiting event: a full batch goes at once
    pipe.send(("done", {"status": "completed"}))
    assert conn.sent == [("events", [("metrics", 1, "a"), ("gradients", 1, "b")]), ("hook", "pause", 1),
                         ("events", [("metrics", 2, "c"), ("metrics", 3, "d"), ("metrics", 4, "e")]),
                         ("done", {"status": "completed"})]


def test_a_lone_event_is_sent_by_the_timer():
    conn = Recorder()
    pipe = BatchedPipe(conn, seconds=0.01, most=100)
    pipe.send(("event", "metrics", 1, "a"))
    assert conn.event.wait(30)  # the timer's flush, however loaded the machine
    assert conn.sent == [("events", [("metrics", 1, "a")])]
