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
    assert p["words"] == p["points"] == 150 and p["first"] == "the" and p["mode"] == "markers+text", p
    assert p["x"].startswith("PC 1") and p["y"].startswith("PC 2"), p
    expect(page.locator("#projection-plot .textpoint").first).to_be_visible()
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
