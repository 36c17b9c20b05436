"""Text from a character model: feed a prompt, then sample one character at a time.

The network runs step by step with its recurrent states carried between calls (embedding, linear,
activation and dropout layers act on each step alone), so a sample of L characters costs L single-step
passes. Needs unidirectional recurrent layers with ``return_sequences`` true (a bidirectional layer
reads the future, which a generator does not have).
"""

import torch
from torch import nn

from nnplay.nn.recurrent import ReturnSequences


def can_generate(model: nn.Sequential) -> bool:
    """True when every recurrent layer is unidirectional and returns every step."""
    rec = [m for m in model if isinstance(m, ReturnSequences)]
    return bool(rec) and all(m.return_sequences and not m.bidirectional for m in rec)


def _step(model: nn.Sequential, x: torch.Tensor, states: dict) -> torch.Tensor:
    """``x`` ``(1, T)`` token ids -> logits ``(1, T, V)``, updating each recurrent module's state."""
    for index, module in enumerate(model):
        if isinstance(module, ReturnSequences):
            x, states[index] = super(ReturnSequences, module).forward(x, states.get(index))  # fused kernel
        else:
            x = module(x)
    return x


@torch.no_grad()
def generate(model: nn.Sequential, prompt: torch.Tensor, length: int, temperature: float,
             generator: torch.Generator) -> list[int]:
    """``length`` token ids sampled after ``prompt`` ``(P,)`` from softmax(logits / ``temperature``).

    Eval mode, restored after. Raises ValueError for a temperature <= 0.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    was_training = model.training
    model.eval()
    try:
        states: dict = {}
        logits = _step(model, prompt[None], states)[0, -1]  # (V,)
        out = []
        for _ in range(length):
            probs = torch.softmax(logits.float().cpu() / temperature, dim=0)
            token = int(torch.multinomial(probs, 1, generator=generator))
            out.append(token)
            logits = _step(model, torch.tensor([[token]], device=prompt.device), states)[0, -1]
    finally:
        model.train(was_training)
    return out
