"""Explanations a learner can read (issue 16): each preset's whole "what to look for" text without
hovering, a job started paused so Step works from step 0, live setting changes marked on the loss
curve, a linear regression's learned w and b beside least squares, word2vec's form without the
fields it does not use."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

CLIPPED_JS = "() => { const el = document.getElementById('preset-description'); return el.scrollHeight > el.clientHeight + 1; }"
MARKS_JS = """() => [...document.querySelectorAll('#loss-chart .annotation-text')].map((el) => el.textContent)"""


def test_every_preset_text_is_readable_in_full_and_speaks_to_a_learner(page: Page, shots_dir):
    open_page(page)
    presets = page.evaluate("fetch('/api/presets').then((r) => r.json())")
    for p in presets:
        assert not re.search(r"\bissue\b|TODO|\bprobe\b", p["description"]), (p["id"], p["description"])
    choose_preset(page, "attention_reverse")
    more = page.locator("#preset-more")
    expect(more).to_be_visible()
    expect(more).to_have_text("What to look for…")
    assert page.evaluate(CLIPPED_JS)  # three lines of it until opened
    more.click()
    expect(more).to_have_text("Show less")
    expect(more).to_have_attribute("aria-expanded", "true")
    page.wait_for_function(f"!({CLIPPED_JS})()", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#preset-description")).to_contain_text("the anti-diagonal")
    choose_preset(page, "rnn_adding")  # opened once, later presets show their whole text too
    page.wait_for_function(f"!({CLIPPED_JS})()", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#preset-description")).to_contain_text("with the same seed to compare")
    expect(page.locator("#summary-table")).to_contain_text("rnn", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "explain-preset-text.png"))
    more.click()
    page.wait_for_function(CLIPPED_JS, timeout=UI_TIMEOUT_MS)


def test_start_paused_step_from_zero_live_lr_marked_and_learned_line(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "linreg_plane")
    page.check("#start-paused")
    page.click("#train-btn")
    status = page.locator("#job-status")
    expect(status).to_contain_text("paused", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#step-btn")).to_be_enabled(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#status-note")).to_contain_text("press Step")
    expect(page.locator("#learned-note")).to_contain_text("after the first epoch", timeout=UI_TIMEOUT_MS)
    assert "step" not in status.inner_text()  # nothing trained yet: it waits at step 0

    page.click("#step-btn")
    expect(status).to_contain_text("step 1 ·", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#learned-note")).to_contain_text("after step 1", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#learned-table")).to_contain_text("w1 (x1)")
    expect(page.locator("#learned-table")).to_contain_text("b (bias)")

    page.fill("#f-training-lr", "0.3")
    page.click("#f-training-lr-live")
    expect(page.locator("#status-note")).to_contain_text("lr = 0.3", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#step-btn")).to_be_enabled()
    page.click("#step-btn")
    expect(status).to_contain_text("step 2 · lr 0.3", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"({MARKS_JS})().includes('lr 0.3')", timeout=UI_TIMEOUT_MS)
    mark = page.locator("#loss-chart .annotation-text", has_text="lr 0.3")
    expect(mark).to_be_visible()

    page.click("#play-btn")  # ▶: a paused job goes on (the lr set live is no edit)
    expect(status).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    job_id = re.search(r"#job=(\w+)", page.url).group(1)
    fit = page.evaluate(f"fetch('/api/jobs/{job_id}/linear_fit').then((r) => r.json())")
    assert fit["step"] == 100
    expect(page.locator("#learned-note")).to_contain_text("after step 100", timeout=UI_TIMEOUT_MS)
    rows = page.locator("#learned-table tr")
    for i, name in enumerate(["w1 (x1)", "w2 (x2)"]):
        cells = rows.nth(i + 1).locator("td")
        expect(cells.nth(0)).to_have_text(name)
        expect(cells.nth(2)).to_have_text(page.evaluate(f"String(Number(({fit['least_squares']['weights'][i]}).toPrecision(4)))"))
        learned, best = float(cells.nth(1).inner_text()), float(cells.nth(2).inner_text())
        assert abs(learned - best) < 0.01 and abs(best - [2.0, -3.0][i]) < 0.05
    expect(mark).to_be_visible()  # still marked when the run is over
    page.screenshot(path=str(shots_dir / "explain-linear-paused-live.png"))


def test_word2vec_form_shows_only_the_fields_it_uses(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    for field in ("#f-training-loss", "#f-training-grad_clip", "#f-dataset-test_fraction"):
        expect(page.locator(field)).to_be_visible()
    choose_preset(page, "skipgram_shakespeare")
    for field in ("#f-training-loss", "#f-training-grad_clip", "#f-training-l1", "#f-training-lr_schedule",
                  "#f-dataset-test_fraction", "#f-dataset-seed"):
        expect(page.locator(field)).to_be_hidden()
    for field in ("#f-training-lr", "#f-training-epochs", "#f-training-seed"):
        expect(page.locator(field)).to_be_visible()
    expect(page.locator("#summary-table")).to_contain_text("embedding", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "explain-word2vec-form.png"))


ERRORS_BOX_JS = """() => { const e = document.getElementById('validation-errors'); const box = e.getBoundingClientRect();
  const first = e.children[0].getBoundingClientRect();
  return { height: e.clientHeight, content: e.scrollHeight, firstInside: first.bottom <= box.bottom,
           lines: (e.clientHeight - 8) / 16 }; }"""


def test_the_validation_error_box_is_not_cut_mid_line(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "lenet_digits")
    spec = json.loads(page.input_value("#spec-editor"))
    for layer in spec["network"]["layers"]:
        if layer["type"] == "linear":
            layer["out_features"] = -3  # three errors of two lines each in the middle column
    page.fill("#spec-editor", json.dumps(spec, indent=2))
    errors = page.locator("#validation-errors")
    expect(errors.locator("li")).to_have_count(3, timeout=UI_TIMEOUT_MS)
    box = page.evaluate(f"({ERRORS_BOX_JS})()")
    assert box["firstInside"]
    assert box["height"] >= min(box["content"], 6 * 16 + 8) - 1  # not squeezed by the column
    assert box["height"] >= box["content"] - 1 or box["lines"] == int(box["lines"])  # ends between two lines
    errors.screenshot(path=str(shots_dir / "explain-errors-box.png"))
