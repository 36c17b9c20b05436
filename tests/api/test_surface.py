"""Loss surface: optimizer paths on classic test functions are torch.optim's own steps; SGD's path
is also the hand formula x <- x - lr * grad f(x). Bad inputs answer 422 naming the field."""

import pytest
import torch

from nnplay.train.surface import FUNCTIONS


def torch_path(function: str, start, opt_cls, steps: int, **kw) -> list[tuple[float, float]]:
    """The oracle: our own loop with torch.optim on the same function."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = opt_cls([p], **kw)
    out = [tuple(start)]
    for _ in range(steps):
        opt.zero_grad()
        FUNCTIONS[function](p[0], p[1]).backward()
        opt.step()
        out.append(tuple(p.detach().tolist()))
    return out


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    """d/dx, d/dy of (1 - x)^2 + 100 (y - x^2)^2, by hand."""
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def test_adam_and_sgd_paths_match_torch_optim_and_the_hand_formula(client):
    body = {"function": "rosenbrock", "start": [-1.5, 2.0], "lr": 0.001, "steps": 150}
    res = client.post("/api/surface", json=body)
    assert res.status_code == 200, res.text
    out = res.json()
    paths = {p["optimizer"]: p for p in out["paths"]}
    assert list(paths) == ["sgd", "momentum", "rmsprop", "adam", "adamw"]
    for name, cls, kw in [("adam", torch.optim.Adam, {}), ("sgd", torch.optim.SGD, {}),
                          ("momentum", torch.optim.SGD, {"momentum": 0.9}),
                          ("adamw", torch.optim.AdamW, {"weight_decay": 0.01})]:
        expected = torch_path("rosenbrock", (-1.5, 2.0), cls, 150, lr=0.001, **kw)
        got = list(zip(paths[name]["x"], paths[name]["y"]))
        assert len(got) == 151 and not paths[name]["diverged"]
        assert max(abs(a - c) + abs(b - d) for (a, b), (c, d) in zip(got, expected)) < 1e-12, name
    x, y = -1.5, 2.0  # SGD by hand: x <- x - lr * grad
    for step in range(1, 151):
        gx, gy = rosenbrock_grad(x, y)
        x, y = x - 0.001 * gx, y - 0.001 * gy
        assert abs(paths["sgd"]["x"][step] - x) < 1e-9 and abs(paths["sgd"]["y"][step] - y) < 1e-9
    assert paths["adam"]["loss"][-1] < paths["adam"]["loss"][0]
    g = out["grid"]
    assert len(g["x"]) == len(g["z"][0]) and len(g["y"]) == len(g["z"]) and g["vmin"] >= 0
    assert out["minimum"] == [1.0, 1.0]


def test_beale_and_saddle_paths_and_divergence(client):
    out = client.post("/api/surface", json={"function": "beale", "start": [1, 1], "lr": 0.01, "steps": 50,
                                            "optimizers": ["adam"]}).json()
    assert out["paths"][0]["label"] == "Adam" and len(out["paths"][0]["x"]) == 51
    out = client.post("/api/surface", json={"function": "saddle", "start": [-1.5, 0.01], "lr": 0.5, "steps": 300,
                                            "optimizers": ["sgd"]}).json()
    sgd = out["paths"][0]
    assert sgd["diverged"] and len(sgd["x"]) < 301  # x^2 - y^2 is unbounded below: SGD runs off along y
    assert abs(sgd["x"][1]) < 1e-12  # lr 0.5 on x^2: one step lands on x = 0


@pytest.mark.parametrize("body, field, words", [
    ({"function": "himmelblau"}, "function", "rosenbrock"),
    ({"function": "rosenbrock", "start": [5.0, 0.0]}, "start", "outside the rosenbrock domain"),
    ({"start": [0.0]}, "start", ""),
    ({"lr": 0.0}, "lr", "greater than 0"),
    ({"steps": 5000}, "steps", "less than or equal to 2000"),
    ({"optimizers": ["adam", "lbfgs"]}, "optimizers[1]", "sgd"),
    ({"optimizers": []}, "optimizers", "at least 1"),
    ({"optimizers": ["adam", "adam"]}, "optimizers", "distinct"),
    ({"surprise": 1}, "surprise", "Extra inputs"),
])
def test_bad_surface_requests_answer_422(client, body, field, words):
    res = client.post("/api/surface", json=body)
    assert res.status_code == 422, res.text
    detail = res.json()["detail"][0]
    assert detail["field"] == field and words in detail["msg"], detail


def test_the_answer_names_the_momentum_and_weight_decay_its_paths_used(client):
    body = {"function": "beale", "start": [1.0, 1.5], "lr": 0.01, "steps": 20, "momentum": 0.5, "weight_decay": 0.0,
            "optimizers": ["momentum", "adam", "adamw"]}
    out = client.post("/api/surface", json=body).json()
    assert (out["momentum"], out["weight_decay"]) == (0.5, 0.0)
    paths = {p["optimizer"]: p for p in out["paths"]}
    assert paths["adam"]["x"] == paths["adamw"]["x"]  # AdamW without decay is Adam
    expected = torch_path("beale", (1.0, 1.5), torch.optim.SGD, 20, lr=0.01, momentum=0.5)
    assert paths["momentum"]["x"] == pytest.approx([p[0] for p in expected])
    assert paths["momentum"]["y"] == pytest.approx([p[1] for p in expected])
