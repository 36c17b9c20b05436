"""Live control in the page: the l1 / lr schedule controls follow the JSON, Pause holds the job, Step
takes exactly one step and redraws the boundary, "set live" changes the lr of the running job, Resume
goes on, the MLE vs MAP chart draws the data and prior terms, Reset starts again from step 0."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.test_boundary import BOUNDARY_JS
from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, editor_spec, open_page, slow_motion

STATUS_STEP_JS = "Number((document.getElementById('job-status').textContent.match(/step (\\d+)/) || [0, -1])[1])"
LIKELIHOOD_JS = """() => {
  const d = document.getElementById('likelihood-chart');
  return { names: d.data.map((t) => t.name), points: d.data.map((t) => t.x.length),
           l2: d.data[1].y.at(-1), l1: d.data[2].y.at(-1),
           title: d.layout.title.text, x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text };
}"""


def set_form(page: Page) -> None:
    """l1, weight decay and a step schedule through the form; the JSON editor follows."""
    page.fill("#f-training-epochs", "300")
    page.fill("#f-training-l1", "0.0001")
    page.fill("#f-training-weight_decay", "0.002")
    page.select_option("#f-training-lr_schedule", "step")
    expect(page.locator("#f-training-lr_schedule-step_size")).to_be_visible()
    page.fill("#f-training-lr_schedule-step_size", "100")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.lr_schedule.step_size === 100")
    t = editor_spec(page)["training"]
    assert (t["l1"], t["weight_decay"], t["epochs"]) == (0.0001, 0.002, 300)
    assert t["lr_schedule"] == {"type": "step", "step_size": 100, "gamma": 0.5}
    for sel in ("#f-training-l1", "#f-training-lr_schedule"):  # every new control explains itself
        assert page.locator(sel).locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' field ')]").get_attribute("title")


def test_json_edits_reach_the_new_controls(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    spec = editor_spec(page)
    spec["training"].update(l1=0.25, lr_schedule={"type": "cosine"})
    page.fill("#spec-editor", json.dumps(spec))
    expect(page.locator("#f-training-l1")).to_have_value("0.25")
    expect(page.locator("#f-training-lr_schedule")).to_have_value("cosine")
    expect(page.locator("#f-training-lr_schedule-step_size")).to_be_hidden()


def test_pause_step_live_lr_resume_likelihood_and_reset(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    set_form(page)
    slow_motion(page, 100)  # 7,500 steps: still running at Pause and, after Reset, at Stop on a loaded machine
    page.click("#train-btn")
    status = page.locator("#job-status")
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/300 · step \d+ · lr 0.01"), timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#f-training-lr-live")).to_be_visible()

    page.click("#play-btn")  # ❚❚: the one Pause button
    expect(status).to_contain_text("paused", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#step-btn")).to_be_visible()
    expect(page.locator("#play-btn")).to_have_attribute("data-action", "resume")
    expect(page.locator("#resume-btn")).to_be_hidden()  # Resume is for stopped jobs (from a checkpoint)
    # Where the loop waits, from the API (the page's stream may still be catching up on a loaded
    # machine); then the page must show that step and the paused model drawn.
    job_id = re.search(r"#job=(\w+)", page.url).group(1)
    at = page.evaluate(f"""fetch('/api/jobs/{job_id}/metrics').then((r) => r.json())
      .then((m) => m.metrics.filter((x) => x.scope === 'step').at(-1).step)""")
    page.wait_for_function(f"{STATUS_STEP_JS} === {at} && ({BOUNDARY_JS})().step === {at}", timeout=UI_TIMEOUT_MS)

    page.click("#step-btn")
    expect(status).to_contain_text(f"step {at + 1} ·", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"({BOUNDARY_JS})().step === {at + 1}", timeout=UI_TIMEOUT_MS)
    page.fill("#f-training-lr", "0.05")
    page.click("#f-training-lr-live")
    expect(page.locator("#status-note")).to_contain_text("lr = 0.05", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#step-btn")).to_be_enabled()
    page.click("#step-btn")
    expect(status).to_contain_text("paused · epoch", timeout=UI_TIMEOUT_MS)
    expect(status).to_contain_text(f"step {at + 2} · lr 0.05", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "control-paused.png"))

    page.click("#play-btn")  # the lr set live is not an edit: Play goes on with the same job
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/300 · step \d+ · lr 0.05"), timeout=UI_TIMEOUT_MS)
    assert re.search(r"#job=(\w+)", page.url).group(1) == job_id
    page.click("#tab-likelihood")
    expect(page.locator("#pane-likelihood")).to_be_visible()
    expect(page.locator("#likelihood-caption")).to_contain_text("Gaussian prior")
    page.wait_for_function(f"({LIKELIHOOD_JS})().points[0] > {at + 5}", timeout=UI_TIMEOUT_MS)
    chart = page.evaluate(f"({LIKELIHOOD_JS})()")
    assert chart["names"] == ["data term: −log-likelihood", "L2 term: Gaussian prior", "L1 term: Laplace prior",
                              "objective (sum: MAP)"], chart
    assert chart["l2"] > 0 and chart["l1"] > 0, chart
    assert (chart["x"], chart["y"]) == ("step", "per example (nats)") and "prior" in chart["title"]
    page.screenshot(path=str(shots_dir / "control-likelihood.png"))

    old_hash = page.evaluate("location.hash")
    page.click("#reset-btn")
    expect(page.locator("#status-note")).to_contain_text("step 0", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"location.hash !== {old_hash!r}", timeout=UI_TIMEOUT_MS)
    expect(status).to_contain_text(re.compile(r"running · epoch \d+/300 · step \d+ · lr 0.01"), timeout=TRAIN_TIMEOUT_MS)
    page.click("#stop-btn")
    expect(status).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], size


def test_a_resume_answer_read_before_the_job_ended_never_hides_that_it_ended(page: Page):
    """A paused job resumed near its end can finish before a busy page handles the resume's answer
    (a record read while it ran): the page must keep the end its stream showed, not read "running"
    forever. The answer is held here until the stream has shown the end, then handed over."""
    open_page(page)
    choose_preset(page, "linreg_plane")  # 100 full-batch steps: done in a moment once resumed
    page.check("#start-paused")
    page.click("#train-btn")
    status = page.locator("#job-status")
    expect(status).to_contain_text("paused", timeout=TRAIN_TIMEOUT_MS)
    held = []
    page.route("**/api/jobs/*/resume", lambda route: held.append((route, route.fetch())))
    page.click("#play-btn")
    expect(status).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)  # from the stream
    assert len(held) == 1
    route, answer = held[0]
    assert answer.json()["status"] == "running"  # read while it ran
    with page.expect_request(lambda r: r.url.endswith("/api/jobs")):  # the resume's answer handled
        route.fulfill(response=answer)
    expect(status).to_contain_text("completed")
    expect(status).not_to_contain_text("running")
    expect(page.locator("#play-btn")).to_be_enabled()


def test_the_start_paused_hint_goes_when_its_job_ends(page: Page):
    """"Started paused before step 0: press Step…" is about the pause: once the job has ended it no
    longer stands under a completed status (it used to stay for its full 8 s)."""
    open_page(page)
    choose_preset(page, "linreg_plane")  # 100 full-batch steps: done in a moment once played
    page.check("#start-paused")
    page.click("#train-btn")
    status, note = page.locator("#job-status"), page.locator("#status-note")
    expect(status).to_contain_text("paused", timeout=TRAIN_TIMEOUT_MS)
    expect(note).to_contain_text("press Step")
    page.click("#play-btn")
    expect(status).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    assert note.is_hidden()  # at once: the status and the hint change in the same task (no timer to wait for)
