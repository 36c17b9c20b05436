"""nnplay: a web-based neural network playground backed by real PyTorch."""

__version__ = "0.1.0"
