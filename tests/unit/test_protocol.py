"""Every message is a typed, versioned model and valid JSON."""

import json

import pytest
from pydantic import ValidationError

from nnplay.protocol import encode


def test_envelope_and_null_for_non_finite():
    text = encode("j1", 7, {"type": "metrics", "scope": "step", "step": 3, "epoch": 1, "train_loss": None})
    msg = json.loads(text)
    assert msg["v"] == 1 and msg["seq"] == 7 and msg["job_id"] == "j1" and msg["train_loss"] is None
    assert "NaN" not in text


def test_nan_never_reaches_the_wire():
    text = encode("j1", 1, {"type": "metrics", "scope": "step", "step": 1, "epoch": 1,
                            "train_loss": float("nan"), "lr": float("inf")})
    msg = json.loads(text)  # the standard parser: bare NaN/Infinity would be accepted, so check the text
    assert msg["train_loss"] is None and msg["lr"] is None
    assert "NaN" not in text and "Infinity" not in text


def test_unknown_type_and_status_are_refused():
    with pytest.raises(ValidationError):
        encode("j1", 1, {"type": "gossip", "step": 0})
    with pytest.raises(ValidationError):
        encode("j1", 1, {"type": "status", "step": 0, "status": "sleeping"})


def test_a_lagging_client_skips_only_superseded_visual_frames():
    from nnplay.jobs.run import COALESCE_BACKLOG, superseded

    types = (["metrics", "gradients", "feature_maps"] * COALESCE_BACKLOG)[:COALESCE_BACKLOG + 6] + ["status"]
    skip = superseded(types, 0)
    visual = [i for i, t in enumerate(types) if t == "feature_maps"]
    assert skip == set(visual[:-1])  # every frame but the newest
    assert superseded(types, len(types) - 10) == set()  # a client close behind gets everything
