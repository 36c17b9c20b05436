"""What the convolution explorer asks for (``POST /api/conv/explain``) and what it answers.

The course's worked example (the CS231n convolution demo, Karpathy et al., https://cs231n.github.io/
convolutional-networks/): a 5x5x3 input zero-padded by 1 to 7x7x3, two 3x3x3 filters w0 and w1 with
biases b0 = 1 and b1 = 0, stride 2, giving a 3x3x2 output, each value a sum of 27 products plus the
bias. Max pooling: a 4x4 block with 2x2 windows, stride 2, gives ``6 8 / 3 4``.
Shapes here are ``(C, H, W)`` for the input, ``(K, C, kh, kw)`` for the filters, no batch dimension.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

MAX_CHANNELS, MAX_SIZE, MAX_FILTERS, MAX_KERNEL = 16, 32, 16, 11
MAX_TERMS = 20_000  # products written out in one answer (all cells, or the one asked for)

MAX_ABS = 1e6  # |values| bound: a sum of 16*11*11 products stays finite, so the answer is valid JSON
Number = Annotated[float, Field(ge=-MAX_ABS, le=MAX_ABS)]


def _dims(value, depth: int) -> tuple[int, ...]:
    """The shape of a rectangular nested list ``depth`` deep; ValueError naming the ragged level."""
    shape, level = [], [value]
    for d in range(depth):
        lengths = {len(v) for v in level}
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError(f"must be a rectangular array with {depth} dimensions; dimension {d} has "
                             f"lengths {sorted(lengths)}")
        shape.append(lengths.pop())
        level = [item for v in level for item in v]
    return tuple(shape)


def out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """``floor((size + 2 padding - kernel) / stride) + 1`` (torch.nn.Conv2d / MaxPool2d docs)."""
    return (size + 2 * padding - kernel) // stride + 1


class PoolSpec(BaseModel):
    """Pooling after the convolution (or on the input when there are no filters): ``max`` or ``avg``
    over ``kernel_size`` x ``kernel_size`` windows moved by ``stride`` (default ``kernel_size``), no padding."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    kind: Literal["max", "avg"] = "max"
    kernel_size: int = Field(2, ge=1, le=MAX_KERNEL)
    stride: int | None = Field(None, ge=1, le=8, description="Defaults to kernel_size.")


class ConvExplainSpec(BaseModel):
    """A convolution to compute and explain, cell by cell.

    - ``input``: ``(C, H, W)`` numbers, C <= 16, H and W <= 32; every number (input, filters, bias)
      within +-1e6.
    - ``filters``: ``(K, C, kh, kw)`` with the input's C, K <= 16, kh and kw <= 11 and no larger than
      the padded input; null: no convolution (``pool`` on the input alone).
    - ``bias``: ``(K,)``, zeros when left out. ``stride`` and ``padding`` (zeros on every side) in pixels.
    - ``pool``: optional pooling of the convolution's output (or of the input without filters).
    - ``cell``: ``[k, row, col]`` to explain one output value only; null explains every cell (refused
      beyond 20,000 products: ask for one cell).
    Errors are 422 at the field: ragged arrays, channel mismatch, a kernel larger than the padded input.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    input: list[list[list[Number]]]
    stride: int = Field(1, ge=1, le=8)
    padding: int = Field(0, ge=0, le=5)
    filters: list[list[list[list[Number]]]] | None = None
    bias: list[Number] | None = None
    pool: PoolSpec | None = None
    cell: list[int] | None = Field(None, min_length=3, max_length=3, description="[filter, row, col]")

    @field_validator("input")
    @classmethod
    def _input_shape(cls, value):
        c, h, w = _dims(value, 3)
        if c > MAX_CHANNELS or h > MAX_SIZE or w > MAX_SIZE:
            raise ValueError(f"is {c}x{h}x{w}; at most {MAX_CHANNELS} channels of {MAX_SIZE}x{MAX_SIZE}")
        return value

    @field_validator("filters")
    @classmethod
    def _filter_shape(cls, value, info: ValidationInfo):
        if value is None or "input" not in info.data:
            return value
        k, c, kh, kw = _dims(value, 4)
        ic, h, w = _dims(info.data["input"], 3)
        pad = info.data.get("padding", 0)
        if c != ic:
            raise ValueError(f"have {c} channels but the input has {ic}: each filter spans every input channel")
        if k > MAX_FILTERS or kh > MAX_KERNEL or kw > MAX_KERNEL:
            raise ValueError(f"are {k}x{c}x{kh}x{kw}; at most {MAX_FILTERS} filters of {MAX_KERNEL}x{MAX_KERNEL}")
        if kh > h + 2 * pad or kw > w + 2 * pad:
            raise ValueError(f"are {kh}x{kw}, larger than the padded input {h + 2 * pad}x{w + 2 * pad}")
        return value

    @field_validator("bias")
    @classmethod
    def _bias_length(cls, value, info: ValidationInfo):
        filters = info.data.get("filters")
        if value is not None and (filters is None or len(value) != len(filters)):
            raise ValueError(f"has {len(value)} values; it needs one per filter "
                             f"({0 if filters is None else len(filters)})")
        return value

    @field_validator("pool")
    @classmethod
    def _pool_fits(cls, value, info: ValidationInfo):
        if value is None or "input" not in info.data or ("filters" not in info.data):
            return value
        _, h, w = conv_shape(info.data)
        if value.kernel_size > min(h, w):
            raise ValueError(f"kernel_size {value.kernel_size} is larger than the {h}x{w} map it pools")
        return value

    @field_validator("cell")
    @classmethod
    def _cell_inside(cls, value, info: ValidationInfo):
        if value is None or "input" not in info.data or "filters" not in info.data:
            return value
        shape = conv_shape(info.data)
        if info.data["filters"] is None:
            raise ValueError("needs filters: it names one output value of the convolution")
        if not all(0 <= v < n for v, n in zip(value, shape)):
            raise ValueError(f"{list(value)} is outside the output, shaped {list(shape)} (filter, row, col)")
        return value

    def conv_shape(self) -> tuple[int, int, int]:
        """``(K, H_out, W_out)`` of the convolution, or the input's ``(C, H, W)`` without filters."""
        return conv_shape(self.model_dump())


def conv_shape(data: dict) -> tuple[int, int, int]:
    """``(K, H_out, W_out)`` from validated fields (see ``ConvExplainSpec.conv_shape``)."""
    c, h, w = _dims(data["input"], 3)
    filters = data.get("filters")
    if filters is None:
        return c, h, w
    k, _, kh, kw = _dims(filters, 4)
    stride, pad = data.get("stride", 1), data.get("padding", 0)
    return k, out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)


class ConvTerm(BaseModel):
    """One product of a sum: input ``x`` at ``(channel, row, col)`` of the padded input times ``w``."""

    channel: int
    row: int
    col: int
    x: float
    w: float


class ConvCell(BaseModel):
    """Output value ``(filter, row, col)``: its window's top-left corner in the padded input (``row *
    stride``, ``col * stride``), the products, the bias, torch's value and the sum written out."""

    filter: int
    row: int
    col: int
    window_row: int
    window_col: int
    terms: list[ConvTerm]
    bias: float
    value: float
    text: str


class PoolCell(BaseModel):
    """Pooled value ``(channel, row, col)``: its window (top-left ``window_row``, ``window_col``, values
    ``(k, k)``), torch's value and, for max pooling, where the maximum sits in the window."""

    channel: int
    row: int
    col: int
    window_row: int
    window_col: int
    values: list[list[float]]
    value: float
    argmax: tuple[int, int] | None
    text: str


class SizeFormula(BaseModel):
    """``floor((n + 2p - k)/s) + 1`` for one spatial axis, with its numbers and result."""

    axis: Literal["height", "width"]
    n: int
    p: int
    k: int
    s: int
    out: int
    text: str


class PoolOut(BaseModel):
    kind: str
    kernel_size: int
    stride: int
    output: list[list[list[float]]]  # (C, H_out, W_out)
    sizes: list[SizeFormula]
    cells: list[PoolCell]


class ConvExplainOut(BaseModel):
    """The convolution's output ``(K, H_out, W_out)`` (torch.nn.functional.conv2d, float64), the padded
    input ``(C, H + 2p, W + 2p)``, the size formulas, every explained cell, and the pooling if asked."""

    input_shape: list[int]
    padded: list[list[list[float]]]
    stride: int
    padding: int
    output: list[list[list[float]]] | None
    sizes: list[SizeFormula]
    cells: list[ConvCell]
    pool: PoolOut | None


WORKED_INPUT = [  # (3, 5, 5), zero-padded by 1 to the course's 7x7x3
    [[0, 1, 0, 2, 1], [0, 0, 1, 0, 1], [2, 1, 2, 1, 2], [0, 1, 2, 2, 0], [2, 1, 1, 2, 0]],
    [[0, 0, 0, 0, 2], [0, 1, 0, 0, 1], [2, 2, 1, 2, 2], [1, 2, 1, 1, 2], [0, 2, 0, 2, 1]],
    [[0, 1, 1, 2, 0], [2, 0, 1, 2, 1], [1, 1, 2, 1, 2], [2, 1, 2, 1, 1], [2, 1, 1, 0, 1]],
]
WORKED_FILTERS = [  # w0, w1: (2, 3, 3, 3)
    [[[1, 0, 0], [1, 1, 0], [0, 1, 1]], [[0, 1, 0], [1, 1, 0], [-1, 1, 1]], [[0, 0, 0], [0, 1, 1], [1, -1, -1]]],
    [[[0, 1, 1], [0, 1, 0], [0, -1, 0]], [[0, -1, -1], [-1, 1, 0], [-1, 0, 1]], [[-1, -1, -1], [0, 0, 1], [0, 0, 0]]],
]
WORKED_EXAMPLE = {"input": WORKED_INPUT, "filters": WORKED_FILTERS, "bias": [1, 0], "stride": 2, "padding": 1}
POOL_EXAMPLE = {"input": [[[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]],
                "pool": {"kind": "max", "kernel_size": 2, "stride": 2}}
