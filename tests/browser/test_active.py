"""The active-learning tab: the editor's network on spiral asks for labels round by round (entropy and random,
2 seeds each, as replicate sets of ordinary jobs); the tab shows the accuracy-against-labels curves, one run's
boundary with its labelled points and next queries, and a refused field by name. Tiny runs (4 rounds of 20
steps). Screenshot at 1280x800 (NNPLAY_SHOTS_DIR)."""

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

CURVES_JS = """() => { const c = document.getElementById('al-curves'); const m = document.getElementById('al-map');
  if (!c.data || !m.data) return null;
  const named = (uid) => m.data.find((t) => t.uid === uid);
  return { title: c.layout.title.text, x: c.layout.xaxis.title.text, y: c.layout.yaxis.title.text,
    means: c.data.filter((t) => t.line.width === 3).map((t) => [t.name, t.x]),
    seeds: c.data.filter((t) => t.line.width === 1).length,
    heatmap: m.data.some((t) => t.type === 'heatmap'), labelled: named('labelled')?.x.length ?? 0,
    queried: named('queried')?.x.length ?? -1, mapTitle: m.layout.title.text }; }"""


def test_strategies_ask_for_labels_and_the_curves_and_map_are_drawn(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.click("#open-found")
    page.click("#found-tab-active")
    expect(page.locator("#al-about")).to_contain_text("spiral")
    expect(page.locator("#found-pane-active .found-caption")).to_contain_text("What to look for")
    page.fill("#al-query_size", "21")
    page.click("#al-run")
    expect(page.locator("#al-errors")).to_contain_text("base.training.active.query_size")
    page.fill("#al-query_size", "2")
    page.fill("#al-initial_labels", "4")
    page.fill("#al-rounds", "3")
    page.fill("#al-steps_per_round", "20")
    page.fill("#al-n", "2")
    page.click("#al-run")
    expect(page.locator("#al-errors")).to_be_hidden()
    expect(page.locator("#al-progress")).to_contain_text("4/4 runs done", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#al-stats")).to_contain_text("Mean test accuracy at 10 labels: entropy")
    expect(page.locator("#al-stats")).to_contain_text("random")
    page.wait_for_function(f"(() => {{ const r = ({CURVES_JS})(); return r && r.heatmap && r.labelled === 10; }})()",
                           timeout=UI_TIMEOUT_MS)
    r = page.evaluate(f"({CURVES_JS})()")
    assert r["title"] == "Test accuracy against the number of labels" and r["y"] == "test accuracy (fraction)", r
    assert r["means"] == [["entropy (mean of 2)", [4, 6, 8, 10]], ["random (mean of 2)", [4, 6, 8, 10]]], r
    assert r["seeds"] == 4 and r["queried"] == 0, r  # the last round asks for nothing more
    options = page.locator("#al-job option").all_text_contents()
    assert options == ["entropy · seed 0", "entropy · seed 1", "random · seed 0", "random · seed 1"], options
    page.select_option("#al-job", label="random · seed 1")
    page.wait_for_function("(() => { const d = document.getElementById('al-map').data || []; return "
                           "d.some((t) => t.type === 'heatmap') && d.find((t) => t.uid === 'labelled')?.x.length === 10; })()",
                           timeout=UI_TIMEOUT_MS)
    expect(page.locator("#al-map .legendtext", has_text="labelled (10)")).to_be_visible()
    expect(page.locator("#al-map .gtitle")).to_contain_text("Decision boundary · epoch 4, step 80")
    page.screenshot(path=str(shots_dir / "foundations-active-1280.png"))
