"""Vendored public-domain English corpora (see ``corpora/SOURCES.md`` for each file's Gutenberg source).

``CORPORA`` maps a corpus name to its files; ``read_corpus(name)`` returns the whole text as one ``str``
(files joined by a blank line, in the listed order, line endings normalised to ``\\n``).
"""

from functools import cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "corpora"

SHAKESPEARE_PLAYS = ("hamlet", "macbeth", "lear", "othello", "romeo_and_juliet", "julius_caesar",
                     "tempest", "midsummer_nights_dream")
MILTON_WORKS = ("paradise_lost", "paradise_regained")

CORPORA: dict[str, tuple[str, ...]] = {
    "shakespeare": tuple(f"shakespeare_{p}.txt" for p in SHAKESPEARE_PLAYS),
    "milton": tuple(f"milton_{w}.txt" for w in MILTON_WORKS),
    **{f"shakespeare_{p}": (f"shakespeare_{p}.txt",) for p in SHAKESPEARE_PLAYS},
}


@cache
def read_corpus(name: str) -> str:
    """The text of corpus ``name`` (about 1.0 MB of characters for ``shakespeare``, 0.56 MB for ``milton``).

    Raises ``KeyError`` for a name not in ``CORPORA``.
    """
    parts = ((CORPUS_DIR / f).read_text(encoding="ascii") for f in CORPORA[name])
    return "\n\n".join(p.replace("\r\n", "\n") for p in parts)
