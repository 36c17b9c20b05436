"""The playground page against a real server: train LeNet and watch it, refuse a broken network
readably, stop a job. Assertions are on visible text and drawn elements, with auto-waiting."""

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

TRAIN_TIMEOUT_MS = 240_000
UI_TIMEOUT_MS = 15_000
# A page's first load: its modules, plotly (1.5 MB to parse) and the server's presets, data sets and a
# spec check, all before the first assertion; a machine at load 30 took longer than UI_TIMEOUT_MS.
PAGE_LOAD_TIMEOUT_MS = 60_000

POINTS_JS = "(sel) => { const d = document.querySelector(sel); return d && d.data ? d.data.reduce((n, t) => n + t.x.filter((x) => x !== null).length, 0) : 0; }"
DRAWN_MAPS_JS = "document.querySelectorAll('#feature-maps .fmap .main-svg').length"


def open_page(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#preset-select option")).not_to_have_count(0, timeout=PAGE_LOAD_TIMEOUT_MS)
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=PAGE_LOAD_TIMEOUT_MS)


def choose_preset(page: Page, preset_id: str) -> None:
    page.select_option("#preset-select", preset_id)
    expect(page.locator("#validation-errors")).to_be_hidden(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)


def slow_motion(page: Page, steps_per_s: int) -> None:
    """Cap the next job's step rate (``training.max_steps_per_s``, through the form) so that it is still
    running when the test presses Pause or Stop: on a loaded machine the page can be many seconds behind
    a full-speed job, which may then have completed before the click (Stop then answers 409)."""
    page.fill("#f-training-max_steps_per_s", str(steps_per_s))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.max_steps_per_s === {steps_per_s}")


def frame_messages(frame: str) -> list:
    """The messages of one stream frame: the page asks for ``batch=true``, so a frame is an array."""
    data = json.loads(frame)
    return data if isinstance(data, list) else [data]


def hold_stream_after(page: Page, n: int) -> None:
    """Every job stream the page opens passes its first ``n`` messages (counted over all connections) and
    holds back the rest: a page behind its stream, as on a busy machine."""
    seen = {"n": 0}

    def route(ws):
        server = ws.connect_to_server()

        def forward(frame):
            passed = frame_messages(frame)[:max(0, n - seen["n"])]
            seen["n"] += len(passed)
            if passed:
                ws.send(json.dumps(passed))

        server.on_message(forward)

    page.route_web_socket(re.compile(r".*/api/jobs/.*/stream.*"), route)


def editor_spec(page: Page) -> dict:
    return json.loads(page.input_value("#spec-editor"))


# Every trace type of plotly.js 4.1.1's full bundle (Plotly.PlotSchema.get().traces): a type the page's
# modules name that the vendored partial bundle lacks would draw nothing, silently.
PLOTLY_TRACE_TYPES = {
    "bar", "barpolar", "box", "candlestick", "carpet", "choropleth", "choroplethmap", "cone", "contour",
    "contourcarpet", "densitymap", "funnel", "funnelarea", "heatmap", "histogram", "histogram2d",
    "histogram2dcontour", "icicle", "image", "indicator", "isosurface", "mesh3d", "ohlc", "parcats",
    "parcoords", "pie", "quiver", "sankey", "scatter", "scatter3d", "scattercarpet", "scattergeo",
    "scattergl", "scattermap", "scatterpolar", "scatterpolargl", "scattersmith", "scatterternary", "splom",
    "streamtube", "sunburst", "surface", "table", "treemap", "violin", "volume", "waterfall"}
FRONTEND_JS = Path(__file__).resolve().parents[2] / "frontend" / "js"


def test_the_vendored_plotly_bundle_draws_every_trace_type_the_page_names(page: Page):
    source = "\n".join(f.read_text() for f in sorted(FRONTEND_JS.rglob("*.js")))
    named = {t for t in re.findall(r"""type: *['"](\w+)['"]""", source) if t in PLOTLY_TRACE_TYPES}
    assert {"scatter", "heatmap", "bar", "contour"} <= named, named  # the scan finds the page's traces
    open_page(page)
    registered = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
    assert named <= registered, f"trace types the vendored bundle lacks: {sorted(named - registered)}"
    # and the charts are drawn by it: the loss chart's empty axes are plotly's SVG
    expect(page.locator("#loss-chart .main-svg").first).to_be_attached()


def test_lenet_trains_and_shows_curves_maps_and_accuracy(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "lenet_digits")
    expect(page.locator("#summary-table tbody")).to_contain_text("conv2d")
    expect(page.locator("#summary-table tbody")).to_contain_text("6×8×8")  # inferred by the server

    # The form edits the spec: fewer epochs keeps the test short (LeNet passes 0.9 in a few epochs).
    page.fill("#f-training-epochs", "8")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 8")
    assert editor_spec(page)["network"]["layers"][0]["type"] == "conv2d"

    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running|completed"), timeout=UI_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"#job=[\w-]+(&cfg=[\w-]+)?$"))  # the job, and the configuration

    # Curves append as the job trains; feature maps are drawn per channel.
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') >= 20", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"{DRAWN_MAPS_JS} >= 6", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#feature-maps .fm-title").first).to_have_text("probe input")
    expect(page.locator("#feature-maps")).to_contain_text("layer 0 · conv2d · 6×8×8")
    expect(page.locator("#probe-prediction")).to_contain_text("predicted")
    page.screenshot(path=str(shots_dir / "lenet-training.png"))

    final = page.locator("#final-accuracy")
    expect(final).to_have_text(re.compile(r"^Test accuracy: \d\.\d{3}$"), timeout=TRAIN_TIMEOUT_MS)
    accuracy = float(final.inner_text().split(":")[1])
    assert accuracy >= 0.9, f"LeNet on digits should pass 0.9 test accuracy, got {accuracy}"
    expect(page.locator("#job-status")).to_contain_text("completed")
    assert page.evaluate(f"({POINTS_JS})('#accuracy-chart')") >= 2 * 8  # train + test per epoch
    expect(page.locator("#job-list .job-item.current")).to_contain_text("completed")
    expect(page.locator("#stop-btn")).to_be_disabled()
    page.screenshot(path=str(shots_dir / "lenet-done.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], f"the page should fit 1280x800 without scrolling, got {size}"

    # Reloading replays the finished job from the stream's history (URL hash names the job).
    steps_before = page.evaluate(f"({POINTS_JS})('#loss-chart')")
    page.reload()
    expect(page.locator("#final-accuracy")).to_have_text(f"Test accuracy: {accuracy:.3f}", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') === {steps_before}", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"{DRAWN_MAPS_JS} >= 6", timeout=UI_TIMEOUT_MS)


def test_lenet5_on_mnist_draws_readable_28x28_and_14x14_feature_maps(page: Page, shots_dir):
    """LeNet-5 on real 28x28 digits: C1's six maps are drawn at 28x28 values and S2's at 14x14, each at
    two or more screen pixels per value (a stroke is visible), as the layer titles say."""
    open_page(page)
    choose_preset(page, "lenet5_mnist")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    maps = page.locator("#feature-maps")
    expect(maps).to_contain_text("layer 0 · conv2d · 6×28×28", timeout=TRAIN_TIMEOUT_MS)
    expect(maps).to_contain_text("layer 2 · avgpool2d · 6×14×14")
    page.wait_for_function(f"{DRAWN_MAPS_JS} >= 12", timeout=TRAIN_TIMEOUT_MS)
    drawn = page.evaluate("""[0, 2].map((layer) => [...document.querySelectorAll(`#feature-maps .fmap[data-layer="${layer}"]`)]
        .map((d) => [d.data[0].z.length, d.data[0].z[0].length, d.getBoundingClientRect().width]))""")
    for layer, side in ((drawn[0], 28), (drawn[1], 14)):
        assert len(layer) == 6
        for rows, cols, width in layer:
            assert (rows, cols) == (side, side) and width >= 2 * side, (rows, cols, width)
    page.screenshot(path=str(shots_dir / "lenet5-mnist-maps.png"))


def test_invalid_spec_shows_the_layer_field_and_page_keeps_working(page: Page):
    open_page(page)
    choose_preset(page, "mlp_digits")
    spec = editor_spec(page)
    errors = page.locator("#validation-errors")

    # An unknown layer type: the error names the layer.
    spec["network"]["layers"] = [{"type": "conv3x", "out_channels": 4}, {"type": "flatten"},
                                 {"type": "linear", "out_features": 10}]
    page.fill("#spec-editor", json.dumps(spec, indent=2))
    expect(errors).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(errors).to_contain_text("network.layers[0]")
    expect(errors).to_contain_text("conv3x")
    expect(page.locator("#summary-table tr.layer-row.error")).to_have_count(1)

    # A kernel larger than the 8x8 image: the error names the field and the shapes.
    spec["network"]["layers"][0] = {"type": "conv2d", "out_channels": 4, "kernel_size": 12}
    page.fill("#spec-editor", json.dumps(spec, indent=2))
    expect(errors).to_contain_text("network.layers[0].kernel_size", timeout=UI_TIMEOUT_MS)
    expect(errors).to_contain_text("8x8")
    expect(page.locator("#summary-table tr.layer-error")).to_contain_text("kernel_size")

    # Train with the broken spec: the server refuses it readably, and no job starts.
    page.click("#train-btn")
    expect(page.locator("#status-note")).to_contain_text("refused", timeout=UI_TIMEOUT_MS)
    expect(errors).to_contain_text("network.layers[0].kernel_size")
    expect(page.locator("#status-note")).not_to_contain_text("Traceback")

    # A bad training value is marked on its form control.
    page.fill("#f-training-lr", "-1")
    expect(errors).to_contain_text("training.lr", timeout=UI_TIMEOUT_MS)
    expect(page.locator(".field.invalid #f-training-lr")).to_have_count(1)

    # Text that is not JSON: said so, Train disabled until fixed.
    page.fill("#spec-editor", '{"dataset": ')
    expect(errors).to_contain_text("Invalid JSON", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#train-btn")).to_be_disabled()

    # The page still works: a preset brings back a valid network and an enabled Train button.
    choose_preset(page, "logreg_digits")
    expect(page.locator("#summary-table tfoot")).to_contain_text("650")  # 64*10 + 10 parameters
    expect(page.locator("#train-btn")).to_be_enabled()
    assert not page.page_errors


def test_json_syntax_error_names_line_column_and_the_likely_slip(page: Page):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    lines = page.input_value("#spec-editor").split("\n")
    last = max(i for i, line in enumerate(lines) if line.strip().startswith('{"type"'))  # the last layer's line
    lines[last] += ","  # a trailing comma before the list's ']'
    page.fill("#spec-editor", "\n".join(lines))
    errors = page.locator("#validation-errors")
    expect(errors).to_contain_text(f"Invalid JSON at line {last + 1}, column {len(lines[last])}: a trailing comma "
                                   "before ']' (a trailing comma or a missing quote?)", timeout=UI_TIMEOUT_MS)
    expect(errors).not_to_contain_text("Unexpected token")  # not the browser's own wording
    expect(page.locator("#train-btn")).to_be_disabled()


def test_stop_button_stops_a_running_job(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    expect(page.locator("#f-dataset-n_samples")).to_be_visible()  # toy sets show samples / noise
    page.fill("#f-training-epochs", "300")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 300")
    slow_motion(page, 50)  # 7,500 steps: 150 s at the least
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("running", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"({POINTS_JS})('#loss-chart') > 0", timeout=UI_TIMEOUT_MS)
    page.click("#stop-btn")
    expect(page.locator("#job-status")).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-list .job-item.current")).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#stop-btn")).to_be_disabled()
    expect(page.locator("#train-btn")).to_be_enabled()


def test_stop_of_a_job_that_ended_unseen_shows_its_end_not_an_error(page: Page, server_url):
    """The page behind its stream (held after 60 messages) still shows a job running that the server has
    completed: Stop answers 409, and the page shows the job's end with a note, not an error."""
    hold_stream_after(page, 60)
    open_page(page)
    choose_preset(page, "mlp_spiral")
    page.fill("#f-training-epochs", "5")  # 125 steps: more than the 60 messages the page gets
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 5")
    page.click("#train-btn")
    status = page.locator("#job-status")
    expect(status).to_contain_text("running", timeout=UI_TIMEOUT_MS)
    job_id = page.evaluate("new URLSearchParams(location.hash.slice(1)).get('job')")
    deadline = time.monotonic() + TRAIN_TIMEOUT_MS / 1000
    while page.request.get(f"{server_url}/api/jobs/{job_id}").json()["status"] != "completed":
        assert time.monotonic() < deadline, "the job did not complete"
        time.sleep(0.05)  # polling the server's state, not waiting on the page
    expect(status).to_contain_text("running")  # the page has not seen the end
    page.click("#stop-btn")
    expect(status).to_contain_text("completed", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#status-note")).to_contain_text("had already ended (completed)", timeout=UI_TIMEOUT_MS)
    assert "error" not in page.get_attribute("#status-note", "class")
    expect(page.locator("#stop-btn")).to_be_disabled()
    expect(page.locator("#play-btn")).to_have_attribute("data-action", "train")


def test_stop_shows_stopped_while_the_stream_is_still_behind(page: Page):
    """A page behind its stream (a busy machine; here the stream holds back everything after the first
    60 messages, over every connection) shows "stopped" from the server's answer to Stop, not only once the
    stream catches up."""
    hold_stream_after(page, 60)
    open_page(page)
    choose_preset(page, "mlp_spiral")
    page.fill("#f-training-epochs", "300")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 300")
    slow_motion(page, 50)
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("running", timeout=UI_TIMEOUT_MS)
    page.click("#stop-btn")
    expect(page.locator("#job-status")).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-list .job-item.current")).to_contain_text("stopped", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#train-btn")).to_be_enabled()


def test_stream_resumes_after_a_dropped_connection_without_gaps(page: Page, server_url):
    """The first websocket is cut after 40 messages; the page reconnects with after=<last seq> and
    ends with exactly the job's step points, none missing, none twice."""
    urls: list[str] = []

    def route(ws):
        urls.append(ws.url)
        server = ws.connect_to_server()
        if len(urls) > 1:
            return  # later connections pass through untouched
        seen = {"n": 0}

        def forward(frame):
            if seen["n"] >= 40:
                return
            passed = frame_messages(frame)[:40 - seen["n"]]
            seen["n"] += len(passed)
            ws.send(json.dumps(passed))
            if seen["n"] == 40:
                ws.close(code=1011, reason="test: dropped")
                server.close()

        server.on_message(forward)

    page.route_web_socket(re.compile(r".*/api/jobs/.*/stream.*"), route)
    open_page(page)
    choose_preset(page, "logreg_digits")
    page.fill("#f-training-epochs", "4")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 4")
    page.click("#train-btn")
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: "), timeout=TRAIN_TIMEOUT_MS)

    assert len(urls) >= 2, f"expected a reconnect, saw {urls}"
    assert re.search(r"after=0$", urls[0]) and not re.search(r"after=0$", urls[1]), urls
    job_id = re.search(r"#job=([\w-]+)", page.url).group(1)
    steps = [m["step"] for m in page.request.get(f"{server_url}/api/jobs/{job_id}/metrics").json()["metrics"]
             if m["scope"] == "step"]
    drawn = page.evaluate("document.getElementById('loss-chart').data[0].x")
    assert drawn == steps, f"{len(drawn)} step points drawn, job has {len(steps)}"
