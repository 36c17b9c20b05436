"""The race and loss-surface dialogs: a race overlays its runs' curves with one legend entry per value;
the loss surface draws a contour with each optimizer's path, step by step; bad inputs are named."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

RACE_JS = """() => { const d = document.getElementById('race-chart');
  const runs = d.data ? d.data.filter((t) => t.showlegend !== false) : [];  // a run's loss trace (its test trace has no legend entry)
  return d.data ? { names: runs.map((t) => t.name), points: d.data.map((t) => t.x.filter((x) => x !== null).length),
                    colors: runs.map((t) => t.line.color), title: d.layout.title.text,
                    x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text } : null; }"""
SURFACE_JS = """() => { const d = document.getElementById('surface-chart');
  if (!d.data) return { done: false, title: '' };
  const paths = d.data.slice(1);  // the contour first, then the marks and paths, in one plot (one set of axes)
  return { done: d.dataset.done === 'true', types: d.data.map((t) => t.type),
           names: paths.map((t) => t.name), lengths: paths.map((t) => (t.x || []).length),
           colorbar: d.data[0].colorbar.title.text, title: d.layout.title.text,
           x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text }; }"""


def test_race_overlays_one_curve_per_value(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "2")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 2")
    page.click("#open-race")
    expect(page.locator("#race-dialog")).to_be_visible()
    page.fill("#race-values", "sgd, lbfgs")
    page.click("#race-start")
    expect(page.locator("#race-errors")).to_contain_text("values[1]")  # refused, named
    page.fill("#race-values", "sgd, adam, rmsprop")
    page.click("#race-start")
    page.wait_for_function(f"(() => {{ const r = ({RACE_JS})(); return r && r.names.length === 3 && r.names.every((n) => n.includes('test acc'))"
                           f" && r.points.every((p) => p === 2); }})()", timeout=TRAIN_TIMEOUT_MS)
    r = page.evaluate(f"({RACE_JS})()")
    assert [n.split(" · ")[0] for n in r["names"]] == ["optimizer = sgd", "optimizer = adam", "optimizer = rmsprop"], r
    assert all(p == 2 for p in r["points"]) and len(set(r["colors"])) == 3, r  # 2 epochs: loss and test accuracy each
    assert (r["x"], r["y"]) == ("epoch", "training loss, epoch mean (nats)") and r["title"].startswith("Race"), r
    chart = page.locator("#race-chart").bounding_box()  # the x axis title is drawn inside the chart's box
    page.wait_for_function("Math.abs(document.getElementById('race-chart')._fullLayout.height - "
                           "document.getElementById('race-chart').clientHeight) < 1", timeout=UI_TIMEOUT_MS)
    title = page.locator("#race-chart .xtitle").bounding_box()
    assert chart["y"] <= title["y"] and title["y"] + title["height"] <= chart["y"] + chart["height"] + 0.5, (title, chart)
    expect(page.locator("#race-errors")).to_be_hidden()
    page.screenshot(path=str(shots_dir / "race.png"))
    page.click("#race-close")
    expect(page.locator("#job-list li", has_text="training.optimizer = adam")).to_have_count(1, timeout=UI_TIMEOUT_MS)


def test_loss_surface_draws_the_paths_and_names_bad_input(page: Page, shots_dir):
    open_page(page)
    page.click("#open-surface")
    page.wait_for_function(f"({SURFACE_JS})().done", timeout=TRAIN_TIMEOUT_MS)  # ~60 animation frames
    s = page.evaluate(f"({SURFACE_JS})()")
    assert s["types"][0] == "heatmap" and s["colorbar"] == "log10(1 + f)", s
    assert s["names"] == ["start", "minimum", "SGD", "SGD + momentum 0.9", "RMSprop", "Adam", "AdamW (weight decay 0.01)"], s
    assert all(n == 501 for n in s["lengths"][2:]), s  # 500 steps from the start, every optimizer
    assert s["title"] == "Rosenbrock · lr 0.001 · step 500 of 500" and (s["x"], s["y"]) == ("x", "y"), s
    page.screenshot(path=str(shots_dir / "surface.png"))
    page.select_option("#surface-function", "saddle")
    page.fill("#surface-x", "9")
    page.click("#surface-run")
    expect(page.locator("#surface-errors")).to_contain_text(re.compile(r"start: .*outside the saddle domain"))
    page.fill("#surface-x", "-1.5")
    page.click("#surface-run")
    page.wait_for_function(f"(() => {{ const s = ({SURFACE_JS})(); return s.done && s.title.startsWith('Saddle'); }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#surface-errors")).to_be_hidden()
    assert page.evaluate(f"({SURFACE_JS})()")["colorbar"] == "f(x, y)"
    page.screenshot(path=str(shots_dir / "surface-saddle.png"))
