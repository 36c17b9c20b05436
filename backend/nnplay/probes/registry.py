"""The probe registry: which probes run for a job, the messages each one emits, and what it costs.

One :class:`ProbeEntry` per probe, in the order their messages are made at a probe step. An entry's
``applies`` reads only :class:`JobFacts` (the layer types and options, the data set's kind, task and
options, the dataset target and the network kind), so the same selection answers
``POST /api/networks/validate`` (the ``panels`` of the summary), the job record and the training run
(``nnplay.train.probing`` runs what :func:`select` returns). Each entry's ``name`` is the panel it
feeds on the page (``frontend/js/panels.js`` holds one entry per name; a test holds the two equal).

``frames`` are message types where a later message replaces the earlier one on the page (a client
that lags may skip superseded ones, ``nnplay.jobs.run``); ``series`` are types where every message
counts (curves, histories, baselines). ``watches`` names the layer families whose layers the probe draws
(for the layer catalogue's ``probe`` column).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from nnplay.data.info import DatasetInfo
from nnplay.data.registry import find_info
from nnplay.probes.activations import ActivationsProbe
from nnplay.probes.weights import WeightsProbe
from nnplay.spec.errors import SpecError
from nnplay.spec.layers import LAYER_TYPES, in_family
from nnplay.spec.data import DatasetSpec
from nnplay.spec.network import NetworkSpec
from nnplay.spec.word2vec import Word2VecSpec

GRID_KINDS = {"toy1d": 1, "toy2d": 2}  # data kind -> input columns spanned by the decision boundary's grid


def grid_dims(info: DatasetInfo | None) -> int:
    """The input columns the decision boundary's grid spans for a data set: 1 or 2 for the toy sets,
    and for a tabular set (an uploaded CSV) with 1 or 2 input features, that number; else 0."""
    if info is None:
        return 0
    if info.kind in GRID_KINDS:
        return GRID_KINDS[info.kind]
    shape = tuple(info.input_shape)
    return shape[0] if info.kind == "tabular" and len(shape) == 1 and shape[0] in (1, 2) else 0
SEQUENCE_KINDS = ("sequence", "text")


@dataclass(frozen=True)
class JobFacts:
    """What decides a job's probes. ``layers``: the network's layer specs (empty for word2vec);
    ``kind``/``task``/``params``: the data set's (``DatasetInfo``; ``corpus``/``none`` for word2vec);
    ``target``: ``dataset.target`` (``label`` or ``input``); ``max_units``: hidden units drawn per block
    (0: no neuron maps); ``grid``: the input columns a decision boundary spans (``grid_dims``)."""

    layers: tuple = ()
    kind: str = "tabular"
    task: str = "classification"
    params: tuple[str, ...] = ()
    target: str = "label"
    word2vec: bool = False
    max_units: int = 16
    active: bool = False  # ``training.active`` is set: an active-learning run (nnplay.train.active)
    grid: int = 0

    @property
    def types(self) -> list[str]:
        return [layer.type for layer in self.layers]

    def has(self, family: str) -> bool:
        """Whether any layer is in ``family`` (a key of ``LAYER_FAMILIES``)."""
        return any(in_family(t, family) for t in self.types)

    @property
    def layered(self) -> bool:
        """A layer network probed for what it computes (not word2vec, not an autoencoder)."""
        return not self.word2vec and self.target != "input"


def job_facts(network: NetworkSpec | Word2VecSpec, dataset: DatasetSpec, info: DatasetInfo | None,
              max_units: int = 16, active: bool = False) -> JobFacts:
    """The facts of ``network`` on ``dataset`` (its ``info``: None for a word2vec job on a corpus, or a
    data set no longer there, whose kind is then ``unknown``: only the layers decide); ``active``: the
    training spec has an ``active`` block."""
    if isinstance(network, Word2VecSpec):
        return JobFacts(kind="corpus", task="none", word2vec=True)
    if info is None:
        return JobFacts(layers=tuple(network.layers), kind="unknown", task="unknown", target=dataset.target,
                        max_units=max_units, active=active)
    return JobFacts(layers=tuple(network.layers), kind=info.kind, task=info.task, params=info.params,
                    target=dataset.target, max_units=max_units, active=active, grid=grid_dims(info))


def can_generate(facts: JobFacts) -> bool:
    """Whether a character model can sample text step by step (``nnplay.probes.sampling.can_generate``
    on the built model, from the spec): recurrent layers all unidirectional returning every step, or,
    without recurrent layers, attention layers all causal and no ``sequence_pool``."""
    recurrent = [layer for layer in facts.layers if in_family(layer.type, "recurrent")]
    if recurrent:
        return all(layer.return_sequences and not layer.bidirectional for layer in recurrent)
    attention = [layer for layer in facts.layers if in_family(layer.type, "attention")]
    return bool(attention) and all(layer.causal for layer in attention) and "sequence_pool" not in facts.types


def hidden_block_count(types: list[str]) -> int:
    """Hidden blocks of an MLP (``nnplay.probes.neurons.hidden_blocks``): every linear but the last."""
    return max(0, sum(in_family(t, "dense") for t in types) - 1)


def _grid(facts: JobFacts) -> bool:
    return facts.layered and (facts.grid == 2 or (facts.grid == 1 and facts.task == "regression"))


@dataclass(frozen=True)
class ProbeEntry:
    """One probe: the panel ``name`` it feeds, when it runs, what it emits and its cost in words."""

    name: str
    applies: Callable[[JobFacts], bool]
    cost: str
    frames: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    watches: tuple[str, ...] = ()  # LAYER_FAMILIES keys
    # The probe's own class, where it is self-contained: built as ``probe(spec, split, device,
    # max_message_kb)`` for a job that selects it; ``start_events()`` and ``events(model, step, epoch)``
    # make its messages (``nnplay.train.probing``); ``probe.message_sizes(layers, info, max_message_kb)``
    # estimates them (``train.message_sizes``).
    # None: ``nnplay.train.probing`` makes its messages itself (``MAKERS``), or the loop does.
    probe: type | None = None
    messages: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "messages", self.frames + self.series)


PROBE_REGISTRY: tuple[ProbeEntry, ...] = (
    ProbeEntry("metrics", lambda f: True, "the step's loss; the epoch's loss and accuracy over both parts",
               series=("metrics",)),
    ProbeEntry("gradients", lambda f: not f.word2vec and f.has("trainable"),
               "one L2 norm per trainable layer at every logged step (gradients already computed)",
               series=("gradients",)),
    ProbeEntry("activations", lambda f: not f.word2vec and f.has("pointwise_activation"),
               "each activation's curve once; one forward pass of 128 probe examples with pre-hooks, one "
               "elementwise autograd derivative per activation layer",
               series=("activation_curves", "saturation"), probe=ActivationsProbe),
    ProbeEntry("latent_codes", lambda f: not f.word2vec and f.target == "input",
               "one forward pass of the test set; k-means on its codes; PCA once before training",
               frames=("reconstructions",), series=("latent_codes",)),
    ProbeEntry("feature_maps", lambda f: f.layered and f.kind == "image",
               "one forward pass of the probe image with hooks on conv/pool layers",
               frames=("feature_maps",), watches=("feature_map",)),
    ProbeEntry("decision_boundary", _grid, "one forward pass over a 64 x 64 grid (64 points for 1-D input)",
               frames=("decision_boundary",), series=("data_points",)),
    ProbeEntry("neuron_maps", lambda f: _grid(f) and f.grid == 2 and f.max_units > 0
               and hidden_block_count(f.types) > 0,
               "none beyond the decision boundary's pass (hooks on each hidden block)",
               frames=("neuron_maps",), watches=("dense", "activation")),
    ProbeEntry("attention", lambda f: f.layered and f.has("attention"),
               "one forward pass of the probe sequence, recomputing softmax(QK^T) per layer and head",
               frames=("attention",), watches=("attention",)),
    ProbeEntry("cross_attention", lambda f: f.layered and f.has("cross_attention"),
               "one forward pass of the probe example; each cross_attention's scores, softmax weights, values "
               "and weighted sums recomputed from its weights",
               frames=("cross_attention",), watches=("cross_attention",)),
    ProbeEntry("gates", lambda f: f.layered and f.kind in SEQUENCE_KINDS and f.has("recurrent"),
               "the recurrent layers' gates recomputed for 8 probe sequences, one backward pass",
               frames=("gates",), series=("time_gradients",), watches=("recurrent",)),
    ProbeEntry("forecast", lambda f: f.layered and f.kind in SEQUENCE_KINDS and "window" in f.params,
               "one forward pass of the test windows", frames=("forecast",)),
    ProbeEntry("text_sample", lambda f: f.layered and f.task == "language_modeling" and can_generate(f),
               "sample_length single-step passes (attention: re-reads the context each step)",
               series=("text_sample",)),
    ProbeEntry("active_learning", lambda f: f.active and not f.word2vec,
               "one forward pass of the pool per round to score the unlabelled points",
               series=("active_round",)),
    ProbeEntry("embedding_projection", lambda f: f.word2vec,
               "PCA of the most frequent words' vectors, Procrustes-aligned; the analogy questions",
               frames=("embedding_projection",)),
    # last: the layers no other probe draws (batch norm, embedding) are drawn here (``layer_probe``)
    ProbeEntry("weights", lambda f: not f.word2vec and f.has("trainable"),
               "one histogram of every layer's weights (torch.histc); a linear first layer on one-channel images "
               "copied as templates", frames=("weights",), watches=("weighted",), probe=WeightsProbe),
)
PROBES_BY_NAME: dict[str, ProbeEntry] = {entry.name: entry for entry in PROBE_REGISTRY}
# The probes that are their own class (``ProbeEntry.probe``), by name.
PROBE_CLASSES: dict[str, type] = {entry.name: entry.probe for entry in PROBE_REGISTRY if entry.probe}

# Message types no probe emits: the job's own life (status, live settings, the split's sizes).
NON_PROBE_MESSAGES: tuple[str, ...] = ("status", "settings", "data_info")

# Message types a later message of the same type replaces on the page (a lagging client may skip them).
FRAME_TYPES: frozenset[str] = frozenset(t for entry in PROBE_REGISTRY for t in entry.frames)


def select(facts: JobFacts) -> list[str]:
    """The names (panels) of the probes that run for a job with ``facts``, in registry order."""
    return [entry.name for entry in PROBE_REGISTRY if entry.applies(facts)]


def layer_probe(layer_type: str) -> str | None:
    """The probe that draws layers of ``layer_type`` (in a family it ``watches``), else None."""
    return next((e.name for e in PROBE_REGISTRY if any(in_family(layer_type, w) for w in e.watches)), None)


LAYER_PROBES: dict[str, str | None] = {t: layer_probe(t) for t in LAYER_TYPES}


def job_panels(network: NetworkSpec | Word2VecSpec, dataset: DatasetSpec, data_dir: Path | str | None = None,
               active: bool = False) -> list[str]:
    """The panels a job streams (``select``), for a job record: the data set's kind, task and options
    come from its catalogue entry (built-in or uploaded under ``data_dir``); a deleted upload leaves
    the layers alone to decide."""
    try:
        info = None if isinstance(network, Word2VecSpec) else find_info(dataset.name, data_dir)
    except SpecError:
        info = None
    return select(job_facts(network, dataset, info, active=active))
