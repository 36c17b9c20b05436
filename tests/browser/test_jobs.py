"""Opening a finished job replays its history quickly and shows its stored status at once; a stopped
job resumes from its last checkpoint and completes."""

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

REPLAY_TIMEOUT_MS = 20_000  # a finished 12-epoch job, opened by URL: final accuracy, status and all epochs
EPOCHS = 12

# Every text the status line shows, from page load on (a replay must never say "running").
STATUS_LOG_JS = """
window.__statusLog = [];
new MutationObserver(() => {
  const el = document.getElementById('job-status');
  if (el) window.__statusLog.push(el.textContent);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def _finished_job(page: Page, server_url: str, preset_id: str = "lenet_digits", epochs: int = EPOCHS) -> dict:
    presets = page.request.get(f"{server_url}/api/presets").json()
    spec = next(p for p in presets if p["id"] == preset_id)["spec"]
    spec["training"]["epochs"] = epochs
    job = page.request.post(f"{server_url}/api/jobs", data=spec).json()
    deadline = time.monotonic() + TRAIN_TIMEOUT_MS / 1000
    while job["status"] not in ("completed", "failed", "stopped", "diverged", "interrupted"):
        assert time.monotonic() < deadline, f"job {job['id']} did not finish: {job['status']}"
        time.sleep(1)  # polling the job's status through the API
        job = page.request.get(f"{server_url}/api/jobs/{job['id']}").json()
    assert job["status"] == "completed", job
    return job


def test_finished_job_opened_by_url_shows_its_result_quickly(page: Page, server_url):
    job = _finished_job(page, server_url)
    accuracy = job["final"]["test_accuracy"]
    page.add_init_script(STATUS_LOG_JS)
    page.goto(f"/#job={job['id']}")

    expect(page.locator("#final-accuracy")).to_have_text(f"Test accuracy: {accuracy:.3f}", timeout=REPLAY_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=REPLAY_TIMEOUT_MS)
    page.wait_for_function(f"document.getElementById('accuracy-chart').data[1].x.length === {EPOCHS}",
                           timeout=REPLAY_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text(f"epoch {EPOCHS}/{EPOCHS}", timeout=REPLAY_TIMEOUT_MS)
    log = page.evaluate("window.__statusLog")
    assert not [t for t in log if t.startswith(("running", "queued"))], log
    expect(page.locator("#resume-btn")).to_be_hidden()
    expect(page.locator("#job-list .job-item.current")).to_contain_text(f"test acc {accuracy:.3f}",
                                                                       timeout=UI_TIMEOUT_MS)


def test_stopped_job_resumes_and_completes(page: Page, server_url):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    epochs = 400
    page.fill("#f-training-epochs", str(epochs))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {epochs}")
    page.click("#train-btn")
    # Stop once the server has ended an epoch (a checkpoint exists), whatever the page has drawn yet:
    # the job must still be running when Stop is pressed.
    page.wait_for_function("location.hash.includes('job=')", timeout=UI_TIMEOUT_MS)
    job_id = page.evaluate("location.hash").split("job=")[1].split("&")[0]
    deadline = time.monotonic() + TRAIN_TIMEOUT_MS / 1000
    while ((page.request.get(f"{server_url}/api/jobs/{job_id}").json().get("final") or {})
           .get("epochs_done", 0) < 1):
        assert time.monotonic() < deadline, "no epoch ended"
        time.sleep(0.05)  # polling the server's state, not waiting on the page
    # the click waits for nothing after it (a page busy drawing a fast job under load can look like a
    # pending navigation to Playwright); the next line waits for the server's stop, with the long bound
    page.click("#stop-btn", no_wait_after=True)
    status = page.locator("#job-status")
    expect(status).to_contain_text("stopped", timeout=TRAIN_TIMEOUT_MS)
    resume = page.locator("#resume-btn")
    expect(resume).to_be_visible()
    expect(resume).to_be_enabled()

    resume.click()
    expect(page.locator("#job-detail")).to_contain_text(re.compile("resumed|restarted"), timeout=UI_TIMEOUT_MS)
    detail = page.locator("#job-detail")  # wrapped, never cut with an ellipsis
    assert detail.evaluate("(e) => e.scrollHeight <= e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1")
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: \d\.\d{3}$"),
                                                         timeout=TRAIN_TIMEOUT_MS)
    expect(status).to_contain_text("completed")
    expect(resume).to_be_hidden()
    # The charts were redrawn from the rolled-back history: every epoch once, in order.
    epochs_drawn = page.evaluate("document.getElementById('accuracy-chart').data[1].x")
    assert epochs_drawn == list(range(1, epochs + 1)), epochs_drawn
    job_id = re.search(r"#job=([\w-]+)", page.url).group(1)
    steps = [m["step"] for m in page.request.get(f"{server_url}/api/jobs/{job_id}/metrics").json()["metrics"]
             if m["scope"] == "step"]
    drawn = page.evaluate("document.getElementById('loss-chart').data[0].x")
    # Each stored step at most once, in order, first and last included. A replay of a long history
    # comes downsampled (socket.js asks for max_points=2000), so all of them only when fewer were stored.
    assert drawn == sorted(set(drawn)) and set(drawn) <= set(steps), "steps drawn twice or not stored"
    assert drawn[0] == steps[0] and drawn[-1] == steps[-1]
    assert len(drawn) >= min(len(steps), 2000)


def test_a_queued_job_shows_its_place_then_running_without_the_stale_place(page: Page, server_url):
    """Both training slots busy (two slow-motion jobs through the API): a job trained from the page waits
    "queued · position n in the queue"; once a slot frees it reads "running", never "running · position"."""
    spec = page.request.get(f"{server_url}/api/presets").json()
    spiral = next(p["spec"] for p in spec if p["id"] == "play_spiral")
    slow = {**spiral, "training": {**spiral["training"], "max_steps_per_s": 5}}
    blockers = [page.request.post(f"{server_url}/api/jobs", data=slow).json()["id"]
                for _ in range(2)]  # the test server's max_concurrent_jobs: the default, 2
    try:
        page.add_init_script(STATUS_LOG_JS)
        open_page(page)
        page.click("#train-btn")
        status = page.locator("#job-status")
        expect(status).to_contain_text(re.compile(r"queued · position \d+ in the queue"), timeout=UI_TIMEOUT_MS)
        for job_id in blockers:
            page.request.post(f"{server_url}/api/jobs/{job_id}/stop")
        expect(status).to_contain_text("running", timeout=TRAIN_TIMEOUT_MS)
        page.click("#stop-btn")
        expect(status).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
        log = page.evaluate("window.__statusLog")
        assert any("queued · position" in t for t in log), log
        assert not [t for t in log if t.startswith("running") and "position" in t], log
    finally:
        for job_id in blockers:
            page.request.post(f"{server_url}/api/jobs/{job_id}/stop")


# Every value the page sets on the preset select, from page load on.
PRESET_LOG_JS = """
window.__presetLog = [];
const native = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value');
Object.defineProperty(HTMLSelectElement.prototype, 'value', {
  ...native,
  set(value) {
    if (this.id === 'preset-select') window.__presetLog.push(value);
    native.set.call(this, value);
  },
});
"""


def test_linked_job_opens_without_the_opening_preset_first(page: Page, server_url):
    """A link to a job shows that job's spec; the opening preset (the spiral playground) is not set up
    and drawn first, only to be replaced."""
    job = _finished_job(page, server_url)
    page.add_init_script(PRESET_LOG_JS)
    page.goto(f"/#job={job['id']}")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=REPLAY_TIMEOUT_MS)
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {EPOCHS}")
    expect(page.locator("#preset-select")).to_have_value("")  # (custom): LeNet's preset with 12 epochs
    log = page.evaluate("window.__presetLog")
    assert "play_spiral" not in log, log


def test_link_to_a_missing_job_says_so_and_opens_the_playground(page: Page, server_url):
    """A link to a job the server does not have: the page says which, clears the link and shows the
    opening preset, every chart with its idle text."""
    missing = "0123456789abcdef0123456789abcdef"
    page.goto(f"/#job={missing}")
    expect(page.locator("#status-note")).to_contain_text(f"Could not open job {missing}", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#preset-select")).to_have_value("play_spiral", timeout=UI_TIMEOUT_MS)
    page.wait_for_function("!location.hash.includes('job=')", timeout=UI_TIMEOUT_MS)
    page.wait_for_function("(document.getElementById('loss-chart').layout?.annotations || [])"
                           ".some((a) => a.text.includes('Press ▶ Play'))", timeout=UI_TIMEOUT_MS)
    page.wait_for_function("(document.getElementById('gradient-flow').layout?.annotations || [])"
                           ".some((a) => a.text.includes('gradient norm is drawn here'))", timeout=UI_TIMEOUT_MS)


def test_back_and_forward_between_two_job_links_show_each_job_with_its_spec(page: Page, server_url):
    """Back and Forward between two linked jobs show each job with its own spec (found by a helper:
    Back showed the second job's curves under the first one's spec) and add no history entry."""
    a = _finished_job(page, server_url, "lenet_digits", 2)  # 90 steps
    b = _finished_job(page, server_url, "mlp_spiral", 3)  # 45 steps
    shown = ("() => [new URLSearchParams(location.hash.slice(1)).get('job'), "
             "JSON.parse(document.querySelector('#spec-editor').value).dataset.name, "
             "document.getElementById('job-status').textContent]")

    def wait_shown(job: dict, dataset: str, steps: int) -> None:
        page.wait_for_function(f"(() => {{ const [id, data, status] = ({shown})(); return id === '{job['id']}' "
                               f"&& data === '{dataset}' && status.includes('step {steps}'); }})()",
                               timeout=REPLAY_TIMEOUT_MS)

    page.goto(f"/#job={a['id']}")
    wait_shown(a, "digits", 90)
    page.goto(f"/#job={b['id']}")  # a pasted link, in the same tab
    wait_shown(b, "spiral", 45)
    entries = page.evaluate("history.length")
    for _ in range(2):
        page.evaluate("history.back()")
        wait_shown(a, "digits", 90)
        page.evaluate("history.forward()")
        wait_shown(b, "spiral", 45)
    assert page.evaluate("history.length") == entries
    assert page.evaluate(shown)[:2] == [b["id"], "spiral"]
