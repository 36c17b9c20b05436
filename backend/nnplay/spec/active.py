"""ActiveSpec: an active-learning run (``training.active``): which unlabelled point the model asks about.

Pool-based active learning (Settles, "Active Learning Literature Survey", 2009, sections 2.3 and 3.1):
the training part of the data set is the pool, whose labels are hidden except for ``initial_labels``
points; each round the network trains on the labelled points only, then the ``query_size`` unlabelled
points it is least sure of (or random ones) are labelled and join them. Pydantic only, no torch.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Strategy = Literal["entropy", "margin", "random"]
STRATEGIES: tuple[str, ...] = ("entropy", "margin", "random")
MAX_INITIAL = 100
MAX_QUERY = 20
MAX_ROUNDS = 50
MAX_STEPS_PER_ROUND = 2000


class ActiveSpec(BaseModel):
    """``training.active``: train round by round on a growing labelled pool.

    - ``strategy``: how the next points are chosen among the unlabelled ones: ``entropy`` (highest
      predictive entropy ``-sum_k p_k log p_k``, nats), ``margin`` (smallest difference of the two
      largest class probabilities; scored as ``1 - (p_(1) - p_(2))``) or ``random`` (uniformly, seeded).
    - ``initial_labels``: labelled points before the first round (1-100), drawn with ``training.seed``,
      one of every class first when there are at least as many labels as classes.
    - ``query_size``: points labelled after each round (1-20).
    - ``rounds``: queries made (1-50); the run trains ``rounds + 1`` times, the last time on
      ``initial_labels + rounds * query_size`` labels, which must not exceed the pool (the training part).
    - ``steps_per_round``: optimizer steps per round (1-2000), each on a batch of ``training.batch_size``
      labelled points drawn afresh (all of them when fewer or ``"full"``); the weights carry over from
      round to round (warm start). ``training.epochs`` is not used.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    strategy: Strategy = "entropy"
    initial_labels: int = Field(10, ge=1, le=MAX_INITIAL)
    query_size: int = Field(1, ge=1, le=MAX_QUERY)
    rounds: int = Field(20, ge=1, le=MAX_ROUNDS)
    steps_per_round: int = Field(200, ge=1, le=MAX_STEPS_PER_ROUND)

    @property
    def final_labels(self) -> int:
        """Labels in the last round: ``initial_labels + rounds * query_size``."""
        return self.initial_labels + self.rounds * self.query_size
