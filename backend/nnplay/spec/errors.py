"""The error raised when a network cannot run on its input."""


class ShapeError(ValueError):
    """A layer cannot accept the shape that reaches it.

    ``index`` is the layer's position in ``network.layers``, ``field`` the spec field at fault
    (``None`` when the layer as a whole is misplaced), ``message`` says the incoming shape and what
    was expected.
    """

    def __init__(self, index: int, field: str | None, message: str):
        super().__init__(message)
        self.index = index
        self.field = field
        self.message = message

    @property
    def loc(self) -> tuple:
        """Location inside a job spec, e.g. ``("network", "layers", 4, "in_features")``."""
        base: tuple = ("network", "layers", self.index)
        return base + ((self.field,) if self.field else ())
