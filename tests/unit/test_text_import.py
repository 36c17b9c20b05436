"""Parsing an uploaded corpus: the built-in tokeniser, line endings, a byte-order mark, byte offsets."""

import codecs

import pytest

from nnplay.data.text_import import MIN_TOKENS, TextError, parse_text
from nnplay.data.words import tokenize

WORDS = " ".join(f"word{chr(97 + i % 26)}" for i in range(MIN_TOKENS))


def test_tokens_are_the_builtin_tokenisers_and_line_endings_are_normalised():
    text = "Of Man's First Disobedience,\r\nand the Fruit o'er 1667 ... " + WORDS
    parsed = parse_text(text.encode())
    assert parsed.tokens == tokenize(text) and parsed.tokens[:3] == ["of", "man's", "first"]
    assert "\r" not in parsed.text and parsed.text.startswith("Of Man's First Disobedience,\nand")


def test_a_byte_order_mark_is_dropped_and_counted_in_offsets():
    assert parse_text(codecs.BOM_UTF8 + WORDS.encode()).text == WORDS
    with pytest.raises(TextError, match=r"byte 0xff at byte offset 8 \(line 2\)"):
        parse_text(codecs.BOM_UTF8 + b"abcd\n" + b"\xff" + WORDS.encode())
    with pytest.raises(TextError, match="U\\+0002 at byte offset 5"):
        parse_text(codecs.BOM_UTF8 + "é".encode() + b"\x02" * 100 + b"some words")


def test_a_few_control_characters_in_real_text_are_accepted():
    text = WORDS + " \x0c \x1b[0m " + WORDS  # a form feed and an escape code (its "m" is a word)
    assert len(parse_text(text.encode()).tokens) == 2 * MIN_TOKENS + 1
