"""Errors raised when a valid-looking spec cannot run: each carries its location in the job spec."""

import difflib


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


def did_you_mean(word, choices) -> str:
    """``" did you mean 'relu'?"`` for the known name closest to ``word`` (difflib's ratio of at least
    0.6), or ``""`` when none is close or ``word`` is not a string."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" did you mean '{close[0]}'?" if close else ""
