"""Word corpora for word embeddings: tokenisation and the corpus registry.

``tokenize(text)`` lower-cases and keeps runs of letters with inner apostrophes (``"'tis"`` ->
``"tis"``, ``"o'er"`` stays one word); ``corpus_tokens(name)`` returns a corpus's whole token stream.

Corpora: ``shakespeare`` and ``milton`` (vendored Project Gutenberg texts, see
``corpora/SOURCES.md``) and ``lee`` (the Lee background corpus of Australian news shipped with gensim's
test data, ``gensim.test.utils.datapath("lee_background.cor")``; Lee, Pincombe & Welsh 2005).
"""

import importlib.util
import re
from functools import cache
from pathlib import Path

from nnplay.data.corpora import read_corpus

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*")
WORD_CORPORA: dict[str, str] = {
    "shakespeare_words": "shakespeare",
    "milton_words": "milton",
    "lee_words": "lee",
}


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text``: letters with inner apostrophes; digits and punctuation dropped."""
    return TOKEN.findall(text.lower())


def corpus_available(name: str) -> bool:
    """Whether word corpus ``name`` can be read here: the vendored texts always; ``lee_words`` when
    gensim (whose test data holds it; the ``test`` extra) is installed."""
    return WORD_CORPORA[name] != "lee" or importlib.util.find_spec("gensim") is not None


def gensim_test_file(name: str) -> Path:
    """A file of gensim's bundled test data (``gensim/test/test_data``), found without importing gensim
    (as ``gensim.test.utils.datapath`` does). Raises FileNotFoundError when gensim is not installed."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{name} ships with gensim, which is not installed")
    return Path(spec.submodule_search_locations[0]) / "test" / "test_data" / name


def _lee_text() -> str:
    """The Lee background news corpus from gensim's bundled test data (300 documents, one a line)."""
    return gensim_test_file("lee_background.cor").read_text(encoding="utf-8", errors="replace")


@cache
def corpus_tokens(name: str) -> tuple[str, ...]:
    """The token stream of word corpus ``name`` (a key of ``WORD_CORPORA``); KeyError otherwise."""
    source = WORD_CORPORA[name]
    text = _lee_text() if source == "lee" else read_corpus(source)
    return tuple(tokenize(text))
