"""Text from a character model: feed a prompt, then sample one character at a time.

Recurrent networks run step by step with their states carried between calls (embedding, linear,
activation and dropout layers act on each step alone), so a sample of L characters costs L single-step
passes; they need unidirectional recurrent layers with ``return_sequences`` true (a bidirectional layer
reads the future, which a generator does not have). Causal attention networks (every
``self_attention`` / ``transformer_encoder`` causal, no pooling) have no state to carry: each character
re-reads the last ``context`` characters (the length they were trained on), as GPT-style sampling does.
"""

import torch
from torch import nn

from nnplay.nn.attention import SelfAttention, SequencePool, TransformerEncoder
from nnplay.nn.recurrent import ReturnSequences


def can_generate(model: nn.Sequential) -> bool:
    """True for a recurrent network whose recurrent layers are all unidirectional and return every
    step, or an attention network whose attention layers are all causal and that keeps every step."""
    rec = [m for m in model if isinstance(m, ReturnSequences)]
    attn = [m for m in model if isinstance(m, (SelfAttention, TransformerEncoder))]
    if rec:
        return all(m.return_sequences and not m.bidirectional for m in rec)
    return bool(attn) and all(m.causal for m in attn) and not any(isinstance(m, SequencePool) for m in model)


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
             generator: torch.Generator, context: int | None = None) -> list[int]:
    """``length`` token ids sampled after ``prompt`` ``(P,)`` from softmax(logits / ``temperature``).

    ``context``: for attention networks, how many of the last tokens each prediction reads (the
    training length; positions past it were never learned). Eval mode, restored after. Raises
    ValueError for a temperature <= 0.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    recurrent = any(isinstance(m, ReturnSequences) for m in model)
    was_training = model.training
    model.eval()
    try:
        states: dict = {}
        seq = prompt.tolist()
        logits = (_step(model, prompt[None], states) if recurrent else _window(model, seq, context, prompt.device))[0, -1]
        out = []
        for _ in range(length):
            probs = torch.softmax(logits.float().cpu() / temperature, dim=0)  # (V,)
            token = int(torch.multinomial(probs, 1, generator=generator))
            out.append(token)
            seq.append(token)
            logits = (_step(model, torch.tensor([[token]], device=prompt.device), states) if recurrent
                      else _window(model, seq, context, prompt.device))[0, -1]
    finally:
        model.train(was_training)
    return out


def _window(model: nn.Module, seq: list[int], context: int | None, device) -> torch.Tensor:
    """Logits ``(1, T, V)`` of the last ``context`` tokens of ``seq`` (all of them when None)."""
    return model(torch.tensor([seq[-context:] if context else seq], device=device))
