"""One pydantic model per layer type, discriminated on ``type``.

Shapes here exclude the batch dimension: an image is ``(C, H, W)``, a feature vector ``(F,)``, a
sequence ``(T, F)``. Each model knows its output shape and parameter count for a given input shape
and raises :class:`LayerShapeError` (a ``ValueError``) with the offending field when it cannot accept
that input. Sizes that follow from the previous layer (``in_features``, ``in_channels``) are inferred
and may be left out; when given, they must match.

Output-size formulas follow the PyTorch docs of ``nn.Conv2d`` / ``nn.MaxPool2d``:
``out = floor((in + 2*padding - kernel_size) / stride) + 1``.
"""

from math import prod
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

Shape = tuple[int, ...]
Init = Literal["default", "xavier_uniform", "kaiming_normal", "normal", "zeros", "large_normal"]
INIT_DESCRIPTION = ("Initial weights: 'default' (torch's own, Kaiming-uniform with a=sqrt(5)), "
                    "'xavier_uniform' (Glorot & Bengio 2010), 'kaiming_normal' (He et al. 2015, for ReLU), "
                    "'normal' (N(0, 0.01^2)), 'zeros' or 'large_normal' (N(0, 1), too large on purpose: "
                    "sigmoid/tanh units start saturated); biases start at 0 except with 'default'.")


class LayerShapeError(ValueError):
    """Raised by a layer for an input shape it cannot take; ``field`` names the spec field at fault."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def fmt(shape: Shape) -> str:
    """``(6, 4, 4)`` -> ``"(6, 4, 4)"``; ``(64,)`` -> ``"(64,)"``."""
    return str(tuple(shape))


class LayerBase(BaseModel):
    """Common behaviour: extra fields are refused; shape-preserving and parameter-free by default."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    takes_tokens: ClassVar[bool] = False  # True for a layer that reads int64 token ids (embedding)

    def output_shape(self, in_shape: Shape) -> Shape:
        """Shape of one example after this layer; raises LayerShapeError if ``in_shape`` is refused."""
        return in_shape

    def param_count(self, in_shape: Shape) -> int:
        """Number of trainable parameters for this input shape."""
        return 0

    def resolved(self, in_shape: Shape) -> dict:
        """Constructor arguments with inferred sizes filled in (used by the torch builder)."""
        return self.model_dump(exclude={"type"})

    def arithmetic(self, in_shape: Shape) -> str | None:
        """How the output size follows from the input size, written out (conv and pooling layers), else None."""
        return None


def _require_image(layer: str, in_shape: Shape) -> Shape:
    if len(in_shape) != 3:
        raise LayerShapeError(
            None,
            f"{layer} expects an image shaped (channels, height, width) but receives {fmt(in_shape)}; "
            "use an image data set such as 'digits', and put conv/pool layers before any flatten",
        )
    return in_shape


def _spatial_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def size_formula(size: int, kernel: int, stride: int, padding: int) -> str:
    """The output-size formula with the numbers in: ``"⌊(28 + 2·2 − 5)/1⌋ + 1 = 28"``."""
    out = _spatial_out(size, kernel, stride, padding)
    return f"⌊({size} + 2·{padding} − {kernel})/{stride}⌋ + 1 = {out}"


def spatial_arithmetic(in_shape: Shape, kernel: int, stride: int, padding: int) -> str:
    """Both spatial sizes of ``(C, H, W)``, one formula when H equals W:
    ``"H, W: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 3"`` (n input, p padding, k kernel, s stride)."""
    _, h, w = in_shape
    if h == w:
        return "H, W: " + size_formula(h, kernel, stride, padding)
    return f"H: {size_formula(h, kernel, stride, padding)}; W: {size_formula(w, kernel, stride, padding)}"


class Linear(LayerBase):
    """Fully connected layer ``y = x W^T + b``: ``(..., in_features) -> (..., out_features)``."""

    type: Literal["linear"]
    out_features: int = Field(ge=1, le=65536, description="Output units.")
    in_features: int | None = Field(None, ge=1, le=1_000_000, description="Inferred if left out.")
    bias: bool = True
    init: Init = Field("default", description=INIT_DESCRIPTION)

    def output_shape(self, in_shape: Shape) -> Shape:
        if len(in_shape) not in (1, 2):
            raise LayerShapeError(
                None,
                f"linear expects (features,) but receives {fmt(in_shape)}; add a flatten layer before it",
            )
        if self.in_features is not None and self.in_features != in_shape[-1]:
            raise LayerShapeError(
                "in_features",
                f"in_features is {self.in_features} but the incoming shape {fmt(in_shape)} "
                f"has {in_shape[-1]} features; leave in_features out to infer it",
            )
        return in_shape[:-1] + (self.out_features,)

    def param_count(self, in_shape: Shape) -> int:
        return in_shape[-1] * self.out_features + (self.out_features if self.bias else 0)

    def resolved(self, in_shape: Shape) -> dict:
        return {"in_features": in_shape[-1], "out_features": self.out_features, "bias": self.bias}


class Conv2d(LayerBase):
    """2-D convolution: ``(C_in, H, W) -> (out_channels, H_out, W_out)``.

    ``padding`` is a number of pixels on each side, ``"valid"`` (0) or ``"same"`` (output size equals
    input size; PyTorch allows it only with ``stride`` 1).
    """

    type: Literal["conv2d"]
    out_channels: int = Field(ge=1, le=1024)
    kernel_size: int = Field(ge=1, le=64)
    stride: int = Field(1, ge=1, le=64)
    padding: Annotated[int, Field(ge=0, le=64)] | Literal["same", "valid"] = 0
    in_channels: int | None = Field(None, ge=1, le=4096, description="Inferred if left out.")
    bias: bool = True
    init: Init = Field("default", description=INIT_DESCRIPTION)

    def _pad(self) -> int:
        if self.padding == "valid":
            return 0
        if self.padding == "same":
            return (self.kernel_size - 1) // 2
        return self.padding

    def output_shape(self, in_shape: Shape) -> Shape:
        c, h, w = _require_image("conv2d", in_shape)
        if self.in_channels is not None and self.in_channels != c:
            raise LayerShapeError(
                "in_channels", f"in_channels is {self.in_channels} but the incoming image {fmt(in_shape)} has {c}"
            )
        if self.padding == "same":
            if self.stride != 1:
                raise LayerShapeError("padding", "padding 'same' needs stride 1 (a PyTorch rule)")
            return (self.out_channels, h, w)
        pad = self._pad()
        oh, ow = (_spatial_out(s, self.kernel_size, self.stride, pad) for s in (h, w))
        if oh < 1 or ow < 1:
            raise LayerShapeError(
                "kernel_size",
                f"kernel_size {self.kernel_size} is larger than the incoming {h}x{w} map "
                f"with padding {pad}; use a smaller kernel or more padding",
            )
        return (self.out_channels, oh, ow)

    def arithmetic(self, in_shape: Shape) -> str | None:
        if self.padding == "same":
            return f"padding 'same', stride 1: H, W kept ({in_shape[1]}×{in_shape[2]})"
        return spatial_arithmetic(in_shape, self.kernel_size, self.stride, self._pad())

    def param_count(self, in_shape: Shape) -> int:
        weights = in_shape[0] * self.out_channels * self.kernel_size**2
        return weights + (self.out_channels if self.bias else 0)

    def resolved(self, in_shape: Shape) -> dict:
        return {
            "in_channels": in_shape[0],
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "bias": self.bias,
        }


class _Pool2d(LayerBase):
    kernel_size: int = Field(ge=1, le=64)
    stride: int | None = Field(None, ge=1, le=64, description="Defaults to kernel_size.")
    padding: int = Field(0, ge=0, le=32, description="At most half the kernel size (PyTorch rule).")

    def output_shape(self, in_shape: Shape) -> Shape:
        c, h, w = _require_image(self.type, in_shape)
        if 2 * self.padding > self.kernel_size:
            raise LayerShapeError(
                "padding", f"padding {self.padding} exceeds half of kernel_size {self.kernel_size}"
            )
        stride = self.stride or self.kernel_size
        oh, ow = (_spatial_out(s, self.kernel_size, stride, self.padding) for s in (h, w))
        if oh < 1 or ow < 1:
            raise LayerShapeError(
                "kernel_size",
                f"{self.type} with kernel_size {self.kernel_size} shrinks the incoming {h}x{w} map "
                f"to {oh}x{ow}, below 1x1; remove a pooling layer or use a smaller kernel",
            )
        return (c, oh, ow)

    def resolved(self, in_shape: Shape) -> dict:
        return {"kernel_size": self.kernel_size, "stride": self.stride or self.kernel_size, "padding": self.padding}

    def arithmetic(self, in_shape: Shape) -> str | None:
        return spatial_arithmetic(in_shape, self.kernel_size, self.stride or self.kernel_size, self.padding)


class MaxPool2d(_Pool2d):
    """Max pooling: ``(C, H, W) -> (C, H_out, W_out)``."""

    type: Literal["maxpool2d"]


class AvgPool2d(_Pool2d):
    """Average pooling: ``(C, H, W) -> (C, H_out, W_out)``."""

    type: Literal["avgpool2d"]


class Flatten(LayerBase):
    """Flattens everything but the batch dimension: ``(C, H, W) -> (C*H*W,)``."""

    type: Literal["flatten"]

    def output_shape(self, in_shape: Shape) -> Shape:
        return (prod(in_shape),)


class Dropout(LayerBase):
    """Zeroes each element with probability ``p`` while training (scaled by 1/(1-p)); shape kept."""

    type: Literal["dropout"]
    p: float = Field(0.5, ge=0.0, lt=1.0)


class _BatchNorm(LayerBase):
    """Shared by the batch norms: 2 parameters (scale, shift) per channel, ``num_features`` inferred."""

    num_features: int | None = Field(None, ge=1, description="Inferred if left out.")

    def _channels(self, in_shape: Shape) -> int:
        raise NotImplementedError

    def output_shape(self, in_shape: Shape) -> Shape:
        c = self._channels(in_shape)
        if self.num_features is not None and self.num_features != c:
            raise LayerShapeError(
                "num_features", f"num_features is {self.num_features} but the input {fmt(in_shape)} has {c} channels"
            )
        return in_shape

    def param_count(self, in_shape: Shape) -> int:
        return 2 * in_shape[0]

    def resolved(self, in_shape: Shape) -> dict:
        return {"num_features": in_shape[0]}


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over features: ``(F,)`` or ``(C, L)``; 2 parameters per feature."""

    type: Literal["batchnorm1d"]

    def _channels(self, in_shape: Shape) -> int:
        if len(in_shape) not in (1, 2):
            raise LayerShapeError(
                None, f"batchnorm1d expects (features,) or (channels, length) but receives {fmt(in_shape)}"
            )
        return in_shape[0]


class BatchNorm2d(_BatchNorm):
    """Batch normalisation per channel of an image ``(C, H, W)``; 2 parameters per channel."""

    type: Literal["batchnorm2d"]

    def _channels(self, in_shape: Shape) -> int:
        return _require_image("batchnorm2d", in_shape)[0]


class LocalResponseNorm(LayerBase):
    """Local response normalisation across channels (Krizhevsky, Sutskever & Hinton 2012, section 3.3;
    ``torch.nn.LocalResponseNorm``): ``(C, H, W) -> (C, H, W)``,
    ``b_c = a_c / (k + alpha / size * sum of a_c'^2 over the size channels around c) ** beta``.
    AlexNet used ``size`` 5, ``alpha`` 1e-4, ``beta`` 0.75, ``k`` 2 after its first two convolutions.
    No parameters."""

    type: Literal["local_response_norm"]
    size: int = Field(5, ge=1, le=64, description="Neighbouring channels summed over (AlexNet: 5).")
    alpha: float = Field(1e-4, ge=0.0, le=10.0, description="Multiplicative factor (AlexNet: 1e-4).")
    beta: float = Field(0.75, ge=0.0, le=10.0, description="Exponent (AlexNet: 0.75).")
    k: float = Field(2.0, ge=0.0, le=100.0, description="Additive constant (AlexNet: 2).")

    def output_shape(self, in_shape: Shape) -> Shape:
        return _require_image("local_response_norm", in_shape)


class ReLU(LayerBase):
    """``max(0, x)`` elementwise."""

    type: Literal["relu"]


class LeakyReLU(LayerBase):
    """``x if x > 0 else negative_slope * x`` elementwise."""

    type: Literal["leaky_relu"]
    negative_slope: float = Field(0.01, ge=0.0, le=1.0)


class Sigmoid(LayerBase):
    """``1 / (1 + exp(-x))`` elementwise."""

    type: Literal["sigmoid"]


class Tanh(LayerBase):
    """Hyperbolic tangent elementwise."""

    type: Literal["tanh"]


class GELU(LayerBase):
    """Gaussian error linear unit ``x * Phi(x)`` (Hendrycks & Gimpel, 2016)."""

    type: Literal["gelu"]


class Softmax(LayerBase):
    """Softmax over the last dimension; rows sum to 1."""

    type: Literal["softmax"]


def _require_sequence(layer: str, in_shape: Shape) -> Shape:
    """``(T, E)`` or LayerShapeError: attention and pooling need a sequence of vectors."""
    if len(in_shape) != 2:
        raise LayerShapeError(
            None,
            f"{layer} expects a sequence shaped (time, features) but receives {fmt(in_shape)}; "
            "use a text or sequence data set and put an embedding layer first (token ids (T,) -> (T, E))",
        )
    return in_shape


def _check_heads(width_field: str, width: int, num_heads: int, given: bool) -> None:
    """Multi-head attention splits the width into ``num_heads`` heads of ``width // num_heads``."""
    if width % num_heads:
        source = "" if given else " (inferred from the incoming features)"
        raise LayerShapeError(
            "num_heads",
            f"{width_field} {width}{source} is not divisible by num_heads {num_heads}: each head gets "
            f"{width_field} / num_heads features; choose num_heads dividing {width}",
        )


def _check_width(field: str, value: int | None, in_shape: Shape) -> int:
    if value is not None and value != in_shape[-1]:
        raise LayerShapeError(field, f"{field} is {value} but the incoming sequence {fmt(in_shape)} has "
                              f"{in_shape[-1]} features per step; leave {field} out to infer it")
    return in_shape[-1]


class PositionalEncoding(LayerBase):
    """Adds position information to a sequence ``(T, E) -> (T, E)``.

    ``sinusoidal``: the fixed encoding of Vaswani et al. (2017), ``PE[t, 2i] = sin(t / 10000^(2i/E))``,
    ``PE[t, 2i+1] = cos(...)``; ``learned``: a trainable ``(max_len, E)`` table (as in BERT and GPT).
    Sequences longer than ``max_len`` are refused.
    """

    type: Literal["positional_encoding"]
    kind: Literal["sinusoidal", "learned"] = "sinusoidal"
    max_len: int = Field(512, ge=1, le=8192, description="Longest sequence (time steps) it encodes.")

    def output_shape(self, in_shape: Shape) -> Shape:
        t, e = _require_sequence("positional_encoding", in_shape)
        if t > self.max_len:
            raise LayerShapeError("max_len", f"the sequence has {t} time steps but max_len is {self.max_len}; "
                                  f"raise max_len to at least {t}")
        if self.kind == "sinusoidal" and e % 2:
            raise LayerShapeError("kind", f"sinusoidal encoding pairs sin and cos, so it needs an even number of "
                                  f"features, not {e}; use an even embedding_dim or kind 'learned'")
        return in_shape

    def param_count(self, in_shape: Shape) -> int:
        return self.max_len * in_shape[-1] if self.kind == "learned" else 0

    def resolved(self, in_shape: Shape) -> dict:
        return {"d_model": in_shape[-1], "max_len": self.max_len, "kind": self.kind}


Score = Literal["scaled_dot", "dot", "cosine", "additive"]
SCORE_DESCRIPTION = ("Similarity of a query with each key, before the softmax: 'scaled_dot' q.k/sqrt(d) "
                     "(Vaswani et al. 2017), 'dot' q.k (Luong et al. 2015), 'cosine' g*cos(q, k) with a learned "
                     "scale g per head starting at sqrt(d), 'additive' v^T tanh(q + k) (Bahdanau et al. 2015); "
                     "d = width / num_heads.")


class SelfAttention(LayerBase):
    """Multi-head self-attention (Vaswani et al., 2017): ``(T, E) -> (T, E)``.

    ``softmax(score(Q, K)) V`` per head, heads concatenated and projected (the projections of
    ``torch.nn.MultiheadAttention``); ``score`` ``scaled_dot`` is ``Q K^T / sqrt(E / num_heads)``
    (torch's fused attention), see ``SCORE_DESCRIPTION`` and ``nnplay.nn.attention.AttentionScore`` for
    the others. ``causal``: position t attends to positions <= t only. Padding positions of the data are
    masked out as keys. No residual connection or normalisation: use ``transformer_encoder`` for full
    blocks.
    """

    type: Literal["self_attention"]
    num_heads: int = Field(1, ge=1, le=64)
    embed_dim: int | None = Field(None, ge=1, le=4096, description="Inferred if left out.")
    causal: bool = Field(False, description="Mask future positions (for language modelling).")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout on the attention weights while training.")
    bias: bool = True
    score: Score = Field("scaled_dot", description=SCORE_DESCRIPTION)

    def output_shape(self, in_shape: Shape) -> Shape:
        _require_sequence("self_attention", in_shape)
        width = _check_width("embed_dim", self.embed_dim, in_shape)
        _check_heads("embed_dim", width, self.num_heads, self.embed_dim is not None)
        return in_shape

    def param_count(self, in_shape: Shape) -> int:
        e = in_shape[-1]
        return 4 * e * e + (4 * e if self.bias else 0) + score_params(self.score, self.num_heads, e)

    def resolved(self, in_shape: Shape) -> dict:
        return {"embed_dim": in_shape[-1], "num_heads": self.num_heads, "causal": self.causal,
                "dropout": self.dropout, "bias": self.bias, "score": self.score}


def score_params(score: str, num_heads: int, width: int) -> int:
    """Parameters of a similarity score: a scale per head (cosine), a vector v per head (additive)."""
    return {"cosine": num_heads, "additive": width}.get(score, 0)


class CrossAttention(LayerBase):
    """Encoder-decoder (cross) attention: ``(S + T, E) -> (T, E)``, for data whose examples hold a source
    of ``source_len`` tokens then the target side (the target shifted right, ``dates``).

    The source is encoded by a bidirectional GRU (``E / 2`` units each way), the target side by a GRU of
    ``E`` units starting from the encoder's last states (it sees earlier target tokens only); every
    decoder state attends to the encoder states with ``num_heads`` heads and the similarity ``score``
    (Bahdanau et al. 2015; Luong et al. 2015); the output is ``tanh(W_c [context; decoder state])``.
    ``nnplay.nn.attention.CrossAttention``. Layers before it see source and target side together, so keep
    them per-token (embedding, positional_encoding).
    """

    type: Literal["cross_attention"]
    source_len: int = Field(ge=1, le=4096, description="Leading tokens of each example that are the source "
                            "(the data set says how many: dates 18).")
    num_heads: int = Field(1, ge=1, le=64)
    score: Score = Field("scaled_dot", description=SCORE_DESCRIPTION)
    embed_dim: int | None = Field(None, ge=2, le=4096, description="Inferred if left out.")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout on the attention weights while training.")

    def output_shape(self, in_shape: Shape) -> Shape:
        steps, _ = _require_sequence("cross_attention", in_shape)
        width = _check_width("embed_dim", self.embed_dim, in_shape)
        _check_heads("embed_dim", width, self.num_heads, self.embed_dim is not None)
        if width % 2:
            raise LayerShapeError("embed_dim", f"the bidirectional encoder gives each direction embed_dim / 2 "
                                  f"units, so embed_dim must be even, not {width}")
        if self.source_len >= steps:
            raise LayerShapeError("source_len", f"source_len {self.source_len} leaves no target side in a "
                                  f"sequence of {steps} steps; it must be below {steps}")
        return (steps - self.source_len, width)

    def param_count(self, in_shape: Shape) -> int:
        e = in_shape[-1]
        h = e // 2
        encoder = 2 * 3 * (e * h + h * h + 2 * h)
        decoder = 3 * (e * e + e * e + 2 * e)
        return encoder + decoder + 4 * e * e + 4 * e + score_params(self.score, self.num_heads, e) + 2 * e * e + e

    def resolved(self, in_shape: Shape) -> dict:
        return {"embed_dim": in_shape[-1], "num_heads": self.num_heads, "source_len": self.source_len,
                "score": self.score, "dropout": self.dropout}


class TransformerEncoder(LayerBase):
    """A stack of ``num_layers`` transformer encoder blocks (Vaswani et al., 2017): ``(T, E) -> (T, E)``.

    Each block is self-attention then a feed-forward net (``d_model -> dim_feedforward -> d_model``),
    each with a residual connection and layer norm, after the sub-layer (``norm_first`` false, the
    original) or before it (``norm_first`` true, pre-norm as in GPT-2). ``torch.nn.TransformerEncoderLayer``.
    ``causal``: each position attends to itself and earlier positions only.
    """

    type: Literal["transformer_encoder"]
    num_layers: int = Field(1, ge=1, le=24)
    num_heads: int = Field(1, ge=1, le=64)
    d_model: int | None = Field(None, ge=1, le=4096, description="Inferred if left out.")
    dim_feedforward: int | None = Field(None, ge=1, le=16384, description="Defaults to 4 * d_model.")
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    activation: Literal["relu", "gelu"] = "relu"
    norm_first: bool = Field(False, description="Pre-norm (true) or post-norm (false) blocks.")
    causal: bool = Field(False, description="Mask future positions (for language modelling).")

    def output_shape(self, in_shape: Shape) -> Shape:
        _require_sequence("transformer_encoder", in_shape)
        width = _check_width("d_model", self.d_model, in_shape)
        _check_heads("d_model", width, self.num_heads, self.d_model is not None)
        return in_shape

    def param_count(self, in_shape: Shape) -> int:
        d = in_shape[-1]
        ff = self.dim_feedforward or 4 * d
        per_layer = (4 * d * d + 4 * d) + (d * ff + ff) + (ff * d + d) + 4 * d
        return self.num_layers * per_layer

    def resolved(self, in_shape: Shape) -> dict:
        d = in_shape[-1]
        return {"d_model": d, "num_heads": self.num_heads, "num_layers": self.num_layers,
                "dim_feedforward": self.dim_feedforward or 4 * d, "dropout": self.dropout,
                "activation": self.activation, "norm_first": self.norm_first, "causal": self.causal}


class SequencePool(LayerBase):
    """Pools a sequence into one vector for classification: ``(T, E) -> (E,)``.

    ``mean``: average over the non-padding positions; ``first``: the vector at position 0 (the
    ``<cls>`` token of BERT-style classifiers); ``last``: the vector at the last non-padding position.
    """

    type: Literal["sequence_pool"]
    mode: Literal["mean", "first", "last"] = "mean"

    def output_shape(self, in_shape: Shape) -> Shape:
        _require_sequence("sequence_pool", in_shape)
        return in_shape[1:]


class Embedding(LayerBase):
    """A lookup table of ``embedding_dim`` numbers per token: token ids ``(T,)`` -> ``(T, embedding_dim)``.

    Takes the int64 token ids of a text data set, so it comes first; ``num_embeddings`` (the table's
    rows) is the data set's vocabulary size, inferred if left out.
    """

    type: Literal["embedding"]
    takes_tokens: ClassVar[bool] = True
    embedding_dim: int = Field(ge=1, le=4096, description="Numbers per token.")
    num_embeddings: int | None = Field(None, ge=1, le=1_000_000,
                                       description="Vocabulary size; inferred from the data set if left out.")

    def output_shape(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 1:
            raise LayerShapeError(None, f"embedding expects token ids (T,) but receives {fmt(in_shape)}")
        return in_shape + (self.embedding_dim,)

    def param_count(self, in_shape: Shape) -> int:
        return (self.num_embeddings or 0) * self.embedding_dim

    def resolved(self, in_shape: Shape) -> dict:
        return {"num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}


class _Recurrent(LayerBase):
    """Shared by rnn, lstm and gru: batch-first ``(T, input_size)`` -> ``(T, D*hidden_size)`` with
    ``return_sequences`` (every step), or ``(D*hidden_size,)``, the last step of each direction (D = 2
    when bidirectional: the forward direction's state after step T and the backward one's after step 1).
    """

    gates: ClassVar[int] = 1  # weight blocks per direction and layer: rnn 1, gru 3, lstm 4
    hidden_size: int = Field(ge=1, le=4096, description="Units of the hidden state h_t.")
    num_layers: int = Field(1, ge=1, le=8, description="Stacked recurrent layers.")
    bidirectional: bool = Field(False, description="Also run the sequence backwards; outputs concatenated.")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout between stacked layers (num_layers >= 2).")
    return_sequences: bool = Field(False, description="true: output every step (T, D*hidden_size), for a "
                                   "following recurrent layer or per-step outputs; false: the last step only.")
    input_size: int | None = Field(None, ge=1, le=1_000_000, description="Inferred if left out.")

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def output_shape(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 2:
            raise LayerShapeError(None, f"{self.type} expects a sequence (time, features) but receives "
                                  f"{fmt(in_shape)}; it needs sequence data, or a previous recurrent layer "
                                  "with return_sequences true")
        if self.input_size is not None and self.input_size != in_shape[1]:
            raise LayerShapeError("input_size", f"input_size is {self.input_size} but the incoming sequence "
                                  f"{fmt(in_shape)} has {in_shape[1]} features; leave input_size out to infer it")
        width = self.directions * self.hidden_size
        return (in_shape[0], width) if self.return_sequences else (width,)

    def param_count(self, in_shape: Shape) -> int:
        h, total, size = self.hidden_size, 0, in_shape[1]
        for _ in range(self.num_layers):
            total += self.directions * self.gates * (size * h + h * h + 2 * h)
            size = self.directions * h
        return total

    def resolved(self, in_shape: Shape) -> dict:
        return {"input_size": in_shape[1], "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "bidirectional": self.bidirectional, "dropout": self.dropout,
                "return_sequences": self.return_sequences}


class RNN(_Recurrent):
    """Elman recurrent layer ``h_t = act(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`` (torch.nn.RNN),
    ``nonlinearity`` tanh or relu. Shapes: see ``return_sequences``."""

    type: Literal["rnn"]
    nonlinearity: Literal["tanh", "relu"] = "tanh"

    def resolved(self, in_shape: Shape) -> dict:
        return {**super().resolved(in_shape), "nonlinearity": self.nonlinearity}


class LSTM(_Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber 1997; torch.nn.LSTM): input, forget, cell and
    output gates i, f, g, o; ``c_t = f*c_(t-1) + i*g``, ``h_t = o*tanh(c_t)``. Shapes: see ``return_sequences``."""

    type: Literal["lstm"]
    gates: ClassVar[int] = 4


class GRU(_Recurrent):
    """Gated recurrent unit (Cho et al. 2014; torch.nn.GRU): reset r, update z, new n;
    ``h_t = (1-z)*n + z*h_(t-1)``. Shapes: see ``return_sequences``."""

    type: Literal["gru"]
    gates: ClassVar[int] = 3



LAYER_MODELS: tuple[type[LayerBase], ...] = (
    Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, Dropout, BatchNorm1d, BatchNorm2d, LocalResponseNorm,
    ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax,
    PositionalEncoding, SelfAttention, CrossAttention, TransformerEncoder, SequencePool,
    Embedding, RNN, LSTM, GRU,
)

LayerSpec = Annotated[Union[LAYER_MODELS], Field(discriminator="type")]  # type: ignore[valid-type]

LAYER_TYPES: tuple[str, ...] = tuple(m.model_fields["type"].annotation.__args__[0] for m in LAYER_MODELS)

# Layer families: named groups of layer types, defined here once; the probes, the shape checks, the
# protocol and the probe registry ask these instead of keeping their own lists (a test holds every
# member to be a layer type).
LAYER_FAMILIES: dict[str, tuple[str, ...]] = {
    "recurrent": ("rnn", "lstm", "gru"),
    "attention": ("self_attention", "transformer_encoder"),
    "feature_map": ("conv2d", "maxpool2d", "avgpool2d"),  # outputs (C, H, W) drawn as feature maps
    "image": ("conv2d", "maxpool2d", "avgpool2d", "batchnorm2d", "local_response_norm"),  # need (C, H, W) input
    "cross_attention": ("cross_attention",),  # attends from the target side to the source (encoder-decoder)
    "sequence": ("embedding", "rnn", "lstm", "gru", "positional_encoding", "self_attention",
                 "transformer_encoder", "sequence_pool", "cross_attention"),  # need (T, F) input or token ids
    "pointwise_activation": ("relu", "leaky_relu", "sigmoid", "tanh", "gelu"),  # one value in, one out
    "activation": ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax"),
    "trainable": ("linear", "conv2d", "embedding", "self_attention", "transformer_encoder", "rnn", "lstm", "gru",
                  "cross_attention"),
    "weighted": ("linear", "conv2d", "embedding", "self_attention", "transformer_encoder", "rnn", "lstm", "gru",
                 "cross_attention", "batchnorm1d", "batchnorm2d"),  # own weights (the Weights panel's histograms)
    "dense": ("linear",),  # the units of an MLP's hidden blocks
    "affine": ("linear", "conv2d"),  # an affine map an activation usually follows: the page's builder blocks
}
RECURRENT_TYPES: tuple[str, ...] = LAYER_FAMILIES["recurrent"]
ATTENTION_TYPES: tuple[str, ...] = LAYER_FAMILIES["attention"]


def in_family(layer_type: str, family: str) -> bool:
    """Whether ``layer_type`` belongs to ``family`` (a key of ``LAYER_FAMILIES``; KeyError otherwise)."""
    return layer_type in LAYER_FAMILIES[family]
