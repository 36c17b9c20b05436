"""ONNX export of the sequence networks: the recurrent and transformer presets' graphs give nnplay's
outputs in onnxruntime (oracle: nnplay's own network with the same weights)."""

import numpy as np
import onnxruntime
import pytest
import torch

from nnplay.data import dataset_info
from nnplay.nn import build_network, onnx_export
from nnplay.spec.network import bind_vocab
from nnplay.spec.presets import PRESETS


@pytest.mark.parametrize("preset", ["char_lstm_shakespeare", "gru_co2", "transformer_shakespeare", "attention_dates"])
def test_sequence_presets_export_to_onnx_and_match(preset):
    spec = next(p["spec"] for p in PRESETS if p["id"] == preset)
    info = dataset_info(spec.dataset, None)
    network = bind_vocab(spec.network, info.vocab_size)
    torch.manual_seed(0)
    model = build_network(network, tuple(info.input_shape), info.vocab_size, info.pad_id).eval()
    data = onnx_export.export_onnx(network, tuple(info.input_shape), model.state_dict(), info.pad_id)
    g = torch.Generator().manual_seed(1)
    x = (torch.randint(0, info.vocab_size, (3, *info.input_shape), generator=g) if info.vocab_size
         else torch.randn(3, *info.input_shape, generator=g))  # (N, T) token ids or (N, T, F) values
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    for n in (3, 1):  # the batch dimension stays dynamic
        (out,) = session.run(None, {"input": x[:n].numpy()})
        with torch.no_grad():
            np.testing.assert_allclose(out, model(x[:n]).numpy(), atol=1e-5, rtol=0)
