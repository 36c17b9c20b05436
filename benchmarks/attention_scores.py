"""Attention scores side by side: what ``dot``, ``cosine`` and ``additive`` cost against ``scaled_dot``
(torch's fused attention), and the size of one ``cross_attention`` message.

1. Forward + backward steps per second of one ``self_attention`` layer (batch 32, T tokens, E = 64,
   4 heads) for each score, interleaved in one run, and the ratio to ``scaled_dot``. ``additive`` keeps
   a ``(N, heads, T, T, d)`` tanh, so it slows (and grows in memory) with T squared times d.
2. The same for the ``attention_dates`` preset's network (embedding, cross_attention, linear) on
   batches of the dates data.
3. The JSON bytes of one ``cross_attention`` message of the preset (1 head, 18 source and 10 target
   characters, E = 32) and of a 4-head, E = 128 variant, as the protocol encodes them, beside the
   validation estimate.
4. The JSON bytes of one ``attention`` message of a self_attention network with its three stages
   (scores, values, weighted sums) and without them: the ``attention_reverse`` preset (T = 8) and a
   causal 4-head self_attention on 64 characters.

Usage: .venv/bin/python benchmarks/attention_scores.py [--repeats 3] [--threads 1] [--tokens 64]
"""

import argparse
import time

import torch

from nnplay.data import load
from nnplay.nn import build_network
from nnplay.nn.attention import SCORES, SelfAttention
from nnplay.protocol import encode
from nnplay.settings import Settings
from nnplay.spec import JobSpec
from nnplay.spec.presets import PRESETS
from nnplay.train.check import check_job
from nnplay.train.probing import Probe


def steps_per_second(module, make_batch, seconds: float = 1.0) -> float:
    """Forward + backward passes per second of ``module`` on ``make_batch()`` for about ``seconds``."""
    opt = torch.optim.SGD(module.parameters(), lr=1e-3)
    batch = make_batch()
    module(batch).float().sum().backward()  # warm-up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        opt.zero_grad()
        module(batch).float().sum().backward()
        opt.step()
        count += 1
    return count / (time.perf_counter() - start)


def interleaved(makers: dict, make_batch, repeats: int) -> dict[str, float]:
    """Best steps/s of each module over ``repeats`` rounds, the modules taking turns in each round."""
    best = {name: 0.0 for name in makers}
    modules = {name: make() for name, make in makers.items()}
    for _ in range(repeats):
        for name, module in modules.items():
            best[name] = max(best[name], steps_per_second(module, make_batch))
    return best


def dates_spec(score: str, heads: int = 1, width: int = 32):
    spec = next(p["spec"] for p in PRESETS if p["id"] == "attention_dates").model_copy(deep=True)
    layers = spec.network.layers
    layers[0] = layers[0].model_copy(update={"embedding_dim": width})
    layers[1] = layers[1].model_copy(update={"score": score, "num_heads": heads})
    return spec


def message_bytes(heads: int, width: int) -> tuple[int, int]:
    """(encoded bytes of one cross_attention message, the validation estimate) of the dates network."""
    spec = dates_spec("additive", heads, width)
    split = load(spec.dataset)
    model = build_network(spec.network, split.info.input_shape, split.info.vocab_size, split.info.pad_id)
    event = Probe(spec, split, 16, torch.device("cpu"))._cross_attention_events(model, 0, 0)[0]
    estimate = check_job(spec.dataset, spec.network, spec.training, Settings()).messages["cross_attention"]
    return len(encode("0" * 32, 1, event).encode()), estimate


def attention_bytes(spec) -> tuple[int, int]:
    """(bytes of one attention message with the self_attention stages, bytes without them)."""
    split = load(spec.dataset)
    model = build_network(spec.network, split.info.input_shape, split.info.vocab_size, split.info.pad_id)
    event = Probe(spec, split, 16, torch.device("cpu"))._attention(model, 0, 0)
    full = len(encode("0" * 32, 1, event).encode())
    for layer in event["layers"]:
        for key in ("scores", "values", "context"):
            layer.pop(key, None)
    return full, len(encode("0" * 32, 1, event).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    x = torch.randn(32, args.tokens, 64)
    rates = interleaved({s: (lambda s=s: SelfAttention(64, 4, score=s)) for s in SCORES}, lambda: x, args.repeats)
    print(f"self_attention, batch 32, T {args.tokens}, E 64, 4 heads ({args.threads} thread(s)); steps/s and ratio to scaled_dot:")
    for s in SCORES:
        print(f"  {s:<10} {rates[s]:8.1f}  {rates[s] / rates['scaled_dot']:.2f}")

    split = load(dates_spec("scaled_dot").dataset)
    ids = split.x_train[:32]

    def net(score):
        spec = dates_spec(score)
        return build_network(spec.network, split.info.input_shape, split.info.vocab_size, split.info.pad_id)

    rates = interleaved({s: (lambda s=s: net(s)) for s in SCORES}, lambda: ids, args.repeats)
    print("attention_dates network (embedding 32, cross_attention 1 head, linear), batch 32; steps/s and ratio:")
    for s in SCORES:
        print(f"  {s:<10} {rates[s]:8.1f}  {rates[s] / rates['scaled_dot']:.2f}")

    for heads, width in ((1, 32), (4, 128)):
        size, estimate = message_bytes(heads, width)
        print(f"cross_attention message, {heads} head(s), E {width}: {size} bytes (validation estimate {estimate})")

    reverse = next(p["spec"] for p in PRESETS if p["id"] == "attention_reverse")
    long = JobSpec.model_validate({"dataset": {"name": "shakespeare_chars", "seq_len": 64}, "network": {"layers": [
        {"type": "embedding", "embedding_dim": 64}, {"type": "self_attention", "num_heads": 4, "causal": True},
        {"type": "linear", "out_features": 74}]}})
    for name, spec in (("attention_reverse (T 8, 2 heads, E 32)", reverse), ("self_attention T 64, 4 heads, E 64", long)):
        full, bare = attention_bytes(spec)
        print(f"attention message, {name}: {full} bytes with the stages, {bare} without ({full / bare:.1f}x)")


if __name__ == "__main__":
    main()
