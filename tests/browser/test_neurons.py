"""The 2-D lab in the page: the tanh MLP preset on the spiral draws its decision boundary and, in the
Neurons tab, the network diagram: one thumbnail per input and hidden unit, weighted edges, and a
unit's heatmap large after a click. Assertions are on drawn elements, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_boundary import BOUNDARY_JS
from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

EPOCHS = 8
# Thumbnails drawn with colour: canvases of the diagram whose pixels are not all one colour.
THUMBS_JS = """() => {
  const d = document.getElementById('network-diagram');
  const canvases = [...d.querySelectorAll('canvas.nd-node')];
  const varied = canvases.filter((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < px.length; i += 4) if (px[i] !== px[0] || px[i + 2] !== px[2]) return true;
    return false;
  }).length;
  return { thumbs: canvases.length, varied, edges: d.querySelectorAll('svg line').length,
           outputs: d.querySelectorAll('.nd-out').length, step: Number(d.dataset.step || -1),
           titles: [...d.querySelectorAll('.nd-col-title')].map((t) => t.textContent), w: canvases[0]?.width };
}"""
DETAIL_JS = """() => {
  const d = document.getElementById('neuron-detail');
  const h = d && d.data ? d.data.find((t) => t.type === 'heatmap') : null;
  return h ? { title: d.layout.title.text, x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text,
               colorbar: h.colorbar.title.text, zmin: h.zmin, zmax: h.zmax, rows: h.z.length, unit: d.dataset.unit } : null;
}"""


def test_tanh_spiral_draws_boundary_and_neuron_thumbnails(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "lenet_digits")
    expect(page.locator("#tab-neurons")).to_be_hidden()  # digits: no neuron tab
    choose_preset(page, "tanh_spiral")
    expect(page.locator("#tab-neurons")).to_be_visible()
    page.fill("#f-training-epochs", str(EPOCHS))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {EPOCHS}")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running|completed"), timeout=UI_TIMEOUT_MS)

    page.wait_for_function(f"(() => {{ const b = ({BOUNDARY_JS})(); return b && b.step > 0; }})()", timeout=TRAIN_TIMEOUT_MS)
    b = page.evaluate(f"({BOUNDARY_JS})()")
    assert (b["rows"], b["cols"]) == (64, 64) and b["train"] > 0, b

    page.click("#tab-neurons")
    expect(page.locator("#pane-neurons")).to_be_visible()
    page.wait_for_function(f"({THUMBS_JS})().step > 0", timeout=TRAIN_TIMEOUT_MS)
    t = page.evaluate(f"({THUMBS_JS})()")
    assert t["thumbs"] == 2 + 8 + 8 and t["varied"] == t["thumbs"], t  # inputs x1, x2 and 2 x 8 tanh units
    assert t["edges"] == 2 * 8 + 8 * 8 + 8 * 2 and t["outputs"] == 2 and t["w"] == 32, t
    assert t["titles"] == ["input", "layer 1 · tanh", "layer 3 · tanh", "output"], t

    page.locator("#network-diagram canvas.nd-node[data-col='2'][data-unit='3']").click()
    page.wait_for_function(f"(() => {{ const d = ({DETAIL_JS})(); return d && d.unit === '2:3'; }})()", timeout=UI_TIMEOUT_MS)
    d = page.evaluate(f"({DETAIL_JS})()")
    assert "layer 3 · tanh · unit 3" in d["title"] and d["rows"] == 32, d
    assert (d["x"], d["y"], d["colorbar"]) == ("x1 (standardised)", "x2 (standardised)", "activation"), d
    assert d["zmin"] == -d["zmax"] and 0 < d["zmax"] <= 1, d  # one diverging scale centred on 0, tanh range
    expect(page.locator("#network-diagram canvas.nd-node.selected")).to_have_count(1)
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: \d\.\d{3}$"), timeout=TRAIN_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "neurons-tanh-spiral.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], size


# Bounding boxes of the diagram's column titles, and whether any is cut (clipped by its own box).
TITLES_JS = """() => [...document.querySelectorAll('#network-diagram .nd-col-title')].map((t) => {
  const r = t.getBoundingClientRect();
  return { text: t.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom,
           cut: t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1 };
})"""


def overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def test_column_titles_of_wide_layers_neither_overlap_nor_get_cut(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "mlp_spiral")  # 2 x 32 tanh units: 16 of 32 drawn per layer
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    page.click("#tab-neurons")
    page.wait_for_function(f"({THUMBS_JS})().step >= 0 && ({THUMBS_JS})().thumbs > 0", timeout=TRAIN_TIMEOUT_MS)
    titles = page.evaluate(f"({TITLES_JS})()")
    assert [t["text"] for t in titles] == ["input", "layer 1 · tanh (16 of 32)", "layer 3 · tanh (16 of 32)", "output"], titles
    assert not any(t["cut"] for t in titles), titles
    pairs = [(a["text"], b["text"]) for i, a in enumerate(titles) for b in titles[i + 1:] if overlap(a, b)]
    assert not pairs, pairs
    top = page.evaluate("Math.min(...[...document.querySelectorAll('#network-diagram .nd-node')]"
                        ".map((n) => n.getBoundingClientRect().top))")
    assert max(t["y1"] for t in titles) <= top + 0.5, (titles, top)  # the titles sit above the nodes
    page.locator("#pane-neurons").screenshot(path=str(shots_dir / "neurons-wide-titles.png"))
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
