"""Shareable state: the whole configuration (spec + page settings) lives in the URL hash; a page
opened from a copied URL restores every control, and a job's link replays its stored curves."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import _checked_page
from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

CONTROLS_JS = """() => {
  const out = {};
  for (const c of document.querySelectorAll('#data-fields input, #data-fields select, #training-fields input, #training-fields select')) {
    out[c.id] = c.type === 'checkbox' ? c.checked : c.value;
  }
  out.editor = document.getElementById('spec-editor').value;
  out.preset = document.getElementById('preset-select').value;
  out.tab = document.querySelector('.tab[aria-selected="true"]').id;
  return out;
}"""


def set_controls(page: Page) -> None:
    choose_preset(page, "tanh_spiral")
    page.fill("#f-dataset-noise", "0.25")
    page.fill("#f-dataset-n_samples", "300")
    page.fill("#f-dataset-test_fraction", "0.3")
    page.fill("#f-dataset-seed", "4")
    page.select_option("#optimizer-select", "sgd")
    page.fill("#f-training-lr", "0.05")
    page.fill("#f-training-momentum", "0.5")
    page.check("#f-training-nesterov")
    page.fill("#f-training-weight_decay", "0.001")
    page.fill("#f-training-epochs", "7")
    page.fill("#f-training-batch_size", "8")
    page.fill("#f-training-grad_clip", "2")
    page.fill("#f-training-seed", "3")
    page.fill("#f-training-probe_every", "9")
    page.click("#tab-neurons")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.probe_every === 9")


def test_a_copied_url_restores_every_control(page: Page, browser, server_url, shots_dir):
    open_page(page)
    set_controls(page)
    expect(page).to_have_url(re.compile(r"#cfg="), timeout=UI_TIMEOUT_MS)
    before = page.evaluate(f"({CONTROLS_JS})()")
    url = page.url
    spec = page.evaluate("JSON.parse(document.querySelector('#spec-editor').value)")
    assert spec["dataset"]["noise"] == 0.25 and spec["training"]["optimizer"] == "sgd" and spec["training"]["nesterov"]

    for other in _checked_page(browser, server_url):  # a new browser context: nothing shared but the URL
        other.goto(url)
        expect(other.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)
        after = other.evaluate(f"({CONTROLS_JS})()")
        assert after == before
        # edited away from tanh_spiral's spec: the select says so (the custom entry) on both pages
        assert after["tab"] == "tab-neurons" and after["preset"] == ""
        expect(other.locator("#pane-neurons")).to_be_visible()
        other.screenshot(path=str(shots_dir / "share-restored.png"))


def test_a_job_link_shows_its_stored_curves(page: Page, browser, server_url):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "3")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 3")
    page.click("#train-btn")
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy"), timeout=TRAIN_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"#job=\w+"))
    job_url = page.url.split("&")[0]  # only the job: its spec comes from the server
    for other in _checked_page(browser, server_url):
        other.goto(job_url)
        expect(other.locator("#job-status")).to_contain_text("completed", timeout=UI_TIMEOUT_MS)
        expect(other.locator("#final-accuracy")).to_have_text(page.locator("#final-accuracy").inner_text())
        other.wait_for_function("document.getElementById('loss-chart').data?.some((t) => t.x.length >= 3)",
                                timeout=UI_TIMEOUT_MS)
        spec = other.evaluate("JSON.parse(document.querySelector('#spec-editor').value)")
        assert spec["training"]["epochs"] == 3 and spec["network"]["layers"][0]["out_features"] == 8
        # 3 epochs: no preset's spec (tanh_spiral has 200), so the preset select says so
        expect(other.locator("#preset-select option:checked")).to_have_text("(custom)")
        status = other.locator("#job-status")  # the whole status line is readable, wrapped, not cut
        expect(status).to_contain_text(re.compile(r"completed · epoch 3/3 · step \d+ · lr [\d.]+"))
        assert status.evaluate("(e) => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
        size = other.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert size == [1280, 800], size


def test_a_job_link_shows_the_preset_its_spec_equals(page: Page, browser, server_url):
    open_page(page)
    preset = next(p for p in page.request.get("/api/presets").json() if p["id"] == "attention_reverse")
    job = page.request.post("/api/jobs", data=preset["spec"]).json()
    page.request.post(f"/api/jobs/{job['id']}/stop")
    for other in _checked_page(browser, server_url):
        other.goto(f"/#job={job['id']}")  # no cfg: the spec comes from the job
        expect(other.locator("#job-status")).to_contain_text(re.compile("stopped|completed|running"), timeout=UI_TIMEOUT_MS)
        expect(other.locator("#preset-select option:checked")).to_have_text(preset["title"])
        expect(other.locator("#preset-description")).to_have_text(preset["description"])
        expect(other.locator("#tab-attention")).to_have_attribute("aria-selected", "true")
    page.request.delete(f"/api/jobs/{job['id']}")


def test_the_preset_select_says_custom_once_the_spec_differs(page: Page):
    open_page(page)
    choose_preset(page, "mlp_digits")
    checked = page.locator("#preset-select option:checked")
    expect(checked).to_have_text("MLP on digits")
    description = page.locator("#preset-description").inner_text()
    page.select_option("#dataset-select", "iris")  # a new data set: no longer the preset's spec
    # an edit of the preset: named, its text kept (what to look for holds for a tweaked run of it)
    expect(checked).to_have_text("edited: MLP on digits", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#preset-description")).to_contain_text("Edited from the preset “MLP on digits”. " + description[:40])
    page.select_option("#dataset-select", "digits")  # back to the preset's data set and outputs
    expect(checked).to_have_text("MLP on digits", timeout=UI_TIMEOUT_MS)
    page.fill("#f-training-lr", "0.0123")  # any other field: edited again
    expect(checked).to_have_text("edited: MLP on digits", timeout=UI_TIMEOUT_MS)
    choose_preset(page, "lenet_digits")  # picking a preset shows it
    expect(checked).to_have_text("LeNet on digits")
    spec = page.evaluate("JSON.parse(document.querySelector('#spec-editor').value)")
    spec["network"]["layers"][0]["out_channels"] = 5
    page.fill("#spec-editor", __import__("json").dumps(spec))  # an edit in the editor as well
    expect(checked).to_have_text("edited: LeNet on digits", timeout=UI_TIMEOUT_MS)
