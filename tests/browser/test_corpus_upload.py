"""A plain-text corpus uploaded from the page: it becomes a data set in the picker, a word2vec preset
trains on it and draws its projection with word labels; an empty file shows the server's message."""

import re

from playwright.sync_api import Page, expect

from nnplay.data.corpora import CORPUS_DIR
from nnplay.data.words import tokenize
from nnplay.nn.word2vec import Vocab
from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, editor_spec, open_page
from tests.browser.test_representations import PROJECTION_JS

N_WORDS = 4000


def regained_excerpt() -> str:
    """The first N_WORDS words of Paradise Regained (after its Gutenberg header), as they stand."""
    text = (CORPUS_DIR / "milton_paradise_regained.txt").read_text(encoding="ascii")
    start = text.index("THE FIRST BOOK") if "THE FIRST BOOK" in text else 0
    words = re.finditer(r"\S+", text[start:])
    end = [m.end() for _, m in zip(range(N_WORDS), words)][-1]
    return text[start:start + end] + "\n"


def test_uploaded_corpus_trains_a_word2vec_preset_with_labelled_projection(page: Page, tmp_path, shots_dir):
    text = regained_excerpt()
    path = tmp_path / "Regained Excerpt.txt"
    path.write_text(text, encoding="utf-8")
    tokens = tokenize(text)
    open_page(page)
    page.click("#upload-toggle")
    page.set_input_files("#upload-file", str(path))
    expect(page.locator("#upload-kind")).to_have_value("text")
    expect(page.locator("#upload-target")).to_be_hidden()  # a corpus has no target column
    expect(page.locator("#upload-name")).to_have_value("regained_excerpt")
    page.click("#upload-btn")
    expect(page.locator("#upload-result")).to_have_text(
        f"Added “regained_excerpt”: a word corpus of {len(tokens):,} words, for word2vec networks.", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#dataset-select")).to_have_value("regained_excerpt")
    expect(page.locator("#dataset-info")).to_contain_text(f"word corpus · {len(tokens):,} tokens")
    assert editor_spec(page)["network"]["type"] == "word2vec"  # the layer network gave way to word2vec

    choose_preset(page, "skipgram_shakespeare")  # the preset's own corpus, then the upload from the picker
    expect(page.locator("#dataset-select option[value='regained_excerpt']")).to_have_count(1)
    page.select_option("#dataset-select", "regained_excerpt")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).dataset.name === 'regained_excerpt'")
    spec = editor_spec(page)
    vocab = Vocab.build(tokens, spec["network"]["min_count"])
    expect(page.locator("#summary-table tbody")).to_contain_text(f"{len(vocab) * 50:,}", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#validation-errors")).to_be_hidden()
    page.click("#train-btn")
    expect(page.locator("#tab-repr")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const p = ({PROJECTION_JS})(); return p && / step [1-9]/.test(p.title); }})()",
                           timeout=UI_TIMEOUT_MS)
    p = page.evaluate(f"({PROJECTION_JS})()")
    shown = min(len(vocab), spec["network"]["projection_words"])
    assert p["words"] == p["points"] == shown and p["first"] == vocab.words[0] and p["mode"] == "markers", p
    expect(page.locator("#projection-plot .annotation-text").first).to_be_visible()  # the labels that fit
    page.fill("#neighbor-word", vocab.words[1])
    page.click("#neighbor-form button")
    expect(page.locator("#neighbor-list li")).to_have_count(10, timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "corpus-upload-projection.png"))


def test_an_empty_corpus_shows_the_servers_message(page: Page, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    open_page(page)
    page.click("#upload-toggle")
    page.set_input_files("#upload-file", str(empty))
    expect(page.locator("#upload-kind")).to_have_value("text")
    page.click("#upload-btn")
    result = page.locator("#upload-result")
    expect(result).to_contain_text("the file is empty", timeout=UI_TIMEOUT_MS)
    expect(result).to_have_class(re.compile("error"))
    expect(page.locator("#dataset-select option[value='empty']")).to_have_count(0)


def test_a_rejected_name_gives_way_to_the_next_files_own_name(page: Page, tmp_path):
    words = " ".join(["the king and the queen walk to the castle of the north"] * 20)
    first = tmp_path / "Macbeth Text.txt"
    first.write_text(words)
    second = tmp_path / "hamlet.txt"
    second.write_text(words)
    open_page(page)
    page.click("#upload-toggle")
    hint = page.locator("#upload-name-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("lower-case letters, digits and _, starting with a letter")
    name = page.locator("#upload-name")
    result = page.locator("#upload-result")

    page.set_input_files("#upload-file", str(first))
    expect(name).to_have_value("macbeth_text")
    name.fill("My Text")  # not a data set name: the server refuses it
    page.click("#upload-btn")
    expect(result).to_have_class(re.compile("error"), timeout=UI_TIMEOUT_MS)
    page.set_input_files("#upload-file", str(first))  # the same file again: its own name back
    expect(name).to_have_value("macbeth_text")
    name.fill("Bad Name")
    page.click("#upload-btn")
    expect(result).to_have_class(re.compile("error"), timeout=UI_TIMEOUT_MS)
    page.set_input_files("#upload-file", str(second))  # another file: its name, not the refused one
    expect(name).to_have_value("hamlet")
    name.fill("hamlet_mine")  # typed for this file: a change of kind keeps it
    page.select_option("#upload-kind", "csv")
    page.select_option("#upload-kind", "text")
    expect(name).to_have_value("hamlet_mine")
