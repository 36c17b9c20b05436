"""Probe events of a run on sequence or text data (see ``nnplay.probes.sequence`` and ``sampling``);
``nnplay.train.probing`` calls the makers of the probes the registry selects:

- ``gates`` and ``time_gradients``: the recurrent layers' gates and states for the first test sequence,
  and ||dL/dh_t|| over the first ``PROBE_BATCH`` test sequences (networks with a recurrent layer);
- ``forecast``: the model against the actual series and the last-value baseline over the test range,
  in the series' unit (sunspots, co2);
- ``text_sample``: characters generated after a prompt from the test text, at ``training.temperature``
  (character language models with unidirectional recurrent layers).
"""

import torch
from torch import nn

from nnplay.data import Split
from nnplay.probes.arrays import finite_or_none
from nnplay.probes.sampling import generate
from nnplay.probes.sequence import probe_sequences
from nnplay.spec.network import JobSpec
from nnplay.train.message_sizes import GATE_UNITS, gates_plan
from nnplay.train.optim import loss_fn

PROBE_BATCH = 8
MAX_UNITS = GATE_UNITS  # units per gate array
PROMPT_CHARS = 40
SHOWN = {"\n": "↵", " ": "␣", "\t": "⇥"}


class SequenceProbe:
    """Builds the sequence probe events of one run."""

    def __init__(self, spec: JobSpec, split: Split, device: torch.device, max_message_kb: float = 1024.0):
        self.spec, self.split, self.info = spec, split, split.info
        self.limit_kb = max_message_kb
        recurrent = any(layer.type in ("rnn", "lstm", "gru") for layer in spec.network.layers)
        # the first time steps validation chose for gates (None: every step fits max_message_kb)
        self.steps = gates_plan(spec.network.layers, split.info, int(max_message_kb * 1024))[0] if recurrent else None
        self.x = split.x_test[:PROBE_BATCH].to(device)  # (B, T) ids or (B, T, F) values
        self.y = split.y_test[:PROBE_BATCH].to(device)
        self.time, self.values = self._time_axis()
        self.generator = torch.Generator().manual_seed(spec.training.seed)

    def _time_axis(self) -> tuple[list[str], list[float] | None]:
        """Labels of the probe sequence's steps: its characters, or its first feature in data units."""
        first = self.split.x_test[0]
        if self.info.kind == "text":
            return [SHOWN.get(self.info.vocab[i], self.info.vocab[i]) for i in first.tolist()], None
        mean, std = self.split.meta.get("mean", 0.0), self.split.meta.get("std", 1.0)
        values = (first[:, 0].double() * std + mean).tolist()
        marks = first[:, 1].tolist() if first.shape[1] > 1 and self.info.name == "adding" else [0] * len(values)
        return [f"{v:.3g}" + ("*" if m else "") for v, m in zip(values, marks)], [round(v, 4) for v in values]

    def gates(self, model: nn.Sequential, step: int, epoch: int) -> list[dict]:
        loss = lambda out, y: loss_fn(self.spec.training.loss, out, y)  # noqa: E731
        seen = probe_sequences(model, self.x, self.y, loss, MAX_UNITS, self.steps)
        n = self.steps or len(self.time)
        window = None if self.steps is None else {"steps": n, "steps_total": len(self.time), "limit_kb": self.limit_kb}
        return [{"type": "gates", "step": step, "epoch": epoch, "time": self.time[:n],
                 "values": None if self.values is None else self.values[:n], "window": window,
                 "layers": seen["layers"]},
                {"type": "time_gradients", "step": step, "epoch": epoch, "batch": len(self.x),
                 "layers": seen["time_gradients"]}]

    def forecast(self, model: nn.Sequential, step: int, epoch: int) -> dict:
        s, meta = self.split, self.split.meta
        was_training = model.training
        model.eval()
        with torch.no_grad():
            param = next(model.parameters())
            predicted = model(s.x_test.to(param.device))[:, 0].double().cpu() * meta["std"] + meta["mean"]  # (n,)
        model.train(was_training)
        actual = s.y_test[:, 0].double() * meta["std"] + meta["mean"]
        naive = s.x_test[:, -1, 0].double() * meta["std"] + meta["mean"]  # the last observed value
        return {"type": "forecast", "step": step, "epoch": epoch, "unit": meta["unit"],
                "time": [round(float(t), 4) for t in meta["test_time"]], "actual": _r(actual),
                "predicted": [finite_or_none(v) for v in _r(predicted)], "naive": _r(naive),
                "mae": finite_or_none(float((predicted - actual).abs().mean())),
                "naive_mae": float((naive - actual).abs().mean())}

    def sample(self, model: nn.Sequential, step: int, epoch: int) -> dict:
        t, vocab = self.spec.training, self.info.vocab
        prompt = self.split.x_test[1 % len(self.split.x_test), :PROMPT_CHARS].to(self.x.device)
        ids = generate(model, prompt, t.sample_length, t.temperature, self.generator,
                       context=self.split.x_test.shape[1])  # attention networks read the trained length
        text = lambda seq: "".join("?" if vocab[i] == vocab[0] else vocab[i] for i in seq)  # noqa: E731 (<unk> -> ?)
        return {"type": "text_sample", "step": step, "epoch": epoch, "prompt": text(prompt.tolist()),
                "text": text(ids), "temperature": t.temperature}


def _r(t: torch.Tensor) -> list[float]:
    return t.round(decimals=4).tolist()
