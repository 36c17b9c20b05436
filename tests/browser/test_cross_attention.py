"""Cross attention in the page: the dates preset opens the Cross attention tab, draws the target
characters (rows) over the source characters (columns), the three stages for the chosen query (whose
drawn weights sum to 1 and whose last column is the weighted sum of the drawn values, on one scale for
the whole run), follows the query control, and scrubs back to the untrained snapshot. Assertions are on drawn elements and
visible text, with auto-waiting."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

PLOT_JS = """() => {
  const d = document.getElementById('cross-plot');
  const h = d && d.data ? d.data.filter((t) => t.type === 'heatmap') : [];
  if (!h.length) return null;
  return { z: h[0].z, x: d.layout.xaxis.ticktext, y: d.layout.yaxis.ticktext, zmin: h[0].zmin, zmax: h[0].zmax,
           xTitle: d.layout.xaxis.title.text, yTitle: d.layout.yaxis.title.text, title: d.layout.title.text,
           step: Number(d.dataset.step || -1), head: d.dataset.head };
}"""
STAGES_JS = """() => {
  const d = document.getElementById('cross-stages');
  if (!d || !d.data || d.data.length !== 3) return null;
  const [scores, weights, values] = d.data;
  return { types: d.data.map((t) => t.type), scores: scores.y, weights: weights.y, values: values.z,
           columns: d.layout.xaxis3.ticktext, zmax: values.zmax, scoreRange: d.layout.yaxis.range, title: d.layout.title.text, query: Number(d.dataset.query),
           step: Number(d.dataset.step || -1) };
}"""


def plot(page: Page) -> dict:
    return page.evaluate(f"({PLOT_JS})()")


def stages(page: Page) -> dict:
    return page.evaluate(f"({STAGES_JS})()")


def check_stages(s: dict, keys: int) -> None:
    assert s["types"] == ["bar", "bar", "heatmap"]
    assert len(s["scores"]) == len(s["weights"]) == keys
    assert abs(sum(s["weights"]) - 1) < 1e-4 and min(s["weights"]) >= 0
    assert len(s["columns"]) == keys + 1 and s["columns"][-1] == "Σ"
    for row in s["values"]:  # one dimension of the head: the source tokens' values, then their weighted sum
        *values, context = row
        assert len(values) == keys and abs(sum(w * v for w, v in zip(s["weights"], values)) - context) < 1e-4


def test_dates_preset_draws_the_alignment_and_the_three_stages(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "attention_dates")
    page.click("#train-btn")
    expect(page.locator("#tab-cross")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.step > 0; }})()", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const s = ({STAGES_JS})(); return s && s.step > 0; }})()", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "cross-attention.png"))

    first = plot(page)
    lines = page.locator("#cross-io .attn-io-line")
    source = lines.nth(0).locator(".attn-tok").all_inner_texts()
    target = lines.nth(3).locator(".attn-tok").all_inner_texts()
    expect(lines.nth(0)).to_contain_text("source")
    expect(lines.nth(1)).to_contain_text("decoder input")
    assert first["x"] == source and first["y"] == target and len(target) == 10
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", "".join(target)), target
    assert (first["zmin"], first["zmax"]) == (0, 1) and first["xTitle"].startswith("source")
    assert first["yTitle"].startswith("target") and "Cross attention · head 0" in first["title"]
    expect(page.locator("#cross-layer")).to_contain_text("cross_attention · additive")
    check_stages(stages(page), len(source))

    page.select_option("#cross-query", "2")  # the year's third digit
    page.wait_for_function(f"(() => {{ const s = ({STAGES_JS})(); return s && s.query === 2; }})()", timeout=UI_TIMEOUT_MS)
    third = stages(page)
    assert f"query 2 “{target[2]}”" in third["title"]
    check_stages(third, len(source))

    page.fill("#cross-scrub", "0")
    page.dispatch_event("#cross-scrub", "input")
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.step === 0; }})()", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const s = ({STAGES_JS})(); return s && s.step === 0; }})()", timeout=UI_TIMEOUT_MS)
    early = stages(page)
    check_stages(early, len(source))
    # one scale across the run: the untrained snapshot's values and scores are drawn on the trained one's
    assert early["zmax"] == third["zmax"] and early["scoreRange"] == third["scoreRange"]
    expect(page.locator("#cross-step")).to_contain_text("step 0")
    assert plot(page)["z"] != first["z"]  # the untrained attention differs from the trained one
    page.screenshot(path=str(shots_dir / "cross-attention-step0.png"))


ATTN_STAGES_JS = STAGES_JS.replace("cross-stages", "attention-plot")


def test_self_attention_shows_the_three_stages_for_a_chosen_query(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "attention_reverse")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#tab-attention")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#attn-query")).to_be_disabled()  # the head view shows every query
    page.select_option("#attn-view", "stages")
    page.select_option("#attn-query", "3")
    page.wait_for_function(f"(() => {{ const s = ({ATTN_STAGES_JS})(); return s && s.query === 3 && s.step > 0; }})()",
                           timeout=UI_TIMEOUT_MS)
    s = page.evaluate(f"({ATTN_STAGES_JS})()")
    tokens = page.locator("#attention-io .attn-io-line").first.locator(".attn-tok").all_inner_texts()
    check_stages(s, len(tokens))
    assert s["columns"][:-1] == tokens and f"query 3 “{tokens[3]}”" in s["title"]
    page.screenshot(path=str(shots_dir / "attention-stages.png"))
