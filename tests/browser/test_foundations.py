"""The foundations dialog: Bayesian vs frequentist regression draws the band, the samples and the three
fits, and the band narrows as the n slider grows; bad values are named. Screenshots at 1280x800 and
1920x1080 (NNPLAY_SHOTS_DIR)."""

from playwright.sync_api import Page, expect

from tests.browser.test_page import UI_TIMEOUT_MS, open_page

BAYES_JS = """() => { const d = document.getElementById('br-main');
  if (!d || !d.data) return null;
  const band = d.data.find((t) => t.name === '95% predictive band'); const low = d.data.find((t) => t.name === 'band low');
  const width = band.y.reduce((s, v, i) => s + (v - low.y[i]), 0) / band.y.length;
  return { n: d.dataset.n, names: d.data.map((t) => t.name), title: d.layout.title.text, width,
           points: d.data.find((t) => (t.name || '').startsWith('training points')).x.length,
           samples: d.data.filter((t) => t.name === 'posterior samples').length,
           bandChart: document.getElementById('br-band').data.length,
           x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text }; }"""


def open_foundations(page: Page, tab: str) -> None:
    open_page(page)
    page.click("#open-found")
    expect(page.locator("#found-dialog")).to_be_visible()
    page.click(f"#found-tab-{tab}")
    expect(page.locator(f"#found-pane-{tab}")).to_be_visible()


def test_bayes_regression_band_narrows_with_n(page: Page, shots_dir):
    open_foundations(page, "bayes")
    page.wait_for_function(f"(() => {{ const r = ({BAYES_JS})(); return r && r.n === '10'; }})()", timeout=UI_TIMEOUT_MS)
    r = page.evaluate(f"({BAYES_JS})()")
    assert {"95% predictive band", "MLE (least squares)", "MAP (ridge) = posterior mean", "sin(x), the truth",
            "training points (10)"} <= set(r["names"]), r
    assert r["points"] == 10 and r["samples"] == 5 and (r["x"], r["y"]) == ("x", "y") and "n = 10" in r["title"], r
    expect(page.locator("#br-stats")).to_contain_text("α = σ²/σp²")
    expect(page.locator("#found-pane-bayes .found-caption")).to_contain_text("What to look for")
    page.screenshot(path=str(shots_dir / "foundations-bayes-1280.png"))
    few = r["width"]
    page.locator("#br-n-slider").fill("150")  # a range input: fill sets the value and fires input
    page.wait_for_function(f"(() => {{ const r = ({BAYES_JS})(); return r && r.n === '150'; }})()", timeout=UI_TIMEOUT_MS)
    r = page.evaluate(f"({BAYES_JS})()")
    assert r["points"] == 150 and r["width"] < 0.8 * few, (few, r)  # the band narrows as points arrive
    expect(page.locator("#br-n-label")).to_have_text("150 points")
    page.fill("#br-prior_std", "0")
    page.locator("#br-prior_std").dispatch_event("change")
    expect(page.locator("#br-errors")).to_contain_text("prior_std")
    page.fill("#br-prior_std", "1")
    page.select_option("#br-dataset", "plane")
    page.wait_for_function(f"(() => {{ const d = document.getElementById('br-main'); return d.data && d.data[0].type === 'heatmap'; }})()",
                           timeout=UI_TIMEOUT_MS)
    expect(page.locator("#br-errors")).to_be_hidden()
    assert page.evaluate("document.getElementById('br-weights').data.some((t) => t.name === 'true')")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(shots_dir / "foundations-bayes-plane-1920.png"))
