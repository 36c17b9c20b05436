"""Representations in the page: the skip-gram preset draws its word projection with labels and answers a
neighbour query with a list; the autoencoder preset draws its test codes coloured by label beside PCA,
and its reconstructions. Assertions on drawn elements and visible text, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

PROJECTION_JS = """() => {
  const d = document.getElementById('projection-plot');
  const t = d && d.data ? d.data[0] : null;
  if (!t || !t.text) return null;
  return { words: t.text.length, points: t.x.length, first: t.text[0], mode: t.mode,
           title: d.layout.title.text, x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text };
}"""
LATENT_JS = """(id) => {
  const d = document.getElementById(id);
  if (!d || !d.data || !d.data.length) return null;
  return { traces: d.data.length, points: d.data.reduce((n, t) => n + t.x.length, 0),
           colors: new Set(d.data.map((t) => t.marker.color)).size, names: d.data.map((t) => t.name),
           title: d.layout.title.text, x: d.layout.xaxis.title.text };
}"""


def set_epochs(page: Page, epochs: int) -> None:
    page.fill("#f-training-epochs", str(epochs))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {epochs}")


def test_skipgram_preset_draws_labelled_projection_and_answers_neighbours(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "skipgram_shakespeare")
    expect(page.locator("#dataset-info")).to_contain_text("word corpus")
    expect(page.locator("#summary-table")).to_contain_text("embedding (input weights)")
    set_epochs(page, 1)
    page.click("#train-btn")
    expect(page.locator("#tab-repr")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const p = ({PROJECTION_JS})(); return p && / step [1-9]/.test(p.title); }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    p = page.evaluate(f"({PROJECTION_JS})()")
    assert p["words"] == p["points"] == 150 and p["first"] == "the" and p["mode"] == "markers", p
    assert p["x"].startswith("PC 1") and p["y"].startswith("PC 2"), p
    expect(page.locator("#projection-plot .annotation-text").first).to_be_visible()  # the labels that fit
    expect(page.locator("#one-hot-note")).to_contain_text("selects one row")
    page.screenshot(path=str(shots_dir / "skipgram-projection-early.png"))

    page.fill("#neighbor-word", "king")
    page.click("#neighbor-form button")
    expect(page.locator("#neighbor-list li")).to_have_count(10, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#neighbor-list .repr-word").first).to_have_text(re.compile(r"^[a-z']+$"))
    page.fill("#analogy-a", "king")
    page.fill("#analogy-b", "man")
    page.fill("#analogy-c", "woman")
    page.click("#analogy-form button")
    expect(page.locator("#analogy-list li")).to_have_count(5, timeout=UI_TIMEOUT_MS)
    page.fill("#neighbor-word", "kinng")
    page.click("#neighbor-form button")
    expect(page.locator("#neighbor-list .repr-error")).to_contain_text("not in the vocabulary", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#neighbor-list .repr-error")).to_contain_text("king")
    page.fill("#neighbor-word", "   ")  # nothing typed: a message, not the previous list
    page.click("#neighbor-form button")
    expect(page.locator("#neighbor-list li")).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#neighbor-list .repr-error")).to_have_text("Type a word to see its nearest neighbours.")
    # word2vec measures no test loss: the loss chart has no test curve in its legend; the accuracy
    # chart keeps its note
    # (waited for: on a loaded machine the first step losses reach the chart after the projection)
    expect(page.locator("#loss-chart .legendtext")).to_have_text(["per step", "epoch mean"], timeout=UI_TIMEOUT_MS)
    with page.expect_download() as download:
        page.click("#repr-downloads button:has-text('metadata.tsv')")
    assert download.value.suggested_filename.endswith(".metadata.tsv")
    page.screenshot(path=str(shots_dir / "skipgram-projection.png"))


def test_autoencoder_preset_draws_codes_coloured_by_label_beside_pca(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "autoencoder_digits")
    set_epochs(page, 3)
    page.click("#train-btn")
    expect(page.locator("#tab-repr")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    page.wait_for_function("(() => { const d = document.getElementById('latent-plot'); "
                           "return d && d.layout && / step [1-9]/.test(d.layout.title.text); })()", timeout=TRAIN_TIMEOUT_MS)
    ae = page.evaluate(f"({LATENT_JS})('latent-plot')")
    pca = page.evaluate(f"({LATENT_JS})('pca-plot')")
    assert ae["traces"] == pca["traces"] == 10 and ae["colors"] == 10, ae
    assert ae["points"] == pca["points"] == 360 and ae["names"][0] == "digit 0", ae
    assert "ARI" in ae["title"] and "ARI" in pca["title"] and ae["x"].startswith("code 1"), (ae, pca)
    expect(page.locator("#reconstructions canvas")).to_have_count(16, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "autoencoder-codes.png"))


def boxes_overlapping(page: Page, selector: str) -> list:
    """Pairs of the elements matched by `selector` (with text) whose boxes intersect."""
    return page.evaluate("""(sel) => {
      const b = [...document.querySelectorAll(sel)].filter((e) => e.textContent.trim())
        .map((e) => [e.textContent, e.getBoundingClientRect()]);
      const out = [];
      for (let i = 0; i < b.length; i += 1) for (let j = i + 1; j < b.length; j += 1) {
        const [p, r] = b[i]; const [q, s] = b[j];
        if (r.left < s.right - 0.5 && s.left < r.right - 0.5 && r.top < s.bottom - 0.5 && s.top < r.bottom - 0.5) out.push([p, q]);
      }
      return out; }""", selector)


def test_word_labels_and_neighbour_columns_do_not_overlap(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "skipgram_shakespeare")
    set_epochs(page, 20)  # still running when Stop is pressed, on any machine (1 epoch once ended first)
    page.click("#train-btn")
    page.wait_for_function(f"(() => {{ const p = ({PROJECTION_JS})(); return p && / step [1-9]/.test(p.title); }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    page.click("#stop-btn")  # a still picture: no frame replaces the labels while they are measured
    expect(page.locator("#job-status")).to_contain_text("stopped", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function("document.getElementById('projection-plot').dataset.labelled === 'true'", timeout=UI_TIMEOUT_MS)
    labels = page.evaluate("[...document.querySelectorAll('#projection-plot .annotation-text')].map((t) => t.textContent)")
    assert 0 < len(labels) < 150 and labels[0] == "the", labels  # the most frequent first; every word on hover
    assert boxes_overlapping(page, "#projection-plot .annotation-text") == []
    area = page.locator("#projection-plot .nsewdrag").first.bounding_box()
    for box in page.locator("#projection-plot .annotation-text").evaluate_all("(els) => els.map((e) => e.getBoundingClientRect().toJSON())"):
        assert area["x"] - 1 <= box["left"] and box["right"] <= area["x"] + area["width"] + 1, (box, area)
        assert area["y"] - 1 <= box["top"] and box["bottom"] <= area["y"] + area["height"] + 1, (box, area)
    p = page.evaluate(f"({PROJECTION_JS})()")
    assert p["words"] == 150 and p["first"] == "the"  # every word keeps its name (and count) for the hover

    page.fill("#neighbor-word", "king")
    page.click("#neighbor-form button")
    expect(page.locator("#neighbor-list li")).to_have_count(10, timeout=UI_TIMEOUT_MS)
    parts = "#neighbor-list .repr-rank, #neighbor-list .repr-word, #neighbor-list .repr-sim"
    assert boxes_overlapping(page, parts) == []
    cut = page.evaluate("[...document.querySelectorAll('#neighbor-list li')].filter((li) => li.scrollWidth > li.clientWidth + 1).length")
    assert cut == 0
    tools = page.locator(".repr-tools").bounding_box()
    for box in page.locator("#neighbor-list li").evaluate_all("(els) => els.map((e) => e.getBoundingClientRect().toJSON())"):
        assert tools["x"] - 0.5 <= box["left"] and box["right"] <= tools["x"] + tools["width"] + 0.5, box
    page.locator("#pane-repr").screenshot(path=str(shots_dir / "skipgram-labels-neighbours.png"))


def test_autoencoder_axes_stay_clear_of_the_reconstructions_and_every_label_is_keyed(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "autoencoder_digits")
    set_epochs(page, 2)
    page.click("#train-btn")
    expect(page.locator("#reconstructions canvas")).to_have_count(16, timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function("(() => { const d = document.getElementById('latent-plot'); "
                           "return d && d.layout && / step [1-9]/.test(d.layout.title.text); })()", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    recon_top = page.locator("#reconstructions").bounding_box()["y"]
    for plot in ("#latent-plot", "#pca-plot"):
        box = page.locator(plot).bounding_box()
        page.wait_for_function(f"Math.abs(document.querySelector('{plot}')._fullLayout.height - "
                               f"document.querySelector('{plot}').clientHeight) < 1", timeout=UI_TIMEOUT_MS)
        for part in (".xtitle", ".xtick"):
            r = page.locator(f"{plot} {part}").last.bounding_box()
            assert r["y"] + r["height"] <= min(recon_top, box["y"] + box["height"]) + 0.5, (plot, part, r, recon_top)
    legend = page.locator("#latent-legend .latent-legend-item")
    expect(legend).to_have_count(10)
    pane = page.locator("#pane-repr").bounding_box()
    for i in range(10):
        expect(legend.nth(i)).to_have_text(f"digit {i}")
        r = legend.nth(i).bounding_box()
        assert pane["y"] <= r["y"] and r["y"] + r["height"] <= pane["y"] + pane["height"], (i, r, pane)
    page.locator("#pane-repr").screenshot(path=str(shots_dir / "autoencoder-axes-legend.png"))
