"""The Activations tab: with the deep-sigmoid preset, the page draws the sigmoid's curve and derivative
with the course's formula, and the saturation heatmap (one row per sigmoid layer, shares on a 0-1
scale) whose newest column equals the job's last streamed saturation message (read back by the API)."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

EPOCHS = 3
HEAT_JS = """(() => {
  const d = document.getElementById('saturation-plot');
  const h = d && d.data ? d.data.find((t) => t.type === 'heatmap') : null;
  return h ? { rows: h.y, cols: h.x.length, zmin: h.zmin, zmax: h.zmax, last: h.z.map((r) => r[r.length - 1]),
               colorbar: h.colorbar.title.text, title: d.layout.title.text, x: d.layout.xaxis.title.text,
               xrange: d._fullLayout.xaxis.range } : null;
})()"""
CURVES_JS = """(() => {
  const cards = [...document.querySelectorAll('#activation-curves .act-card')];
  return cards.map((c) => ({ type: c.dataset.type, formula: c.querySelector('.act-formula').textContent,
    traces: c.querySelector('.act-plot').data?.length ?? 0 }));
})()"""


def test_deep_sigmoid_preset_draws_curves_and_saturation(page: Page, shots_dir, server_url):
    open_page(page)
    expect(page.locator("#tab-activations")).to_be_visible()  # LeNet (relu) first: it has activation layers
    choose_preset(page, "deep_sigmoid_circle")
    page.fill("#f-training-epochs", str(EPOCHS))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {EPOCHS}")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running|completed"), timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)

    page.click("#tab-activations")
    expect(page.locator("#pane-activations")).to_be_visible()
    expect(page.locator("#activation-curves .act-formula")).to_contain_text("σ'(x) = σ(x)·(1 − σ(x))")
    curves = page.evaluate(CURVES_JS)
    assert [c["type"] for c in curves] == ["sigmoid"] and curves[0]["traces"] == 3, curves

    page.wait_for_function(f"(() => {{ const h = {HEAT_JS}; return h && h.cols >= 2; }})()", timeout=UI_TIMEOUT_MS)
    h = page.evaluate(HEAT_JS)
    assert h["rows"] == [f"layer {i} · sigmoid · saturated" for i in range(1, 18, 2)], h
    assert (h["zmin"], h["zmax"], h["colorbar"], h["x"]) == (0, 1, "share", "step"), h
    assert h["xrange"][0] >= 0, h  # the step axis starts at the first snapshot (step 0), not before it

    job_id = page.evaluate("location.hash.match(/job=([0-9a-f]+)/)[1]")
    job = page.request.get(f"{server_url}/api/jobs/{job_id}").json()
    assert "activations" in job["panels"]
    page.screenshot(path=str(shots_dir / "activations-deep-sigmoid.png"))
    # the newest column is the last saturation message of the stream (the page got it over the websocket)
    last = page.evaluate("""async (id) => new Promise((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/api/jobs/${id}/stream`);
      let sat = null;
      ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'saturation') sat = m;
        if (m.type === 'status' && ['completed', 'failed'].includes(m.status)) { ws.close(); resolve(sat); } };
    })""", job_id)
    assert [round(v, 6) for v in h["last"]] == [round(l["saturated"], 6) for l in last["layers"]], (h["last"], last)
    assert max(h["last"]) > 0.1, h["last"]  # Adam at lr 0.03 saturates layers 7-13 within 30 steps (0.47-0.72, seed 0)
