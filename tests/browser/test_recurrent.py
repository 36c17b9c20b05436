"""Recurrent networks in the page: the char-LSTM preset on Shakespeare draws its gate heatmaps with the
probe's characters along the time axis, generated text appears, and the gradients-through-time heatmap
draws. Assertions are on drawn elements and visible text, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

GATES_JS = """() => {
  const d = document.getElementById('gates-plot');
  if (!d || !d.data || !d.data.length) return null;
  return { names: d.data.map((t) => t.name), ticks: d.layout.xaxis.ticktext, step: Number(d.dataset.step || -1),
           x: d.layout.xaxis.title.text, title: d.layout.title.text, rows: d.data[0].z.length,
           cols: d.data[0].z[0].length, gateRange: [d.layout.coloraxis.cmin, d.layout.coloraxis.cmax],
           bars: [d.layout.coloraxis.colorbar.title.text, d.layout.coloraxis2.colorbar.title.text] };
}"""
# Boxes in the gates view: the scrolling panel, the time axis title, the last heatmap row, the colour
# bars and their titles, the row names and the left edge of the heatmaps.
FIT_JS = """(() => {
  const box = (e) => e.getBoundingClientRect().toJSON();
  const d = document.getElementById('gates-plot');
  const drags = [...d.querySelectorAll('.draglayer .nsewdrag')].map(box);
  return { box: box(document.getElementById('seq-box')), xtitle: box(d.querySelector('.xtitle')),
           last_row: drags.reduce((a, b) => (b.bottom > a.bottom ? b : a)), area_left: Math.min(...drags.map((r) => r.left)),
           bars: [...d.querySelectorAll('.colorbar')].map(box).reduce((a, b) => (b.bottom > a.bottom ? b : a)),
           bar_titles: [...d.querySelectorAll('.colorbar .cbtitle')].map(box), plot_right: box(d).right,
           labels: [...d.querySelectorAll('.annotation')].map(box) };
})()"""
TIME_GRADIENTS_JS = """() => {
  const d = document.getElementById('time-gradients');
  const h = d && d.data ? d.data.find((t) => t.type === 'heatmap') : null;
  return h ? { cols: h.z[0].length, colorbar: h.colorbar.title.text, x: d.layout.xaxis.title.text } : null;
}"""


def test_char_lstm_draws_gates_with_characters_and_generated_text(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "char_lstm_shakespeare")
    expect(page.locator("#tab-inside")).to_have_text("Gates")
    expect(page.locator("#seq-box")).to_be_visible()
    expect(page.locator("#f-dataset-seq_len")).to_be_visible()  # the text set's own option
    expect(page.locator("#f-training-temperature")).to_be_visible()
    page.fill("#f-dataset-seq_len", "60")
    page.fill("#f-training-probe_every", "5")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.probe_every === 5")
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#summary-table")).to_contain_text("60×74", timeout=UI_TIMEOUT_MS)

    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running"), timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const g = ({GATES_JS})(); return g && g.step >= 5; }})()", timeout=TRAIN_TIMEOUT_MS)
    g = page.evaluate(f"({GATES_JS})()")
    assert g["names"] == ["input gate i", "forget gate f", "cell candidate g", "output gate o", "cell state c_t",
                          "hidden state h_t"], g
    assert (g["rows"], g["cols"]) == (32, 60) and g["gateRange"] == [0, 1] and g["x"] == "time step (probe input)"
    assert "".join(g["ticks"]).replace("␣", " ").replace("↵", "\n").strip(), g  # the probe's characters
    assert all(len(t) == 1 for t in g["ticks"]) and g["bars"] == ["gate (0–1)", "tanh value"], g
    expect(page.locator("#gates-plot .gtitle")).to_contain_text("Gates of layer 1 · lstm · forward")
    expect(page.locator("#gates-note")).to_contain_text("first 32 of 128 units")
    page.click("#tab-inside")
    fit = page.evaluate(FIT_JS)
    for name in ("xtitle", "last_row", "bars"):  # c_t, h_t, the time axis and the colour bars show unscrolled
        assert fit[name]["bottom"] <= fit["box"]["bottom"] + 0.5, (name, fit)
    assert all(r["right"] <= fit["area_left"] + 0.5 for r in fit["labels"]), fit  # row names beside their rows
    assert all(t["bottom"] <= fit["box"]["bottom"] + 0.5 and t["right"] <= fit["plot_right"] + 0.5 for t in fit["bar_titles"]), fit

    expect(page.locator("#text-samples .sample").first).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#text-samples .sample-head").first).to_contain_text("temperature 0.8")
    assert len(page.locator("#text-samples .generated").first.inner_text()) >= 150
    page.screenshot(path=str(shots_dir / "char-lstm-page.png"))
    page.locator("#gates-plot").screenshot(path=str(shots_dir / "char-lstm-gates.png"))
    page.locator("#text-samples").screenshot(path=str(shots_dir / "char-lstm-samples.png"))

    page.click("#tab-gradients")
    page.wait_for_function(f"(() => {{ const t = ({TIME_GRADIENTS_JS})(); return t && t.cols === 60; }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    t = page.evaluate(f"({TIME_GRADIENTS_JS})()")
    assert t["colorbar"] == "log10 ‖dL/dh_t‖" and t["x"] == "time step t of the sequence", t
    expect(page.locator("#clip-note")).to_contain_text("grad_clip 1")
    page.locator("#pane-gradients").screenshot(path=str(shots_dir / "char-lstm-time-gradients.png"))
    page.click("#stop-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("stopped|completed", re.I), timeout=TRAIN_TIMEOUT_MS)


# The forecast and gates of a series: boxes of the panel, the forecast plot, the gates' time ticks
# and the colour bars' tick labels and titles.
SERIES_FIT_JS = """(() => {
  const box = (e) => e.getBoundingClientRect().toJSON();
  const seq = document.getElementById('seq-box');
  const f = document.getElementById('forecast');
  const g = document.getElementById('gates-plot');
  const times = f.data[0].x;
  return { seq: [seq.scrollWidth, seq.clientWidth], forecast: [f.scrollWidth, f.clientWidth],
           xrange: f._fullLayout.xaxis.range, last_time: times[times.length - 1],
           legend: f.querySelector('.legend') ? box(f.querySelector('.legend')) : null, forecast_box: box(f),
           ticks: g.layout.xaxis.ticktext,
           tick_boxes: [...g.querySelectorAll('.xtick text')].map(box),
           bars: [...g.querySelectorAll('.colorbar')].map((c) => ({
             ticks: [...c.querySelectorAll('.cbaxis text, .ycbtick text, text.ytick, .cbaxis .tick text')].map(box),
             title: c.querySelector('.cbtitle') ? box(c.querySelector('.cbtitle')) : null })) };
})()"""


def _overlap(a, b):
    return a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5 and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


def test_series_forecast_follows_its_box_and_gates_stay_readable(page: Page, browser, server_url, shots_dir):
    open_page(page)
    choose_preset(page, "lstm_sunspots")
    page.fill("#f-training-epochs", "1")
    page.fill("#f-training-probe_every", "5")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("completed", re.I), timeout=TRAIN_TIMEOUT_MS)
    job_id = page.evaluate("new URLSearchParams(location.hash.slice(1)).get('job')")
    assert job_id

    # Reopened from its link, the forecast was first drawn while its panel was hidden (Plotly's 700 px).
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server_url)
    try:
        other = context.new_page()
        other.goto(f"/#job={job_id}")
        other.wait_for_function("document.getElementById('forecast').dataset.step && document.getElementById('gates-plot').dataset.step",
                                timeout=UI_TIMEOUT_MS)
        # drawn hidden at Plotly's 700 px, the charts follow their boxes once shown: wait for that
        other.wait_for_function("(() => { const f = document.getElementById('forecast'), g = document.getElementById('gates-plot'), "
                                "s = document.getElementById('seq-box'); return f._fullLayout && g._fullLayout && "
                                "Math.abs(f._fullLayout.width - f.clientWidth) <= 1 && Math.abs(g._fullLayout.width - g.clientWidth) <= 1 "
                                "&& f.scrollWidth <= f.clientWidth && s.scrollWidth <= s.clientWidth; })()", timeout=UI_TIMEOUT_MS)
        fit = other.evaluate(SERIES_FIT_JS)
        assert fit["seq"][0] <= fit["seq"][1] and fit["forecast"][0] <= fit["forecast"][1], fit
        assert fit["xrange"][1] >= fit["last_time"] - 0.5, fit  # the whole test range shows
        assert fit["legend"]["right"] <= fit["forecast_box"]["right"] + 0.5, fit  # "last value (baseline)" included
        # Time ticks of a numeric series: a few short labels that do not run together.
        assert 3 <= len(fit["ticks"]) <= 16 and all(len(t) <= 5 for t in fit["ticks"]), fit["ticks"]
        boxes = fit["tick_boxes"]
        assert all(not _overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), boxes
        # Colour bars: each bar's tick labels apart, and the titles apart from each other.
        for bar in fit["bars"]:
            assert len(bar["ticks"]) >= 2, fit["bars"]
            assert all(not _overlap(a, b) for i, a in enumerate(bar["ticks"]) for b in bar["ticks"][i + 1:]), bar
        titles = [b["title"] for b in fit["bars"] if b["title"]]
        assert len(titles) == 3 and all(not _overlap(a, b) for i, a in enumerate(titles) for b in titles[i + 1:]), titles
        # The R² chart of a 1-epoch run: whole epochs on its x axis (no 0.5, 1.5)
        epochs = other.evaluate("[...document.querySelectorAll('#accuracy-chart .xtick text')].map((t) => t.textContent)")
        assert epochs and all(re.fullmatch(r"\d+", t) for t in epochs), epochs
        other.locator("#seq-box").screenshot(path=str(shots_dir / "sunspots-reopened-seq.png"))
    finally:
        context.close()
