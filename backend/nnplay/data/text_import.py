"""Checking an uploaded plain-text corpus: UTF-8 text of enough words to train word embeddings.

``parse_text(content)`` decodes the bytes and tokenises them with the built-in corpora's tokeniser
(``nnplay.data.words.tokenize``: lower-cased runs of the letters a-z with inner apostrophes), or raises
TextError (HTTP 422 at the form field ``file``) for an empty or whitespace-only file, binary content
(a NUL byte, or mostly control characters: a PNG or a zip renamed ``.txt``, a UTF-16 file), bytes that
are not UTF-8 (with the byte offset and line of the first bad byte), or too few words to train
(fewer than ``MIN_TOKENS`` tokens or ``MIN_WORDS`` distinct words). The text is only read as data.
"""

import codecs
import re
from dataclasses import dataclass

from nnplay.data.words import tokenize
from nnplay.spec.errors import SpecError

MIN_TOKENS = 100  # words a corpus needs to train on: with window 5, about 1,000 (centre, context) pairs
MIN_WORDS = 10  # distinct words (word2vec's check also wants 10 left after min_count)
MAX_CONTROL_SHARE = 0.10  # more control characters than this share of the text: binary
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # Unicode's Cc characters but \t \n \v \f \r


class TextError(SpecError):
    """A corpus upload that cannot be a training text (HTTP 422 at ``field``, default ``file``)."""

    kind = "text_error"

    def __init__(self, message: str, field: str = "file"):
        super().__init__((field,), message)


@dataclass
class ParsedText:
    """The decoded text (line endings ``\\n``, no byte-order mark) and its tokens."""

    text: str
    tokens: list[str]

    @property
    def n_words(self) -> int:
        """Distinct tokens."""
        return len(set(self.tokens))


def parse_text(content: bytes) -> ParsedText:
    """Decode and tokenise an uploaded corpus; TextError (see the module docstring) when it cannot train."""
    if not content:
        raise TextError("the file is empty: upload a plain-text (UTF-8) corpus of at least "
                        f"{MIN_TOKENS} words")
    nul = content.find(b"\x00")
    if nul >= 0:
        raise TextError(f"the file looks binary, not text: it has a NUL byte at byte offset {nul} (an image or "
                        "archive renamed .txt? a UTF-16 file?); upload plain text saved as UTF-8")
    bom = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    text = _decode(content, bom)
    if not text.strip():
        raise TextError(f"the file holds only whitespace ({len(content):,} bytes): there are no words to train on")
    _check_printable(text, bom)
    text = text.replace("\r\n", "\n")
    tokens = tokenize(text)
    parsed = ParsedText(text, tokens)
    if len(tokens) < MIN_TOKENS:
        raise TextError(f"the text has {len(tokens):,} words; at least {MIN_TOKENS} are needed to train word "
                        "embeddings (words are runs of the letters a-z, lower-cased; digits, punctuation and "
                        "other letters are dropped)")
    if parsed.n_words < MIN_WORDS:
        raise TextError(f"the text has {len(tokens):,} words but only {parsed.n_words} distinct ones; at least "
                        f"{MIN_WORDS} distinct words are needed for a vocabulary")
    return parsed


def _decode(content: bytes, bom: int) -> str:
    """The UTF-8 text after the first ``bom`` bytes (a byte-order mark); TextError naming the first bad
    byte's offset in the file (0-based) and its line (1-based)."""
    try:
        return content[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = bom + exc.start
        line = content.count(b"\n", 0, at) + 1
        raise TextError(f"the file is not UTF-8: byte 0x{content[at]:02x} at byte offset {at} (line {line}) "
                        f"cannot be decoded ({exc.reason}); save the text as UTF-8") from None


def _check_printable(text: str, skipped: int) -> None:
    """TextError when more than ``MAX_CONTROL_SHARE`` of the characters are control characters (other
    than tabs and line breaks): binary data that happens to decode as UTF-8. ``skipped``: bytes before
    ``text`` in the file (a byte-order mark), for the offset in the message."""
    controls = CONTROL.findall(text)
    if len(controls) > MAX_CONTROL_SHARE * len(text):
        at = CONTROL.search(text).start()
        offset = skipped + len(text[:at].encode("utf-8"))
        raise TextError(f"the file looks binary, not text: {len(controls):,} of its {len(text):,} characters "
                        f"({len(controls) / len(text):.0%}) are control characters, the first U+{ord(text[at]):04X} "
                        f"at byte offset {offset}; upload plain text")
