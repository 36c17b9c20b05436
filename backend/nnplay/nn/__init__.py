"""How it is computed: torch modules built from specs; no I/O."""

from nnplay.nn.builder import BUILDERS, build_network

__all__ = ["BUILDERS", "build_network"]
