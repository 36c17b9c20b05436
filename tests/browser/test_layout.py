"""Layout that fits (issue 16): at 1280x800 the LSTM gates, with their time axis and caption, show
without scrolling when their tab is selected (and take the room they get at 1920x1080); the accuracy
chart's note for jobs without accuracy (word2vec, autoencoders) is wrapped inside the plot area."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

GATES_FIT_JS = """(() => {
  const box = (e) => e.getBoundingClientRect().toJSON();
  const seq = document.getElementById('seq-box'), plot = document.getElementById('gates-plot');
  return { seq: box(seq), scroll: [seq.scrollTop, seq.scrollHeight, seq.clientHeight], plot: box(plot),
           xtitle: box(plot.querySelector('.xtitle')), caption: box(document.getElementById('gates-caption')),
           rows: [...plot.querySelectorAll('.draglayer .nsewdrag')].map((r) => r.getBoundingClientRect().height) };
})()"""
NOTE_JS = """(() => {
  const d = document.getElementById('accuracy-chart'), r = d.getBoundingClientRect(), s = d._fullLayout._size;
  const a = d.querySelector('.annotation-text-g');
  if (!a) return null;
  const t = a.getBoundingClientRect();
  return { text: d.layout.annotations[0].text, note: [t.left, t.top, t.right, t.bottom],
           area: [r.left + s.l, r.top + s.t, r.left + s.l + s.w, r.top + s.t + s.h] };
})()"""


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_lstm_gates_and_their_caption_show_without_scrolling(page: Page, viewport, shots_dir):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    choose_preset(page, "lstm_sunspots")
    page.fill("#f-training-epochs", "1")
    page.fill("#f-training-probe_every", "5")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("completed"), timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#tab-inside")).to_have_text("Gates")
    expect(page.locator("#tab-inside")).to_have_attribute("aria-selected", "true")
    page.wait_for_function("document.getElementById('gates-plot').dataset.step && document.querySelector('#gates-plot .xtitle')",
                           timeout=UI_TIMEOUT_MS)
    fit = page.evaluate(GATES_FIT_JS)
    top, scroll_height, client_height = fit["scroll"]
    assert top == 0 and scroll_height <= client_height + 1, fit  # nothing to scroll to
    bottom = min(fit["seq"]["bottom"], height)
    for part in ("plot", "xtitle", "caption"):
        assert fit[part]["top"] >= fit["seq"]["top"] - 0.5 and fit[part]["bottom"] <= bottom + 0.5, (part, fit)
    assert len(fit["rows"]) == 6 and min(fit["rows"]) >= 18, fit  # i, f, g, o, c_t, h_t: each row readable
    if width == 1920:
        assert min(fit["rows"]) >= 40, fit  # the bigger screen gives the rows more room
    page.screenshot(path=str(shots_dir / f"lstm-gates-{width}x{height}.png"))


def test_no_accuracy_notes_are_wrapped_inside_the_plot_area(page: Page, shots_dir):
    open_page(page)
    for preset, words in (("skipgram_shakespeare", "word2vec learns without labels"),
                          ("autoencoder_digits", "An autoencoder rebuilds its input")):
        choose_preset(page, preset)
        page.wait_for_function(f"(({NOTE_JS}) || {{ text: '' }}).text.replace(/<br>/g, ' ').startsWith({words!r})",
                               timeout=UI_TIMEOUT_MS)
        fit = page.evaluate(NOTE_JS)
        (left, top, right, bottom), (a_left, a_top, a_right, a_bottom) = fit["note"], fit["area"]
        assert left >= a_left - 0.5 and right <= a_right + 0.5 and top >= a_top - 0.5 and bottom <= a_bottom + 0.5, fit
        assert "no accuracy" in fit["text"].replace("<br>", " "), fit
        page.locator("#accuracy-chart").screenshot(path=str(shots_dir / f"accuracy-note-{preset}-1280x800.png"))


HINT_JS = """(() => {
  const h = document.getElementById('vis-hint');
  return { text: h.textContent, shown: getComputedStyle(h).visibility === 'visible',
           cut: h.scrollWidth > h.clientWidth + 1 };
})()"""


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_the_hint_beside_the_tabs_shows_whole_or_not_at_all(page: Page, viewport, shots_dir):
    """The line beside the tabs says what the selected tab draws; where it does not fit it is hidden
    (the pane's caption says the same), never cut to a few letters and an ellipsis."""
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    # each preset's first tab has its own label: once it shows, the tabs follow that preset's panels
    # (the server's answer sets the label and the tabs together), so the row no longer changes
    for preset, inside in (("lenet_digits", "Feature maps"), ("mlp_spiral", "Decision boundary"),
                           ("char_lstm_shakespeare", "Gates")):
        choose_preset(page, preset)
        expect(page.locator("#tab-inside")).to_have_text(inside)
        ids = page.evaluate("[...document.getElementById('vis-hint').parentElement.querySelectorAll('.tab')]"
                            ".filter((t) => !t.hidden).map((t) => t.id)")
        for tab in (page.locator(f"#{i}") for i in ids):
            tab.click()
            expect(tab).to_have_attribute("aria-selected", "true")
            # checked at each frame until it holds: a hint re-fits when its width changes (ResizeObserver,
            # before the frame is painted), so a cut hint that stays on screen fails here
            page.wait_for_function(f"(() => {{ const h = ({HINT_JS}); return !(h.shown && h.cut); }})()",
                                   timeout=UI_TIMEOUT_MS)
    if width == 1920:  # the wide screen has room for the boundary's hint
        choose_preset(page, "mlp_spiral")
        expect(page.locator("#tab-inside")).to_have_text("Decision boundary")
        page.locator("#tab-inside").click()
        page.wait_for_function(f"(() => {{ const h = ({HINT_JS}); return h.text && h.shown && !h.cut; }})()",
                               timeout=UI_TIMEOUT_MS)
    page.locator("#vis-hint").locator("..").screenshot(path=str(shots_dir / f"tab-hint-{width}x{height}.png"))


SUMMARY_ROWS_JS = """(() => {
  const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
  // (the header cells and the total's cells are sticky: where they are drawn, not where the table puts them)
  return { wrap: box('.summary-panel .table-wrap'), head: box('#summary-table thead th'), foot: box('#summary-table tfoot td'),
           rows: [...document.querySelectorAll('#summary-table tbody tr')].map((r) => r.getBoundingClientRect().toJSON()) };
})()"""


def test_the_network_table_keeps_its_rows_in_view_beside_the_learned_parameters(page: Page, shots_dir):
    """At 1280x800, once "Learned parameters" shows under it, the Network table still shows its input
    and layer rows between its sticky header and total row (its box had shrunk to ~40 px: the header
    and the total covered the rows)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page)
    choose_preset(page, "linreg_plane")  # one linear layer; its learned w and b show beside least squares
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#learned-table")).to_contain_text("w1 (x1)", timeout=UI_TIMEOUT_MS)
    fit = page.evaluate(SUMMARY_ROWS_JS)
    assert len(fit["rows"]) == 2, fit  # the input and the linear layer
    for row in fit["rows"]:
        assert row["top"] >= fit["head"]["bottom"] - 0.5 and row["bottom"] <= fit["foot"]["top"] + 0.5, fit
        assert row["bottom"] <= fit["wrap"]["bottom"] + 0.5, fit
    page.screenshot(path=str(shots_dir / "network-table-beside-learned-1280x800.png"))
