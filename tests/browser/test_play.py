"""One click to learning (issue 16): the page opens on a 2-D preset, the round Play button trains it
(Pause while it runs, Play again resumes: the jobs controller's own actions), and on 2-D data the
Neurons diagram is a builder: +/- hidden layers and neurons edit the spec the JSON and the layer
builder show, validated as any edit."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.test_boundary import BOUNDARY_JS
from tests.browser.test_page import POINTS_JS, TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, editor_spec, open_page

PLAY = "#play-btn"
JOB_ID_JS = "(location.hash.match(/job=([\\w-]+)/) || [null, null])[1]"


def boundary_step(page: Page) -> int:
    page.wait_for_function(f"(({BOUNDARY_JS})() || {{}}).step >= 0", timeout=TRAIN_TIMEOUT_MS)
    return page.evaluate(f"({BOUNDARY_JS})().step")


def test_the_page_opens_on_a_2d_preset_and_play_trains_pauses_and_resumes_it(page: Page, shots_dir):
    open_page(page)
    expect(page.locator("#preset-select")).to_have_value("play_spiral")  # slow motion: 100 steps a second
    expect(page.locator("#f-training-max_steps_per_s")).to_have_value("100")
    expect(page.locator("#dataset-select")).to_have_value("spiral")
    play, status = page.locator(PLAY), page.locator("#job-status")
    expect(play).to_have_accessible_name("Play")
    expect(play).to_be_enabled()
    expect(status).to_contain_text("No job yet. Press ▶")

    play.click()
    expect(play).to_have_accessible_name("Pause", timeout=UI_TIMEOUT_MS)
    expect(play).to_have_attribute("data-action", "pause")
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/200"), timeout=TRAIN_TIMEOUT_MS)
    job_id = page.evaluate(JOB_ID_JS)
    assert job_id
    # The loss chart and the decision boundary follow the run: a first boundary, then a later one.
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') >= 20", timeout=TRAIN_TIMEOUT_MS)
    first = boundary_step(page)
    page.wait_for_function(f"({BOUNDARY_JS})().step > {first}", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') >= 40", timeout=TRAIN_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "play-running-1280x800.png"))

    play.click()  # Pause
    expect(status).to_contain_text("paused", timeout=UI_TIMEOUT_MS)
    expect(play).to_have_accessible_name("Play")
    expect(play).to_have_attribute("data-action", "resume")
    expect(page.locator("#step-btn")).to_be_visible()
    page.screenshot(path=str(shots_dir / "play-paused-1280x800.png"))

    play.click()  # Play again: the same job goes on
    expect(status).to_contain_text("running", timeout=UI_TIMEOUT_MS)
    expect(play).to_have_accessible_name("Pause")
    assert page.evaluate(JOB_ID_JS) == job_id
    page.click("#stop-btn")
    expect(status).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    expect(play).to_have_accessible_name("Play")
    expect(play).to_have_attribute("data-action", "train")  # a stopped job: Play starts a new run
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], size


def column(page: Page, col: int):
    return page.locator(f"#network-diagram .nd-node[data-col='{col}']")


def test_the_neurons_diagram_adds_and_removes_neurons_and_layers(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-max_steps_per_s", "50")  # slow motion: still running when the test stops it
    page.click("#tab-neurons")
    diagram = page.locator("#network-diagram")
    expect(diagram.locator("[data-role=layers]")).to_have_text("2 hidden layers", timeout=UI_TIMEOUT_MS)
    expect(column(page, 1)).to_have_count(8)
    expect(column(page, 3)).to_have_count(2)  # the outputs

    page.get_by_role("button", name="Add a neuron to layer 0").click()
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).network.layers[0].out_features === 9")
    expect(column(page, 1)).to_have_count(9)
    expect(diagram.locator(".nd-neurons[data-layer='0'] [data-role=neurons]")).to_have_text("9")
    expect(page.get_by_role("spinbutton", name="out_features of layer 0")).to_have_value("9")  # the builder row follows
    expect(page.locator("#summary-table tfoot")).to_contain_text("125", timeout=UI_TIMEOUT_MS)  # validated: 27 + 80 + 18

    page.get_by_role("button", name="Remove a neuron from layer 2").click()
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).network.layers[2].out_features === 7")
    expect(column(page, 2)).to_have_count(7)

    page.get_by_role("button", name="Add a hidden layer (like the last one)").click()
    expect(diagram.locator("[data-role=layers]")).to_have_text("3 hidden layers", timeout=UI_TIMEOUT_MS)
    layers = editor_spec(page)["network"]["layers"]
    assert [layer.get("out_features", layer["type"]) for layer in layers] == [9, "tanh", 7, "tanh", 7, "tanh", 2]
    expect(column(page, 3)).to_have_count(7)
    expect(column(page, 4)).to_have_count(2)
    expect(page.locator("#builder-layers > li")).to_have_count(4)
    expect(page.locator("#validation-errors")).to_be_hidden()
    page.screenshot(path=str(shots_dir / "diagram-builder-3-layers-1280x800.png"))

    page.get_by_role("button", name="Remove the last hidden layer").click()
    expect(diagram.locator("[data-role=layers]")).to_have_text("2 hidden layers", timeout=UI_TIMEOUT_MS)
    expect(column(page, 3)).to_have_count(2)
    assert len(editor_spec(page)["network"]["layers"]) == 5

    # The JSON editor drives the diagram too.
    spec = editor_spec(page)
    spec["network"]["layers"][2]["out_features"] = 5
    page.fill("#spec-editor", json.dumps(spec, indent=2))
    expect(column(page, 2)).to_have_count(5, timeout=UI_TIMEOUT_MS)

    # Play trains the edited network: its units are drawn live, 2 + 9 + 5 maps.
    page.click(PLAY)
    page.wait_for_function("document.getElementById('network-diagram').dataset.live === 'true'"
                           " && document.getElementById('network-diagram').dataset.thumbs === '16'", timeout=TRAIN_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "diagram-builder-trained-1280x800.png"))
    page.click("#stop-btn")
    expect(page.locator("#job-status")).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)


def job_record(page: Page, job_id: str) -> dict:
    return page.evaluate(f"fetch('/api/jobs/{job_id}').then((r) => r.json())")


def test_play_goes_on_after_a_live_edit_and_trains_the_edited_network_after_any_other(page: Page):
    open_page(page)  # play_spiral: 100 steps a second
    play, status = page.locator(PLAY), page.locator("#job-status")
    play.click()
    expect(status).to_contain_text("running", timeout=TRAIN_TIMEOUT_MS)
    first = page.evaluate(JOB_ID_JS)
    play.click()  # Pause
    expect(status).to_contain_text("paused", timeout=UI_TIMEOUT_MS)

    # A live setting edited in the form (no "set live"): Play sends it, then the same job goes on.
    page.fill("#f-training-lr", "0.02")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.lr === 0.02")
    expect(play).to_have_attribute("data-action", "resume")
    play.click()
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/\d+ · step \d+ · lr 0.02"), timeout=UI_TIMEOUT_MS)
    assert page.evaluate(JOB_ID_JS) == first
    play.click()
    expect(status).to_contain_text("paused", timeout=UI_TIMEOUT_MS)

    # Any other edit: Play trains the network on screen as a new job; the paused one is stopped, kept.
    page.fill("#f-training-epochs", "150")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 150")
    expect(play).to_have_attribute("data-action", "retrain")
    play.click()
    page.wait_for_function(f"{JOB_ID_JS} && {JOB_ID_JS} !== {first!r}", timeout=UI_TIMEOUT_MS)
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/150"), timeout=TRAIN_TIMEOUT_MS)
    second = page.evaluate(JOB_ID_JS)
    assert job_record(page, first)["status"] == "stopped"
    assert job_record(page, second)["spec"]["training"]["epochs"] == 150
    page.click("#stop-btn")
    expect(status).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)


def test_choosing_a_preset_takes_the_job_off_the_screen_and_it_trains_on_in_the_list(page: Page):
    open_page(page)
    play, status = page.locator(PLAY), page.locator("#job-status")
    play.click()
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') >= 5", timeout=TRAIN_TIMEOUT_MS)
    job_id = page.evaluate(JOB_ID_JS)
    choose_preset(page, "logreg_digits")
    expect(status).to_contain_text("No job yet")
    assert page.evaluate(JOB_ID_JS) is None
    assert page.evaluate(f"({POINTS_JS})('#loss-chart')") == 0  # no curve of the spiral job under digits
    expect(play).to_have_attribute("data-action", "train")
    expect(page.locator("#job-list .job-item").first).to_contain_text("running", timeout=UI_TIMEOUT_MS)
    assert job_record(page, job_id)["status"] == "running"
    page.evaluate(f"fetch('/api/jobs/{job_id}/stop', {{method: 'POST'}}).then((r) => r.status)")


def test_augment_has_form_controls_on_image_data_only(page: Page):
    open_page(page)
    expect(page.locator("#f-training-augment-shift")).to_be_hidden()  # spiral: not images
    choose_preset(page, "lenet5_mnist")
    shift, rotate = page.locator("#f-training-augment-shift"), page.locator("#f-training-augment-rotate")
    expect(shift).to_have_value("2")
    expect(rotate).to_have_value("10")
    rotate.fill("")
    page.wait_for_function("JSON.stringify(JSON.parse(document.querySelector('#spec-editor').value).training.augment)"
                           " === JSON.stringify({shift: 2, rotate: 0})")
    shift.fill("0")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.augment === null")
    expect(page.locator("#validation-errors")).to_be_hidden(timeout=UI_TIMEOUT_MS)
    shift.fill("3")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.augment.shift === 3")
