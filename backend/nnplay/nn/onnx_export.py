"""ONNX export of a built network with torch's dynamo exporter (``torch.onnx.export(dynamo=True)``).

Needs the ``onnxscript`` and ``onnx`` packages (torch 2.13's exporter imports them; the legacy
TorchScript exporter needs ``onnx`` too and is deprecated). The graph has one input ``"input"`` shaped
``(batch, *input_shape)`` with a symbolic batch dimension and one output ``"output"``; the network is
exported in eval mode (dropout off, batch norm with its running statistics).

Run it in a process of its own when other threads of the process train: ``torch.export`` traces
through process-wide state (torch.fx's current-node metadata), and tracing beside a training thread
made that thread fail (``KeyError: 'custom'`` in ``torch.fx.traceback.annotate``, torch 2.13). The
server does so with ``python -m nnplay.nn.onnx_export IN OUT`` (see :func:`main`).
"""

import sys

import torch

from nnplay.nn.builder import build_network
from nnplay.spec.network import NetworkSpec

OPSET = 18
EXIT_MISSING_PACKAGE, EXIT_EXPORT_FAILED = 3, 2


def export_onnx(network: NetworkSpec, input_shape: tuple[int, ...], state_dict: dict[str, torch.Tensor],
                pad_id: int | None = None) -> bytes:
    """The serialised ONNX ModelProto of ``network`` with the weights ``state_dict``.

    ``input_shape`` is one example's shape, e.g. ``(1, 8, 8)``. ``pad_id``: the data's padding token
    (text sets with ``<pad>``), masked in attention and pooling inside the graph as in training, so
    padded inputs give the same outputs as nnplay. Raises ImportError when onnxscript or onnx is
    missing, and the exporter's own errors (no common base class) for an op it cannot translate.
    """
    model = build_network(network, input_shape, pad_id=pad_id)
    model.load_state_dict(state_dict)
    model.eval()
    tokens = network.layers[0].type == "embedding"  # text data: int64 token ids in
    example = torch.zeros(2, *input_shape, dtype=torch.int64 if tokens else torch.float32)  # batch 2: torch.export specialises 1
    batch = torch.export.Dim("batch", min=1)
    with torch.no_grad():
        program = torch.onnx.export(model, (example,), dynamo=True, verbose=False, opset_version=OPSET,
                                    input_names=["input"], output_names=["output"], dynamic_shapes=({0: batch},))
    return program.model_proto.SerializeToString()


def main(argv: list[str]) -> int:
    """``IN OUT``: IN is a torch.save of ``{"network": dict, "input_shape": list, "state_dict", "pad_id"}``
    (read with weights_only=True); the ONNX bytes go to OUT. Exit 0, or EXIT_MISSING_PACKAGE /
    EXIT_EXPORT_FAILED with the reason as the last line of stderr."""
    torch.set_num_threads(1)
    job = torch.load(argv[0], weights_only=True, map_location="cpu")
    try:
        data = export_onnx(NetworkSpec.model_validate(job["network"]), tuple(job["input_shape"]), job["state_dict"],
                           job.get("pad_id"))
    except ImportError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_MISSING_PACKAGE
    except Exception as exc:  # the exporter's errors have no common base class
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)[:300]
        print(f"\n{reason}", file=sys.stderr)
        return EXIT_EXPORT_FAILED
    with open(argv[1], "wb") as out:
        out.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
