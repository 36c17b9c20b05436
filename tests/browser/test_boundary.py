"""2-D data in the page: an MLP on the spiral draws its decision boundary (a 64x64 heatmap under the
train and test points) and its gradient flow (layers x steps), and ends with a test accuracy.
Assertions are on drawn elements and visible text, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

EPOCHS = 60
N_TRAIN, N_TEST = 480, 120  # spiral preset: 600 samples, test_fraction 0.2

# What #decision-boundary holds: its heatmap's z size and the number of train / test points drawn.
BOUNDARY_JS = """() => {
  const d = document.getElementById('decision-boundary');
  const h = d && d.data ? d.data.find((t) => t.type === 'heatmap') : null;
  if (!h) return null;
  const points = (part) => d.data.filter((t) => t.meta === part).reduce((n, t) => n + t.x.length, 0);
  return { rows: h.z.length, cols: h.z[0].length, zmin: h.zmin, zmax: h.zmax,
           colorbar: h.colorbar.title.text, train: points('train'), test: points('test'),
           testSymbol: d.data.find((t) => t.meta === 'test').marker.symbol,
           x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text,
           yUp: d.layout.yaxis.autorange !== 'reversed' && d.layout.yaxis.range[0] < d.layout.yaxis.range[1],
           step: Number(d.dataset.step || -1), z: h.z.flat() };
}"""
GRADIENTS_JS = """() => {
  const d = document.getElementById('gradient-flow');
  const h = d && d.data ? d.data.find((t) => t.type === 'heatmap') : null;
  if (!h) return null;
  return { rows: h.z.length, cols: h.z[0].length, y: h.y, colorbar: h.colorbar.title.text,
           x: d.layout.xaxis.title.text, title: d.layout.title.text };
}"""


def test_spiral_draws_boundary_points_gradient_flow_and_accuracy(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    inside = page.locator("#tab-inside")
    expect(inside).to_have_text("Decision boundary")  # a 2-D set: the boundary instead of feature maps
    expect(page.locator("#boundary-box")).to_be_visible()
    expect(page.locator("#fm-box")).to_be_hidden()
    page.fill("#f-training-epochs", str(EPOCHS))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {EPOCHS}")
    # an explicit probe cadence: every step then reports its gradient norms (900 columns to decimate)
    page.fill("#f-training-probe_every", "20")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.probe_every === 20")

    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running|completed"), timeout=UI_TIMEOUT_MS)

    # The boundary: a 64x64 p(class 1) heatmap, train points and test rings on top, x2 upward.
    page.wait_for_function(f"(() => {{ const b = ({BOUNDARY_JS})(); return b && b.train > 0 && b.step > 0; }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "spiral-training.png"))
    b = page.evaluate(f"({BOUNDARY_JS})()")
    assert (b["rows"], b["cols"]) == (64, 64), b
    assert (b["train"], b["test"]) == (N_TRAIN, N_TEST), b
    assert b["testSymbol"] == "circle-open" and b["colorbar"] == "p(class 1)" and (b["zmin"], b["zmax"]) == (0, 1)
    assert b["x"] == "x1 (standardised)" and b["y"] == "x2 (standardised)" and b["yUp"], b
    expect(page.locator("#decision-boundary .gtitle")).to_contain_text("Decision boundary")
    expect(page.locator("#decision-boundary .legendtext", has_text="test")).to_have_count(1)

    # The gradient flow receives columns (drawn while its tab is hidden): one row per linear layer.
    page.wait_for_function("Number(document.getElementById('gradient-flow').dataset.columns || 0) >= 10",
                           timeout=TRAIN_TIMEOUT_MS)
    g = page.evaluate(f"({GRADIENTS_JS})()")
    assert g["y"] == ["layer 0 · linear", "layer 2 · linear", "layer 4 · linear"], g
    assert g["rows"] == 3 and g["colorbar"] == "log10 ‖grad‖" and g["x"] == "step" and g["title"] == "Gradient flow"

    final = page.locator("#final-accuracy")
    expect(final).to_have_text(re.compile(r"^Test accuracy: \d\.\d{3}$"), timeout=TRAIN_TIMEOUT_MS)
    accuracy = float(final.inner_text().split(":")[1])
    assert accuracy >= 0.75, f"a tanh MLP should bend around the spiral in {EPOCHS} epochs (chance 0.5), got {accuracy}"
    # The last probe (the end of training) is the frame on screen.
    steps = EPOCHS * 15  # 480 train points / batch 32 = 15 steps per epoch
    page.wait_for_function(f"({BOUNDARY_JS})().step === {steps}", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#decision-boundary .gtitle")).to_contain_text(f"epoch {EPOCHS}, step {steps}")
    # The 8-bit frame decodes to probabilities: every cell in [0, 1], both classes' regions present
    # and sure of themselves once the spiral is learnt.
    z = page.evaluate(f"({BOUNDARY_JS})()")["z"]
    assert len(z) == 64 * 64 and all(v is not None and 0 <= v <= 1 for v in z)
    assert sum(v < 0.1 for v in z) > 400 and sum(v > 0.9 for v in z) > 400, "both classes' regions, drawn"
    page.screenshot(path=str(shots_dir / "spiral-done.png"))

    # The gradient tab: a bounded number of columns for 900 steps (decimated, not cut), the newest last.
    page.click("#tab-gradients")
    expect(page.locator("#pane-gradients")).to_be_visible()
    expect(page.locator("#pane-inside")).to_be_hidden()
    expect(page.locator("#vis-hint")).to_contain_text("gradient")
    page.wait_for_function(f"document.getElementById('gradient-flow').data[0].x.at(-1) === {steps}",
                           timeout=UI_TIMEOUT_MS)
    g = page.evaluate(f"({GRADIENTS_JS})()")
    assert 200 <= g["cols"] <= 401, g  # at most 400 kept columns plus the newest
    page.screenshot(path=str(shots_dir / "spiral-gradients.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], f"the page should fit 1280x800 without scrolling, got {size}"

    page.click("#tab-inside")
    expect(page.locator("#decision-boundary")).to_be_visible()


def test_image_sets_keep_feature_maps_and_tabular_sets_hide_the_tab(page: Page):
    open_page(page)
    choose_preset(page, "lenet_digits")
    expect(page.locator("#tab-inside")).to_have_text("Feature maps")
    expect(page.locator("#fm-box")).to_be_visible()
    expect(page.locator("#boundary-box")).to_be_hidden()
    page.select_option("#dataset-select", "iris")  # a feature table: no probe picture is streamed for it
    expect(page.locator("#tab-inside")).to_be_hidden()
    expect(page.locator("#tab-gradients")).to_have_attribute("aria-selected", "true")
    page.select_option("#dataset-select", "digits")
    expect(page.locator("#tab-inside")).to_be_visible()
    choose_preset(page, "mlp_spiral")
    expect(page.locator("#tab-inside")).to_have_text("Decision boundary")


def test_a_large_data_set_draws_a_share_of_its_points_and_says_how_many(page: Page, server_url, shots_dir):
    """20,000 spiral samples: the boundary draws 2,000 of the points (1,600 of 16,000 train, 400 of 4,000
    test, in proportion), evenly spread, and its legend says so; the boundary frame itself is whole."""
    presets = page.request.get(f"{server_url}/api/presets").json()
    spec = next(p for p in presets if p["id"] == "mlp_spiral")["spec"]
    spec["dataset"]["n_samples"] = 20_000
    spec["training"].update(epochs=1, probe_every=50)
    job = page.request.post(f"{server_url}/api/jobs", data=spec).json()
    page.goto(f"/#job={job['id']}")
    page.wait_for_function(f"(() => {{ const b = ({BOUNDARY_JS})(); return b && b.train > 0 && b.step > 0; }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    b = page.evaluate(f"({BOUNDARY_JS})()")
    assert (b["train"], b["test"]) == (1600, 400), b
    assert (b["rows"], b["cols"]) == (64, 64), b
    expect(page.locator("#decision-boundary .legendtitletext")).to_contain_text("1,600 of 16,000 train")
    expect(page.locator("#decision-boundary .legendtitletext")).to_contain_text("400 of 4,000 test")
    spread = page.evaluate("""() => { const d = document.getElementById('decision-boundary');
      const xs = d.data.filter((t) => t.meta === 'train').flatMap((t) => t.x);
      return [Math.min(...xs), Math.max(...xs)]; }""")
    assert spread[0] < -1 and spread[1] > 1, spread  # drawn all over the plane, not the first few
    page.locator("#decision-boundary").screenshot(path=str(shots_dir / "boundary-20000-points.png"))
    page.request.post(f"{server_url}/api/jobs/{job['id']}/stop")
