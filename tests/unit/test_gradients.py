"""Gradient flow: per-layer gradient norms streamed each logged step make vanishing gradients visible."""

import statistics

import torch
from torch import nn

from nnplay.nn import build_network
from nnplay.probes.gradients import GradNorms, trainable_layers
from nnplay.spec import JobSpec, NetworkSpec
from nnplay.train import train


def deep(activation: str, init: str = "default", depth: int = 10) -> list[dict]:
    layers = []
    for _ in range(depth - 1):
        layers += [{"type": "linear", "out_features": 32, "init": init}, {"type": activation}]
    return layers + [{"type": "linear", "out_features": 2, "init": init}]


def first_epoch_ratio(layers) -> tuple[float, list[dict]]:
    spec = JobSpec.model_validate({"dataset": {"name": "circle"}, "network": {"layers": layers},
                                   "training": {"optimizer": "sgd", "lr": 0.05, "epochs": 1, "batch_size": 32,
                                                "probe_every": 1000}})  # (explicit: gradients at every step)
    events = []
    train(spec, events.append)
    grads = [e for e in events if e["type"] == "gradients"]
    first = statistics.mean(e["norms"][0] for e in grads)
    last = statistics.mean(e["norms"][-1] for e in grads)
    return first / last, grads


def test_deep_sigmoid_net_vanishes_and_relu_with_kaiming_does_not():
    sigmoid_ratio, grads = first_epoch_ratio(deep("sigmoid"))
    relu_ratio, _ = first_epoch_ratio(deep("relu", init="kaiming_normal"))
    assert sigmoid_ratio < 1 / 100, sigmoid_ratio
    assert relu_ratio > 1 / 100, relu_ratio
    assert len(grads) == 10 and grads[0]["layers"] == list(range(0, 19, 2))  # 320 / 32 steps, every step
    assert grads[0]["layer_types"] == ["linear"] * 10


def test_norms_equal_a_hand_computation():
    model = build_network(NetworkSpec(layers=[{"type": "linear", "out_features": 3}, {"type": "relu"},
                                              {"type": "batchnorm1d"}, {"type": "linear", "out_features": 2}]), (4,))
    model(torch.randn(5, 4)).pow(2).sum().backward()
    indices = trainable_layers(model)
    assert indices == [0, 2, 3]
    for index, norm in zip(indices, GradNorms(model, indices, list(model.parameters())).measure(True)[0]):
        expected = torch.cat([p.grad.flatten() for p in model[index].parameters()]).norm().item()
        assert abs(norm - expected) < 1e-5


def test_init_schemes_follow_their_definitions():
    net = NetworkSpec(layers=[{"type": "linear", "out_features": 400, "init": "kaiming_normal"},
                              {"type": "linear", "out_features": 3, "init": "zeros"},
                              {"type": "linear", "out_features": 300, "init": "xavier_uniform"}])
    torch.manual_seed(0)
    model = build_network(net, (200,))
    std = model[0].weight.std().item()
    assert abs(std - (2 / 200) ** 0.5) < 0.005 and model[0].bias.abs().max().item() == 0
    assert model[1].weight.abs().max().item() == 0
    bound = (6 / (3 + 300)) ** 0.5
    assert model[2].weight.abs().max().item() <= bound and model[2].weight.abs().max().item() > 0.9 * bound
    assert isinstance(model[0], nn.Linear)


def test_fused_norms_equal_torchs_global_norm_and_each_layers():
    """One ``_foreach_norm`` gives both figures: the global norm equals what
    ``torch.nn.utils.get_total_norm`` measures, each layer's the norm of its gradients concatenated; a
    layer whose parameters have no gradient yet counts 0."""
    model = build_network(NetworkSpec(layers=[{"type": "linear", "out_features": 6}, {"type": "tanh"},
                                              {"type": "linear", "out_features": 3}]), (4,))
    norms = GradNorms(model, [0, 2], list(model.parameters()))
    assert norms.measure(True) == ([0.0, 0.0], 0.0)
    model(torch.randn(7, 4)).pow(3).sum().backward()
    layers, total = norms.measure(True)
    assert abs(total - nn.utils.get_total_norm([p.grad for p in model.parameters()]).item()) < 1e-4 * total
    for index, norm in zip([0, 2], layers):
        expected = torch.cat([p.grad.flatten() for p in model[index].parameters()]).norm().item()
        assert abs(norm - expected) < 1e-5 * expected
    assert norms.measure(False) == ([], total)


def test_fused_norms_sum_squares_without_overflow_and_report_an_infinite_gradient():
    """Two gradients of norm 3e38 (near float32's largest): their squares overflow float32, not the
    float64 sum; an infinite gradient gives an infinite global norm (the loop then ends the run)."""
    model = build_network(NetworkSpec(layers=[{"type": "linear", "out_features": 1, "bias": False},
                                              {"type": "linear", "out_features": 1, "bias": False}]), (1,))
    norms = GradNorms(model, [0, 1], list(model.parameters()))
    for p in model.parameters():
        p.grad = torch.full_like(p, 3e38)
    layers, total = norms.measure(True)
    assert layers == [torch.tensor(3e38).item()] * 2 and abs(total / (2 ** 0.5 * layers[0]) - 1) < 1e-12
    model[1].weight.grad.fill_(float("inf"))
    assert norms.measure(False)[1] == float("inf")


def test_gradients_come_with_step_metrics_at_most_gradients_per_s_the_first_and_last_always(monkeypatch):
    """Without probe_every the steps report their gradient norms at most GRADIENTS_PER_S a second: with
    that rate out of reach, only the run's first step event and its last step do; with probe_every,
    every step whose metrics go out does. A step that neither reports nor clips measures no norm; the
    clipping still counts every step it clipped."""
    from nnplay.train import engine

    def gradient_steps(**training):
        events = []
        spec = JobSpec.model_validate({"dataset": {"name": "circle"}, "network": {"layers": deep("relu", depth=3)},
                                       "training": {"epochs": 2, "batch_size": 32, **training}})
        train(spec, events.append)
        return [e for e in events if e["type"] == "gradients"], [
            e["step"] for e in events if e["type"] == "metrics" and e["scope"] == "step"]

    monkeypatch.setattr(engine, "GRADIENTS_PER_S", 1e-9)
    grads, steps = gradient_steps()
    assert steps == list(range(1, 21)) and [g["step"] for g in grads] == [1, 20]
    grads, _ = gradient_steps(probe_every=1000)
    assert [g["step"] for g in grads] == list(range(1, 21))
    grads, _ = gradient_steps(grad_clip=1e-6)  # every step clipped, two of them reported
    assert [(g["step"], g["clipped_steps"]) for g in grads] == [(1, 1), (20, 20)]
    grads, steps = gradient_steps(epochs=1, batch_size=3)  # 107 steps, metrics every 3rd: the last is not one
    assert steps[0] == 3 and steps[-1] == 105 and [g["step"] for g in grads] == [3, 107]
    monkeypatch.setattr(engine, "GRADIENTS_PER_S", 1e9)
    grads, _ = gradient_steps()
    assert [g["step"] for g in grads] == list(range(1, 21))
