"""The Weights tab: logistic regression on digits shows ten 8x8 class templates whose pixels are the
trained layer's weights (read back from the job's model), and one weight histogram, now over the
initialisation; at 1280x800 the templates and the histogram sit inside the window."""

import io
import re

import torch
from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

EPOCHS = 3
TEMPLATES_JS = """(() => {
  const figs = [...document.querySelectorAll('#weight-templates .wt-template')];
  return figs.map((f) => {
    const c = f.querySelector('canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const r = c.getBoundingClientRect();
    return { label: f.querySelector('figcaption').textContent, w: c.width, h: c.height,
             red: Array.from({ length: c.width * c.height }, (_, i) => px[4 * i] - px[4 * i + 2]),
             box: [r.left, r.top, r.right, r.bottom] };
  });
})()"""
HIST_JS = """(() => [...document.querySelectorAll('#weight-histograms .wt-plot')].map((d) => ({
  title: d.previousElementSibling?.textContent ?? '', traces: (d.data || []).map((t) => t.name),
  bars: d.data?.[0]?.customdata?.reduce((a, b) => a + b, 0) ?? 0,
  area: d.data?.[0]?.y?.reduce((a, b) => a + b, 0) * (d.data?.[0]?.width ?? 0),
  box: (({ left, top, right, bottom }) => [left, top, right, bottom])(d.getBoundingClientRect()) })))()"""


def test_logistic_regression_shows_class_templates_equal_to_its_weights(page: Page, shots_dir, server_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page)
    choose_preset(page, "logreg_digits")
    page.fill("#f-training-epochs", str(EPOCHS))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {EPOCHS}")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)

    page.click("#tab-weights")
    expect(page.locator("#pane-weights")).to_be_visible()
    expect(page.locator("#weight-templates .wt-head")).to_contain_text("8×8 weights on the pixels")
    job_id = page.evaluate("location.hash.match(/job=([0-9a-f]+)/)[1]")
    # the page draws the last weights message of the run: the trained model's
    expect(page.locator("#weight-histograms")).to_have_attribute("data-step", re.compile(r"^[1-9]\d*$"),
                                                                 timeout=UI_TIMEOUT_MS)
    templates = page.evaluate(TEMPLATES_JS)
    assert [t["label"] for t in templates] == [f"class {d}" for d in range(10)]
    assert all((t["w"], t["h"]) == (8, 8) for t in templates)

    body = page.request.get(f"{server_url}/api/jobs/{job_id}/model").body()
    state = torch.load(io.BytesIO(body), map_location="cpu", weights_only=False)["state_dict"]
    weight = next(v for k, v in state.items() if k.endswith("weight"))  # (10, 64): the only linear
    # red pixels where the weight is positive, blue where negative (the largest ones, clear of white)
    for d, t in enumerate(templates):
        w = weight[d]
        strong = w.abs() > 0.5 * w.abs().max()
        assert all((t["red"][p] > 0) == bool(w[p] > 0) for p in range(64) if strong[p]), d

    hists = page.evaluate(HIST_JS)
    assert len(hists) == 1 and hists[0]["title"].startswith("layer 1 · linear · 640 weights · std"), hists
    assert hists[0]["traces"] == ["now", "initialisation"] and hists[0]["bars"] == 640, hists
    assert abs(hists[0]["area"] - 1) < 1e-6, hists  # densities: the bars' area is 1
    for t in templates:
        assert 0 <= t["box"][0] and t["box"][2] <= 1280 and t["box"][3] <= 800, t["box"]
    assert hists[0]["box"][3] <= 800 and hists[0]["box"][3] - hists[0]["box"][1] >= 100, hists[0]["box"]
    page.screenshot(path=str(shots_dir / "weights-logreg-digits.png"))
