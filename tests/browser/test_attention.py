"""Attention in the page: the reverse preset draws its head view with the probe's digits on both axes,
switching head changes the heatmap, the model view shows every head, and scrubbing back shows an
earlier snapshot. Assertions are on drawn elements and visible text, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

SEQ_LEN = 8

# What #attention-plot shows: its heatmap, axis labels, title and the snapshot's step.
PLOT_JS = """() => {
  const d = document.getElementById('attention-plot');
  const h = d && d.data ? d.data.filter((t) => t.type === 'heatmap') : [];
  if (!h.length) return null;
  return { traces: h.length, z: h[0].z, x: d.layout.xaxis.ticktext || null, y: d.layout.yaxis.ticktext || null,
           yDown: d._fullLayout.yaxis.range[0] > d._fullLayout.yaxis.range[1], zmin: h[0].zmin, zmax: h[0].zmax,
           colorbar: h[0].colorbar ? h[0].colorbar.title.text : (d.layout.coloraxis ? d.layout.coloraxis.colorbar.title.text : null),
           xTitle: d.layout.xaxis.title ? d.layout.xaxis.title.text : null,
           yTitle: d.layout.yaxis.title ? d.layout.yaxis.title.text : null,
           title: d.layout.title.text, step: Number(d.dataset.step || -1), head: d.dataset.head, view: d.dataset.view };
}"""


def plot(page: Page) -> dict:
    return page.evaluate(f"({PLOT_JS})()")


def test_reverse_preset_head_view_heads_model_view_and_scrubber(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "attention_reverse")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running|completed"), timeout=UI_TIMEOUT_MS)
    expect(page.locator("#tab-attention")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.step > 0; }})()", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "attention-head-view.png"))
    step = page.locator("#attn-step")  # the whole "step · epoch · i/n" label, inside the pane
    expect(step).to_contain_text(re.compile(r"step \d+ · epoch \d+ · \d+/\d+"))
    assert step.evaluate("(e) => e.scrollWidth <= e.clientWidth")
    pane = page.locator("#pane-attention").bounding_box()
    label = step.bounding_box()
    assert label["x"] + label["width"] <= pane["x"] + pane["width"] + 0.5, (label, pane)
    lag = page.evaluate("Number(document.getElementById('attention-plot').dataset.maxLagMs)")
    assert 0 <= lag < 1000, lag  # no live frame was older than 1 s when drawn

    first = plot(page)
    tokens = page.locator("#attention-io .attn-io-line").first.locator(".attn-tok").all_inner_texts()
    assert len(tokens) == SEQ_LEN and all(t.isdigit() for t in tokens)
    assert first["x"] == tokens and first["y"] == tokens  # the probe's digits on both axes
    shown = {k: v for k, v in first.items() if k != "z"}
    assert first["yDown"] and (first["zmin"], first["zmax"]) == (0, 1) and first["colorbar"] == "weight", shown
    assert first["xTitle"].startswith("key") and first["yTitle"].startswith("query"), shown
    assert "head 0" in first["title"] and len(first["z"]) == SEQ_LEN
    expect(page.locator("#attention-io")).to_contain_text("predicted")

    page.select_option("#attn-head", "1")
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.head === '1'; }})()", timeout=UI_TIMEOUT_MS)
    other = plot(page)
    assert "head 1" in other["title"] and other["z"] != first["z"]

    last_step = other["step"]
    page.fill("#attn-scrub", "0")
    page.dispatch_event("#attn-scrub", "input")
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.step < {last_step}; }})()",
                           timeout=UI_TIMEOUT_MS)
    early = plot(page)
    assert early["step"] == 0 and f"step {early['step']}" in early["title"]
    expect(page.locator("#attn-step")).to_contain_text("step 0")
    assert not page.is_checked("#attn-live")
    assert early["z"] != other["z"]  # the untrained head attends differently
    page.screenshot(path=str(shots_dir / "attention-scrubbed.png"))

    page.select_option("#attn-view", "model")
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.view === 'model'; }})()", timeout=UI_TIMEOUT_MS)
    assert plot(page)["traces"] == 2  # 1 layer x 2 heads
    page.screenshot(path=str(shots_dir / "attention-model-view.png"))
