"""Errors raised when a valid-looking spec cannot run: each carries its location in the job spec."""


class SpecError(ValueError):
    """A spec the server refuses; ``loc`` is the path inside a job spec, e.g.
    ``("network", "layers", 4, "in_features")``, and ``kind`` a short machine-readable reason."""

    kind = "spec_error"

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = tuple(loc)
        self.message = message


class ShapeError(SpecError):
    """A layer cannot accept the shape that reaches it.

    ``index`` is the layer's position in ``network.layers``, ``field`` the spec field at fault
    (``None`` when the layer as a whole is misplaced); the message says the incoming shape and what
    was expected.
    """

    kind = "shape_error"

    def __init__(self, index: int, field: str | None, message: str):
        super().__init__(("network", "layers", index) + ((field,) if field else ()), message)
        self.index = index
        self.field = field


class LimitError(SpecError):
    """A spec over one of the server's limits (a setting); the message names the limit and value."""

    kind = "limit_exceeded"
