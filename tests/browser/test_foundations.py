"""The foundations dialog: Bayesian vs frequentist regression draws the band, the samples and the three
fits, and the band narrows as the n slider grows; bad values are named. Screenshots at 1280x800 and
1920x1080 (NNPLAY_SHOTS_DIR)."""

from playwright.sync_api import Page, expect

from tests.browser.test_page import open_page

# The labs compute on the server (fits, kernel densities, tests over many seeds): on a loaded 2-core
# machine an answer can take far longer than a click's UI update, so waits on them are long.
LAB_TIMEOUT_MS = 120_000

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


def assert_fits(page: Page, chart_id: str) -> None:
    """The chart is drawn at its box's size, and its x-axis title lies inside that box (not clipped)."""
    page.wait_for_function(f"Math.abs(document.getElementById('{chart_id}')._fullLayout.height - "
                           f"document.getElementById('{chart_id}').clientHeight) < 2", timeout=LAB_TIMEOUT_MS)
    box = page.locator(f"#{chart_id}").bounding_box()
    title = page.locator(f"#{chart_id} .xtitle").first.bounding_box()
    assert box["y"] <= title["y"] and title["y"] + title["height"] <= box["y"] + box["height"] + 0.5, (chart_id, title, box)


def test_bayes_regression_band_narrows_with_n(page: Page, shots_dir):
    open_foundations(page, "bayes")
    page.wait_for_function(f"(() => {{ const r = ({BAYES_JS})(); return r && r.n === '10'; }})()", timeout=LAB_TIMEOUT_MS)
    r = page.evaluate(f"({BAYES_JS})()")
    assert {"95% predictive band", "MLE (least squares)", "MAP (ridge) = posterior mean", "sin(x), the truth",
            "training points (10)"} <= set(r["names"]), r
    assert r["points"] == 10 and r["samples"] == 5 and (r["x"], r["y"]) == ("x", "y") and "n = 10" in r["title"], r
    expect(page.locator("#br-stats")).to_contain_text("α = σ²/σp²")
    for chart in ("br-main", "br-band", "br-weights"):
        assert_fits(page, chart)
    expect(page.locator("#found-pane-bayes .found-caption")).to_contain_text("What to look for")
    page.screenshot(path=str(shots_dir / "foundations-bayes-1280.png"))
    few = r["width"]
    page.locator("#br-n-slider").fill("150")  # a range input: fill sets the value and fires input
    page.wait_for_function(f"(() => {{ const r = ({BAYES_JS})(); return r && r.n === '150'; }})()", timeout=LAB_TIMEOUT_MS)
    r = page.evaluate(f"({BAYES_JS})()")
    assert r["points"] == 150 and r["width"] < 0.8 * few, (few, r)  # the band narrows as points arrive
    expect(page.locator("#br-n-label")).to_have_text("150 points")
    page.fill("#br-prior_std", "0")
    page.locator("#br-prior_std").dispatch_event("change")
    expect(page.locator("#br-errors")).to_contain_text("prior_std")
    page.fill("#br-prior_std", "1")
    page.select_option("#br-dataset", "plane")
    page.wait_for_function(f"(() => {{ const d = document.getElementById('br-main'); return d.data && d.data[0].type === 'heatmap'; }})()",
                           timeout=LAB_TIMEOUT_MS)
    expect(page.locator("#br-errors")).to_be_hidden()
    assert page.evaluate("document.getElementById('br-weights').data.some((t) => t.name === 'true')")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(shots_dir / "foundations-bayes-plane-1920.png"))


CLUSTER_JS = """() => { const d = document.getElementById('cl-main'); const o = document.getElementById('cl-objective');
  const s = document.getElementById('cl-selection');
  if (!d || !d.data || !o.data || !s.data) return null;
  const centres = d.data.find((t) => t.name === 'centres' || t.name === 'means');
  return { iteration: d.dataset.iteration, method: d.dataset.method, title: d.layout.title.text,
           centresX: centres.x, names: d.data.map((t) => t.name), objectivePoints: o.data[0].x.length,
           marked: o.data[1].x[0], objectiveY: o.layout.yaxis.title.text,
           selection: s.data.map((t) => [t.name, t.x.length]) }; }"""


def cluster_state(page: Page) -> dict:
    return page.evaluate(f"({CLUSTER_JS})()")


def test_clustering_scrubber_changes_the_drawn_iteration(page: Page, shots_dir):
    open_foundations(page, "cluster")
    page.wait_for_function(f"(() => {{ const r = ({CLUSTER_JS})(); return r && r.iteration === '0'; }})()", timeout=LAB_TIMEOUT_MS)
    label = page.locator("#cl-iter-label").inner_text()  # "iteration 0 of T"
    total = int(label.rsplit(" ", 1)[1])
    r = cluster_state(page)
    assert total >= 2 and r["objectivePoints"] == total + 1 and r["marked"] == 0, (label, r)
    assert r["objectiveY"] == "inertia (squared data units)" and "k-means · k = 4 · iteration 0 of" in r["title"], r
    assert r["selection"][:2] == [["k-means inertia", 8], ["mixture BIC", 8]], r
    for chart in ("cl-main", "cl-objective", "cl-selection"):
        assert_fits(page, chart)
    start = r["centresX"]
    page.locator("#cl-iter").fill(str(total))
    page.wait_for_function(f"(() => {{ const r = ({CLUSTER_JS})(); return r && r.iteration === '{total}'; }})()", timeout=LAB_TIMEOUT_MS)
    r = cluster_state(page)
    assert r["marked"] == total and f"iteration {total} of {total}" in r["title"] and r["centresX"] != start, r
    page.click("#cl-prev")
    expect(page.locator("#cl-iter-label")).to_have_text(f"iteration {total - 1} of {total}")
    assert cluster_state(page)["iteration"] == str(total - 1)
    expect(page.locator("#cl-latent")).to_be_hidden()
    page.screenshot(path=str(shots_dir / "foundations-kmeans-1280.png"))

    page.select_option("#cl-method", "gmm")
    expect(page.locator("#cl-latent")).to_be_visible()
    expect(page.locator("#cl-latent")).to_contain_text("latent variable")
    r = cluster_state(page)
    assert r["method"] == "gmm" and r["iteration"] == "0" and r["objectiveY"] == "mean log-likelihood (nats/point)", r
    assert sum(n.startswith("component ") for n in r["names"]) == 4, r  # one covariance ellipse per component
    em_total = int(page.locator("#cl-iter-label").inner_text().rsplit(" ", 1)[1])
    assert r["objectivePoints"] == em_total + 1, r
    page.click("#cl-next")
    page.click("#cl-next")
    expect(page.locator("#cl-iter-label")).to_have_text(f"iteration 2 of {em_total}")
    assert cluster_state(page)["marked"] == 2
    page.screenshot(path=str(shots_dir / "foundations-em-1280.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.click("#cl-prev")  # redrawn at the new size
    expect(page.locator("#cl-iter-label")).to_have_text(f"iteration 1 of {em_total}")
    page.wait_for_function("Math.abs(document.getElementById('cl-main')._fullLayout.width - "
                           "document.getElementById('cl-main').clientWidth) < 2", timeout=LAB_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "foundations-em-1920.png"))

    page.fill("#cl-k", "9")
    page.locator("#cl-k").dispatch_event("change")
    expect(page.locator("#cl-errors")).to_contain_text("k:")


DENSITY_JS = """() => { const g = document.getElementById('dn-gmm'); const k = document.getElementById('dn-kde');
  const h = document.getElementById('dn-hsweep'); const c = document.getElementById('dn-ksweep');
  if (!g.data || !k.data || !h.data || !c.data) return null;
  return { bandwidth: k.dataset.bandwidth, types: [g.data[0].type, k.data[0].type], zmax: [g.data[0].zmax, k.data[0].zmax],
           titles: [g.layout.title.text, k.layout.title.text], colorbar: k.data[0].colorbar.title.text,
           sweep: h.data[0].x.length, marker: h.data[3].x[0], heldAtMarker: h.data[3].y[0],
           xTitle: h.layout.xaxis.title.text, yTitle: h.layout.yaxis.title.text, components: c.data[0].x.length }; }"""


def test_density_contours_and_the_bandwidth_slider(page: Page, shots_dir):
    open_foundations(page, "density")
    page.wait_for_function(f"(() => {{ const r = ({DENSITY_JS})(); return r && r.bandwidth === '0.2'; }})()", timeout=LAB_TIMEOUT_MS)
    r = page.evaluate(f"({DENSITY_JS})()")
    assert r["types"] == ["contour", "contour"] and r["zmax"][0] == r["zmax"][1], r  # one scale for both
    assert r["titles"][0].startswith("Gaussian mixture, k = 4 · held-out") and "nats/point" in r["titles"][1], r
    assert r["colorbar"] == "density (per unit²)" and r["sweep"] == 16 and r["components"] == 8, r
    assert (r["xTitle"], r["yTitle"]) == ("bandwidth h (data units, log)", "nats per point"), r
    expect(page.locator("#dn-stats")).to_contain_text("Held-out log-likelihood")
    for chart in ("dn-gmm", "dn-kde", "dn-hsweep", "dn-ksweep"):
        assert_fits(page, chart)
    page.screenshot(path=str(shots_dir / "foundations-density-1280.png"))
    smooth = r["heldAtMarker"]
    page.locator("#dn-h-slider").fill("0")  # h = 0.01: a spike on every training point
    page.wait_for_function(f"(() => {{ const r = ({DENSITY_JS})(); return r && r.bandwidth === '0.01'; }})()", timeout=LAB_TIMEOUT_MS)
    r = page.evaluate(f"({DENSITY_JS})()")
    assert r["marker"] == 0.01 and r["heldAtMarker"] < smooth - 1 and "h = 0.01" in r["titles"][1], (smooth, r)
    expect(page.locator("#dn-h-label")).to_have_text("h = 0.01")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.locator("#dn-h-slider").fill("50")
    page.wait_for_function(f"(() => {{ const r = ({DENSITY_JS})(); return r && r.bandwidth !== '0.01'; }})()", timeout=LAB_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "foundations-density-1920.png"))
    page.fill("#dn-components", "9")
    page.locator("#dn-components").dispatch_event("change")
    expect(page.locator("#dn-errors")).to_contain_text("components")


UPLOAD_JS = """async () => { const rows = ['a,b,y'];
  for (let i = 0; i < 200; i += 1) { const a = (i * 37) % 100 / 10; const b = ((i * 53) % 70) / 10; rows.push(`${a},${b},${3 + 2 * a - b + ((i * 17) % 11 - 5) / 10}`); }
  const form = new FormData();
  form.append('file', new Blob([rows.join('\\n')], { type: 'text/csv' }), 'browser_lin.csv');
  form.append('target', 'y'); form.append('task', 'regression'); form.append('name', 'browser_lin');
  const res = await fetch('/api/datasets', { method: 'POST', body: form }); return res.status; }"""


def test_bayes_regression_on_an_uploaded_table(page: Page, shots_dir):
    open_page(page)
    assert page.evaluate(UPLOAD_JS) in (201, 409)  # 409: a rerun on the same server
    page.click("#open-found")
    option = page.locator("#br-dataset option[value='browser_lin']")
    expect(option).to_have_text("browser_lin (uploaded, 2 inputs)")
    page.select_option("#br-dataset", "browser_lin")
    page.wait_for_function("(() => { const d = document.getElementById('br-main'); return d.data && d.data[0].name === 'perfect prediction'; })()",
                           timeout=LAB_TIMEOUT_MS)
    t = page.evaluate("(() => { const d = document.getElementById('br-main'); return { title: d.layout.title.text, "
                      "x: d.layout.xaxis.title.text, points: d.data[1].x.length }; })()")
    assert t["title"].startswith("browser_lin · features 1, a, b") and t["x"] == "held-out y (standardised)", t
    assert t["points"] == 40, t  # the held-out fifth of 200 rows
    expect(page.locator(".found-ctl[data-name='degree']")).to_be_hidden()
    expect(page.locator("#br-errors")).to_be_hidden()
    page.screenshot(path=str(shots_dir / "foundations-bayes-upload-1280.png"))
