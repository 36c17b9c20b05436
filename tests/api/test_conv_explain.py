"""POST /api/conv/explain: torch's convolution with every value written out; 422 naming the field."""

import torch
import torch.nn.functional as F


def test_worked_examples_round_trip_through_the_api(client):
    examples = client.get("/api/conv/examples").json()
    conv = client.post("/api/conv/explain", json=examples["conv"])
    assert conv.status_code == 200, conv.text
    body = conv.json()
    x, w = torch.tensor(examples["conv"]["input"]), torch.tensor(examples["conv"]["filters"])
    oracle = F.conv2d(x[None], w, torch.tensor(examples["conv"]["bias"]), stride=2, padding=1)[0]
    assert torch.allclose(torch.tensor(body["output"]), oracle, atol=1e-5)
    assert len(body["cells"]) == 18 and body["sizes"][0]["text"] == "⌊(5 + 2·1 − 3)/2⌋ + 1 = 3"
    pool = client.post("/api/conv/explain", json=examples["maxpool"]).json()
    assert pool["pool"]["output"] == [[[6.0, 8.0], [3.0, 4.0]]]


def test_bad_bodies_answer_422_at_the_field(client):
    res = client.post("/api/conv/explain", json={"input": [[[1, 2], [3, 4]]], "filters": [[[[1]], [[1]]]]})
    assert res.status_code == 422
    assert any("filters" in d["loc"] for d in res.json()["detail"])
    big = {"input": [[[0.0] * 32] * 32] * 16, "filters": [[[[0.0] * 3] * 3] * 16] * 16, "padding": 1}
    res = client.post("/api/conv/explain", json=big)
    assert res.status_code == 422 and "cell" in res.text


def test_huge_values_are_refused_not_answered_with_infinity(client):
    res = client.post("/api/conv/explain", json={"input": [[[1e300]]], "filters": [[[[1e300]]]]})
    assert res.status_code == 422 and "input" in res.text
