"""The hypothesis-test tab: set a (the editor's spec) and set b (one setting changed) run over n seeds as
ordinary jobs; the tab shows their progress, then the paired runs, the differences with their 95% interval,
both tests' p-values and what a p-value means. Tiny jobs (tanh spiral, 1 epoch, 2 seeds). Screenshot at
1280x800 (NNPLAY_SHOTS_DIR)."""

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

CHARTS_JS = """() => { const p = document.getElementById('rp-pairs'); const d = document.getElementById('rp-diffs');
  if (!p.data || !d.data) return null;
  return { pairs: p.data.length, pairsTitle: p.layout.title.text, pairsY: p.layout.yaxis.title.text,
           diffs: d.data[0].x.length, diffsX: d.layout.xaxis.title.text, ci: d.data[1].error_x.array.length }; }"""


def test_two_sets_over_seeds_are_compared_in_the_page(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#open-found")
    page.click("#found-tab-replicates")
    expect(page.locator("#rp-a")).to_contain_text("spiral")
    expect(page.locator("#found-pane-replicates .found-caption")).to_contain_text("What to look for")
    page.fill("#rp-n", "21")
    page.click("#rp-run")
    expect(page.locator("#rp-errors")).to_contain_text("set a: n: Input should be less than or equal to 20")
    page.fill("#rp-n", "2")
    page.select_option("#rp-field", "training.lr")
    expect(page.locator("#rp-value")).to_have_value("0.001")
    page.fill("#rp-value", "-1")
    page.click("#rp-run")
    expect(page.locator("#rp-errors")).to_contain_text("set b: ")  # b's lr is refused, named
    expect(page.locator("#rp-errors")).to_contain_text("lr")
    page.select_option("#rp-field", "training.optimizer")
    page.fill("#rp-value", "sgd")
    page.click("#rp-run")
    expect(page.locator("#rp-errors")).to_be_hidden()
    expect(page.locator("#rp-stats")).to_contain_text("paired t-test", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#rp-progress")).to_contain_text("2/2 done")
    assert page.locator("#rp-progress .rep-completed").count() == 4
    expect(page.locator("#rp-stats")).to_contain_text("Wilcoxon signed-rank")
    expect(page.locator("#rp-conclusion")).to_contain_text("seeds")
    expect(page.locator("#rp-meaning")).to_contain_text("not the probability that the settings are equal")
    page.wait_for_function(f"({CHARTS_JS})() !== null", timeout=UI_TIMEOUT_MS)
    r = page.evaluate(f"({CHARTS_JS})()")
    assert r == {"pairs": 3, "pairsTitle": "2 paired runs (one line per seed)", "pairsY": "test accuracy (fraction)",
                 "diffs": 2, "diffsX": "b − a in test accuracy (fraction)", "ci": 1}, r
    page.screenshot(path=str(shots_dir / "foundations-replicates-1280.png"))


ENSEMBLE_JS = """() => { const ids = ['en-mean', 'en-std', 'en-mi'].map((id) => document.getElementById(id));
  if (ids.some((d) => !d.data)) return null;
  return ids.map((d) => ({ title: d.layout.title.text, type: d.data[0].type, rows: d.data[0].z.length,
    cols: d.data[0].z[0].length, bar: d.data[0].colorbar.title.text, points: d.data[1].x.length,
    x: d.layout.xaxis.title.text, zmax: Math.max(...d.data[0].z.flat()) })); }"""


def test_an_ensemble_over_seeds_shows_where_it_is_unsure(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#open-found")
    page.click("#found-tab-ensemble")
    expect(page.locator("#en-about")).to_contain_text("spiral")
    page.fill("#en-n", "1")
    page.click("#en-run")
    expect(page.locator("#en-errors")).to_contain_text("n: Input should be greater than or equal to 2")
    page.fill("#en-n", "3")
    page.click("#en-run")
    expect(page.locator("#en-stats")).to_contain_text("ensemble (mean probability)", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#en-progress")).to_contain_text("3/3 done")
    expect(page.locator("#en-errors")).to_be_hidden()
    r = page.evaluate(f"({ENSEMBLE_JS})()")
    assert [c["type"] for c in r] == ["heatmap"] * 3 and all((c["rows"], c["cols"]) == (40, 40) for c in r), r
    assert r[0]["title"].startswith("Ensemble of 3: mean p(") and r[2]["bar"] == "nats", r
    assert all(c["points"] > 0 and c["x"] == "x1 (standardised)" for c in r), r
    assert 0 <= r[2]["zmax"] <= 0.6932, r  # mutual information of two classes: at most ln 2 nats
    expect(page.locator("#found-pane-ensemble .found-caption")).to_contain_text("What to look for")
    page.screenshot(path=str(shots_dir / "foundations-ensemble-1280.png"))
