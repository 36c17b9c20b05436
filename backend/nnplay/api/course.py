"""Thin REST routes of the course's worked examples: the convolution explorer."""

from fastapi import APIRouter

from nnplay.api.routes import ERRORS
from nnplay.nn.conv_arithmetic import explain
from nnplay.spec.conv import POOL_EXAMPLE, WORKED_EXAMPLE, ConvExplainOut, ConvExplainSpec

router = APIRouter(prefix="/api")


@router.post("/conv/explain", response_model=ConvExplainOut, responses={400: ERRORS[400], 422: ERRORS[422]})
def conv_explain(body: ConvExplainSpec):
    """A convolution (``torch.nn.functional.conv2d``) and optional pooling on a small input, with each
    output value written out as the sum of products over its window plus the bias, and the output-size
    formula ``floor((n + 2p - k)/s) + 1`` per axis."""
    return explain(body)


@router.get("/conv/examples", response_model=dict[str, ConvExplainSpec])
def conv_examples():
    """The course's worked examples as requests for ``POST /api/conv/explain``: ``conv`` (5x5x3 input,
    padding 1, two 3x3x3 filters, stride 2) and ``maxpool`` (a 4x4 block, 2x2 windows, stride 2)."""
    return {"conv": ConvExplainSpec.model_validate(WORKED_EXAMPLE),
            "maxpool": ConvExplainSpec.model_validate(POOL_EXAMPLE)}
