"""The convolution explorer: every written-out sum equals torch's conv2d; the worked examples give the
hand-computed numbers; output sizes follow floor((n + 2p - k)/s) + 1; the layer summary shows it."""

import pytest
import torch
import torch.nn.functional as F
from pydantic import ValidationError

from nnplay.nn.conv_arithmetic import explain
from nnplay.spec.conv import POOL_EXAMPLE, WORKED_EXAMPLE, WORKED_FILTERS, WORKED_INPUT, ConvExplainSpec
from nnplay.spec.errors import SpecError
from nnplay.spec.network import NetworkSpec, infer_shapes


def test_worked_example_matches_torch_conv2d_float32_and_hand_sums():
    out = explain(ConvExplainSpec.model_validate(WORKED_EXAMPLE))
    x, w = torch.tensor(WORKED_INPUT, dtype=torch.float32), torch.tensor(WORKED_FILTERS, dtype=torch.float32)
    oracle = F.conv2d(x[None], w, torch.tensor([1.0, 0.0]), stride=2, padding=1)[0]  # (2, 3, 3)
    assert oracle.shape == (2, 3, 3) and len(out.cells) == 18
    assert torch.allclose(torch.tensor(out.output, dtype=torch.float32), oracle, atol=1e-5)
    for cell in out.cells:
        assert len(cell.terms) == 27  # 3 channels x 3 x 3
        assert sum(t.x * t.w for t in cell.terms) + cell.bias == pytest.approx(float(oracle[cell.filter, cell.row, cell.col]))
        assert (cell.window_row, cell.window_col) == (2 * cell.row, 2 * cell.col)
    assert [s.text for s in out.sizes] == ["⌊(5 + 2·1 − 3)/2⌋ + 1 = 3"] * 2
    assert len(out.padded) == 3 and len(out.padded[0]) == 7 and out.padded[0][0] == [0.0] * 7


def test_worked_example_hand_computed_cells():
    """By hand, from the arrays in nnplay.spec.conv: out[0,0,0] = 0 (channel 0) + 1 (channel 1: 1·1)
    + (1·1 + 2·(-1)) (channel 2) + b0 1 = 1; out[1,1,1] = 1 - 2 - 2 + b1 0 = -3."""
    cells = {(c.filter, c.row, c.col): c for c in explain(ConvExplainSpec.model_validate(WORKED_EXAMPLE)).cells}
    assert cells[(0, 0, 0)].value == 1.0 and cells[(0, 0, 0)].text.endswith("+ 1 (bias b0) = 1")
    assert cells[(1, 1, 1)].value == -3.0
    assert cells[(0, 0, 0)].text.startswith("0·1 + 0·0 + 0·0 + 0·1 + 0·1 + 1·0")
    assert "2·(-1)" in cells[(0, 0, 0)].text


def test_max_pool_of_the_4x4_block_gives_6_8_3_4_as_torch():
    out = explain(ConvExplainSpec.model_validate(POOL_EXAMPLE))
    assert out.output is None and out.cells == []
    assert out.pool.output == [[[6.0, 8.0], [3.0, 4.0]]]
    block = torch.tensor(POOL_EXAMPLE["input"], dtype=torch.float32)
    assert out.pool.output == F.max_pool2d(block[None], 2, 2)[0].tolist()
    first = out.pool.cells[0]
    assert first.values == [[1.0, 1.0], [5.0, 6.0]] and first.argmax == (1, 1) and first.text == "max(1, 1, 5, 6) = 6"


@pytest.mark.parametrize("stride,padding,k", [(1, 0, 3), (2, 2, 5), (3, 1, 2)])
def test_random_convolutions_and_avg_pool_match_torch(stride, padding, k):
    gen = torch.Generator().manual_seed(stride * 10 + padding)
    x, w, b = torch.randn(2, 9, 8, generator=gen), torch.randn(3, 2, k, k, generator=gen), torch.randn(3, generator=gen)
    spec = ConvExplainSpec.model_validate({"input": x.tolist(), "filters": w.tolist(), "bias": b.tolist(),
                                           "stride": stride, "padding": padding,
                                           "pool": {"kind": "avg", "kernel_size": 2, "stride": 1}})
    out = explain(spec)
    oracle = F.conv2d(x[None], w, b, stride=stride, padding=padding)[0]
    assert torch.allclose(torch.tensor(out.output, dtype=torch.float32), oracle, atol=1e-5)
    assert [s.out for s in out.sizes] == list(oracle.shape[1:])
    assert torch.allclose(torch.tensor(out.pool.output, dtype=torch.float32), F.avg_pool2d(oracle[None], 2, 1)[0],
                          atol=1e-5)


def test_one_cell_on_request_and_too_many_terms_refused():
    big = {"input": torch.zeros(16, 32, 32).tolist(), "filters": torch.zeros(16, 16, 3, 3).tolist(), "padding": 1}
    with pytest.raises(SpecError) as err:
        explain(ConvExplainSpec.model_validate(big))
    assert err.value.loc == ("cell",)
    out = explain(ConvExplainSpec.model_validate({**big, "cell": [15, 31, 0]}))
    assert [(c.filter, c.row, c.col) for c in out.cells] == [(15, 31, 0)]


@pytest.mark.parametrize("change,field", [
    ({"filters": [[[[1.0]]]]}, "filters"),                     # 1 channel against the input's 3
    ({"bias": [1.0]}, "bias"),                                # one bias for two filters
    ({"input": [[[1.0, 2.0], [3.0]]]}, "input"),              # ragged
    ({"cell": [2, 0, 0]}, "cell"),                            # only filters 0 and 1
    ({"pool": {"kernel_size": 4}}, "pool"),                   # the output is 3x3
    ({"padding": 0, "filters": torch.zeros(2, 3, 7, 7).tolist()}, "filters"),  # larger than 5x5
])
def test_bad_requests_name_the_field(change, field):
    with pytest.raises(ValidationError) as err:
        ConvExplainSpec.model_validate({**WORKED_EXAMPLE, **change})
    assert err.value.errors()[0]["loc"][0] == field


def test_layer_summary_shows_the_output_size_arithmetic():
    net = NetworkSpec.model_validate({"layers": [
        {"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 2},
        {"type": "maxpool2d", "kernel_size": 3, "stride": 2},
        {"type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": "same"},
        {"type": "flatten"}]})
    rows = infer_shapes(net, (1, 28, 28))
    assert rows[0].arithmetic == "H, W: ⌊(28 + 2·2 − 5)/1⌋ + 1 = 28"
    assert rows[1].arithmetic == "H, W: ⌊(28 + 2·0 − 3)/2⌋ + 1 = 13" and rows[1].output_shape == [6, 13, 13]
    assert "same" in rows[2].arithmetic and rows[3].arithmetic is None
    rect = infer_shapes(NetworkSpec.model_validate({"layers": [{"type": "conv2d", "out_channels": 1,
                                                                "kernel_size": 3, "stride": 2}]}), (1, 9, 6))
    assert rect[0].arithmetic == "H: ⌊(9 + 2·0 − 3)/2⌋ + 1 = 4; W: ⌊(6 + 2·0 − 3)/2⌋ + 1 = 2"
