"""The learner's page (issue 16): charts that a learner can read honestly. The loss surface draws its
marks where their coordinates are; races plot against epochs with a y axis per loss; runs are told
apart; the page says what happened to the job on screen."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

# Where a named scatter mark is drawn (the centre of its first point, page pixels) and where the
# contour's axes put its data coordinates (Plotly's own l2p on the plot that holds the heatmap).
MARK_JS = """(name) => {
  const divs = [...document.querySelectorAll('#surface-chart, #surface-chart .js-plotly-plot')].filter((d) => d.data);
  const base = divs.find((d) => d.data.some((t) => t.type === 'heatmap'));
  for (const d of divs) {
    const g = [...d.querySelectorAll('.scatterlayer .trace')].find((el) => el.__data__[0].trace.name === name);
    if (!g) continue;
    const pt = g.querySelector('.points path').getBoundingClientRect();
    const tr = g.__data__[0].trace;
    const xa = base._fullLayout.xaxis, ya = base._fullLayout.yaxis, r = base.getBoundingClientRect();
    return { drawn: [pt.left + pt.width / 2, pt.top + pt.height / 2],
             expected: [r.left + xa._offset + xa.l2p(tr.x[0]), r.top + ya._offset + ya.l2p(tr.y[0])],
             data: [tr.x[0], tr.y[0]] };
  }
  return null; }"""
PATHS_JS = """() => { const d = [...document.querySelectorAll('#surface-chart, #surface-chart .js-plotly-plot')]
  .find((el) => el.data && el.data.some((t) => t.name && t.name.startsWith('AdamW')));
  if (!d || d.dataset.done !== 'true') return null;
  return d.data.filter((t) => t.meta).map((t) => ({ name: t.name, opt: t.meta, dash: t.line.dash || 'solid',
    symbol: t.marker.symbol || 'circle', end: [t.x[t.x.length - 1], t.y[t.y.length - 1]] })); }"""


def _run_surface(page: Page, **fields) -> list[dict]:
    for key, value in fields.items():
        page.fill(f"#surface-{key}", str(value))
    page.click("#surface-run")
    page.wait_for_function(f"(() => {{ const p = ({PATHS_JS})(); return p && p.length === 5; }})()", timeout=TRAIN_TIMEOUT_MS)
    return page.evaluate(f"({PATHS_JS})()")


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_loss_surface_marks_sit_on_their_coordinates(page: Page, shots_dir, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    open_page(page)
    page.click("#open-surface")
    page.select_option("#surface-function", "beale")  # defaults: start (1, 1.5), lr 0.01; the minimum at (3, 0.5)
    paths = _run_surface(page)
    for name, data in (("start", [1, 1.5]), ("minimum", [3, 0.5])):
        mark = page.evaluate(f"({MARK_JS})('{name}')")
        assert mark and mark["data"] == data, mark
        dx, dy = (abs(a - b) for a, b in zip(mark["drawn"], mark["expected"]))
        assert dx < 1.5 and dy < 1.5, f"{name} drawn {mark['drawn']}, its coordinates are at {mark['expected']}"
    adam, adamw = (next(p for p in paths if p["opt"] == o) for o in ("adam", "adamw"))
    assert (adam["dash"], adam["symbol"]) != (adamw["dash"], adamw["symbol"]), (adam, adamw)  # visible where they overlap
    page.screenshot(path=str(shots_dir / f"surface-beale-{viewport[0]}x{viewport[1]}.png"))


def test_an_older_surface_answer_arriving_last_is_not_drawn_over_the_newer_one(page: Page):
    """The dialog's opening run (Rosenbrock) answers after the learner's Beale run: Beale stays drawn.
    (Under load the opening answer came last and the page drew Rosenbrock's paths for a Beale run.)"""
    held = []
    page.route("**/api/surface", lambda route: held.append(route) if not held else route.continue_())
    open_page(page)
    with page.expect_request("**/api/surface"):
        page.click("#open-surface")  # the opening run, held back
    page.select_option("#surface-function", "beale")
    _run_surface(page)
    with page.expect_response("**/api/surface"):
        held[0].continue_()
    page.wait_for_function("() => document.getElementById('surface-chart').dataset.dropped === '1'")
    mark = page.evaluate(f"({MARK_JS})('start')")
    assert mark and mark["data"] == [1, 1.5], mark


def test_loss_surface_dialog_sets_momentum_and_weight_decay(page: Page):
    open_page(page)
    page.click("#open-surface")
    page.select_option("#surface-function", "beale")
    plain = {p["opt"]: p for p in _run_surface(page, **{"momentum": 0.5, "weight-decay": 0})}
    assert plain["adam"]["end"] == plain["adamw"]["end"], plain  # no decay: AdamW is Adam
    assert "weight decay 0" in plain["adamw"]["name"] and "momentum 0.5" in plain["momentum"]["name"], plain
    decayed = {p["opt"]: p for p in _run_surface(page, **{"weight-decay": 1})}
    # decoupled decay pulls AdamW towards the origin: 500 steps of p <- (1 - lr * 1) p on top of Adam's
    assert abs(decayed["adamw"]["end"][0]) < abs(decayed["adam"]["end"][0]) - 0.1, decayed
    heavy = {p["opt"]: p for p in _run_surface(page, **{"momentum": 0.99})}
    assert heavy["momentum"]["end"] != plain["momentum"]["end"], (heavy, plain)


RACE_JS = """() => { const d = document.getElementById('race-chart');
  if (!d.data || !d._fullLayout) return null;
  const legend = d.querySelector('.legend'), lb = legend ? legend.getBoundingClientRect() : null;
  const s = d._fullLayout._size, r = d.getBoundingClientRect();
  const real = (a) => (a || []).filter((v) => v !== null);
  return { names: d.data.filter((t) => t.showlegend !== false).map((t) => t.name),
           legendItems: d.querySelectorAll('.legend .traces').length,
           xs: d.data.map((t) => real(t.x)), axes: d.data.map((t) => t.yaxis || 'y'),
           x: d._fullLayout.xaxis.title.text, y: d._fullLayout.yaxis.title.text,
           y2: d._fullLayout.yaxis2 ? d._fullLayout.yaxis2.title.text : null,
           legendTop: lb ? lb.top : null, plotBottom: r.top + s.t + s.h, chartBottom: r.bottom,
           legendBottom: lb ? lb.bottom : null }; }"""


def _race(page: Page, field: str, values: str, n: int) -> dict:
    page.select_option("#race-field", field)
    page.fill("#race-values", values)
    page.click("#race-start")
    # at once, before any run has a point: every run is in the legend (the queued ones too)
    # this race's names ("momentum = 0 · ..."), not the last race's still on the chart ("loss = ... 0.650")
    first = f"{field.split('.')[-1].replace('_', ' ')} = {values.split(',')[0]}"
    page.wait_for_function(f"(() => {{ const r = ({RACE_JS})(); return r && r.names.length === {n} && r.names[0].startsWith('{first}'); }})()",
                           timeout=UI_TIMEOUT_MS)
    early = page.evaluate(f"({RACE_JS})()")
    assert early["legendItems"] == n, early
    page.wait_for_function(f"(() => {{ const r = ({RACE_JS})(); return r && r.names.every((x) => x.includes('test acc')); }})()",
                           timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function(f"(() => {{ const r = ({RACE_JS})(); return r.xs.every((x) => x.length === 2); }})()", timeout=UI_TIMEOUT_MS)
    return page.evaluate(f"({RACE_JS})()")


def test_race_plots_epochs_with_test_accuracy_and_honest_units(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "2")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 2")
    page.click("#open-race")
    # batch sizes: a full-batch run takes 2 steps, a batch of 4 about 100; against epochs both have 2 points
    r = _race(page, "training.batch_size", "4, 8, 16, 32, full", 5)
    assert r["x"] == "epoch" and r["y"] == "training loss, epoch mean (nats)" and r["y2"] == "test accuracy", r
    assert all(x == r["xs"][0] for x in r["xs"]) and sorted(set(r["axes"])) == ["y", "y2"], r
    assert r["legendTop"] >= r["plotBottom"] and r["legendBottom"] <= r["chartBottom"] + 1, r  # under the curves
    page.screenshot(path=str(shots_dir / "race-batch-1280x800.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})  # the dialog and its chart grow with the screen
    page.wait_for_function("(() => { const d = document.getElementById('race-chart');"
                           " return d.clientWidth > 1000 && Math.abs(d._fullLayout.width - d.clientWidth) < 1; })()", timeout=UI_TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "race-batch-1920x1080.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    # losses in different units: the axis says so, the legend names each run's unit
    r = _race(page, "training.loss", "cross_entropy, mse", 2)
    assert r["y"] == "training loss, epoch mean (nats or squared error: not comparable)", r
    assert r["names"][0].startswith("loss = cross_entropy (nats)") and r["names"][1].startswith("loss = mse (squared error)"), r
    # the dialog races what the API races: momentum and weight decay
    page.click("#race-close")
    page.select_option("#optimizer-select", "sgd")  # momentum is SGD's
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.optimizer === 'sgd'")
    page.click("#open-race")
    r = _race(page, "training.momentum", "0, 0.9", 2)
    assert [n.split(" · ")[0] for n in r["names"]] == ["momentum = 0", "momentum = 0.9"], r
    assert page.locator("#race-field option[value='training.weight_decay']").count() == 1


def _jobs(page: Page) -> list[dict]:
    return page.request.get("/api/jobs").json()


def test_quick_train_clicks_make_one_job_and_deleting_it_says_it_is_gone(page: Page):
    open_page(page)
    choose_preset(page, "tanh_spiral")  # 200 epochs: still training while the test clicks
    before = len(_jobs(page))
    train = page.locator("#train-btn")
    train.click()
    train.click(force=True, no_wait_after=True)  # while the first is on its way
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running"), timeout=UI_TIMEOUT_MS)
    train.click(force=True, no_wait_after=True)  # the job is on screen now
    expect(train).to_be_disabled()
    expect(train).to_have_attribute("title", re.compile("training now"))
    expect(page.locator("#job-list .job-item")).to_have_count(before + 1, timeout=UI_TIMEOUT_MS)
    assert len(_jobs(page)) == before + 1
    # delete the job on screen from the list: the page says it is gone, not "stopped · epoch 19/200"
    page.once("dialog", lambda d: d.accept())
    # the next line waits for the outcome (a loaded server takes a while to stop and delete a running job);
    # the click itself waits for nothing after it (the hash change after the delete is no navigation to wait on)
    page.locator("#job-list .job-item.current .job-delete").click(no_wait_after=True)
    expect(page.locator("#status-note")).to_contain_text("Deleted job", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("No job yet")
    expect(page.locator("#job-list .job-item")).to_have_count(before, timeout=UI_TIMEOUT_MS)
    # deleted elsewhere (another tab, a script) while its stream is up: the page notices
    train.click()
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running"), timeout=UI_TIMEOUT_MS)
    job_id = re.search(r"#job=([\w-]+)", page.url).group(1)
    page.evaluate("(id) => import('/js/api.js').then((m) => m.api.deleteJob(id))", job_id)
    expect(page.locator("#status-note")).to_contain_text("no longer exists", timeout=TRAIN_TIMEOUT_MS)  # a server-side delete
    expect(page.locator("#job-status")).not_to_contain_text(re.compile("running|stopped"))


def test_deleting_the_job_on_screen_says_deleted_even_when_a_list_read_meanwhile_lacks_it(page: Page):
    """The delete of a running job stops it first; lists read meanwhile (the stream's "stopped" status
    asks for one) leave it out. The page's own delete answer, held here until such a list has been
    read, still says "Deleted job", not that the job vanished."""
    open_page(page)
    choose_preset(page, "tanh_spiral")  # 200 epochs: still training while the test clicks
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("queued|running"), timeout=UI_TIMEOUT_MS)
    held = []
    page.route("**/api/jobs/*", lambda route: held.append((route, route.fetch()))
               if route.request.method == "DELETE" else route.fallback())
    page.once("dialog", lambda d: d.accept())
    page.locator("#job-list .job-item.current .job-delete").click()
    for _ in range(TRAIN_TIMEOUT_MS // 100):  # until the delete has been answered (the job is gone there)
        if held:
            break
        page.wait_for_timeout(100)  # (route handlers run while the page is waited on)
    with page.expect_response(lambda r: r.url.endswith("/api/jobs")):
        page.click("#refresh-jobs")  # a list read while this page's delete is still on its way
    route, answer = held[0]
    assert answer.status == 204
    route.fulfill(response=answer)
    expect(page.locator("#status-note")).to_contain_text("Deleted job", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#job-status")).to_contain_text("No job yet")


def test_edited_preset_runs_are_named_by_their_edits_and_compare_offers_classifiers_only(page: Page):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    title = page.locator("#preset-select option:checked").inner_text()
    page.select_option("#dataset-select", "xor")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    name = page.locator("#job-list .job-item.current .job-name").inner_text()
    assert "edited: dataset xor" in name and "epochs 1" in name, (title, name)
    page.click("#compare-toggle")
    labels = page.locator("#compare-a option").all_inner_texts()
    assert labels and all(re.search(r"acc \d\.\d{3} · #\w{6}", t) for t in labels), labels
    if len(labels) >= 2:  # two runs: never the same one on both sides
        assert page.input_value("#compare-a") != page.input_value("#compare-b")
    one = page.locator("#compare-a option").first.get_attribute("value")
    page.select_option("#compare-a", one)
    page.select_option("#compare-b", one)
    expect(page.locator("#compare-btn")).to_be_disabled()
    expect(page.locator("#compare-btn")).to_have_attribute("title", "Pick two different runs")


def test_r2_chart_shows_negative_values_unclipped(page: Page):
    open_page(page)
    rng = page.evaluate("""async () => {
      const { createAccuracyChart } = await import('/js/views/accuracyChart.js');
      const div = Object.assign(document.createElement('div'), { style: 'width:400px;height:300px' });
      document.body.append(div);
      const chart = createAccuracyChart(div);
      chart.reset('x', { task: 'regression' });
      for (const [e, r2] of [[1, -3.5], [2, -0.4], [3, 0.6]]) chart.push({ scope: 'epoch', epoch: e, train_r2: r2, test_r2: r2 });
      chart.flush();
      await new Promise((r) => requestAnimationFrame(r));
      const out = div._fullLayout.yaxis.range;
      div.remove();
      return out; }""")
    assert rng[0] <= -3.5 and 0.6 <= rng[1] <= 1.02, rng


def test_word2vec_loss_caption_has_no_test_curve(page: Page):
    open_page(page)
    ids = page.locator("#preset-select option").evaluate_all("(os) => os.map((o) => o.value)")
    w2v = next(i for i in ids if "word2vec" in i or "skipgram" in i or "cbow" in i)
    choose_preset(page, w2v)
    expect(page.locator("#loss-caption")).to_contain_text("no test curve")
    choose_preset(page, "tanh_spiral")
    expect(page.locator("#loss-caption")).to_contain_text("test loss after each epoch (red)")


def test_a_finished_job_replays_with_the_status_line_saying_so(page: Page):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "12")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 12")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    job_id = re.search(r"#job=([\w-]+)", page.url).group(1)
    page.add_init_script("""window.__statusLog = [];
      new MutationObserver(() => { const el = document.getElementById('job-status');
        if (el) window.__statusLog.push(el.textContent); })
      .observe(document, { subtree: true, childList: true, characterData: true });""")
    page.goto("about:blank")  # a full load (not a hash change), so the log starts with the page
    page.goto(f"/#job={job_id}")
    expect(page.locator("#job-status")).to_contain_text("epoch 12/12", timeout=UI_TIMEOUT_MS)
    log = page.evaluate("window.__statusLog")
    # never a finished job's intermediate epoch as if it were training now
    assert not [t for t in log if re.search(r"completed · epoch (\d+)/12", t) and not re.search(r"epoch 12/12", t)], log


SIZES_JS = """() => { const h = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().height : 0; };
  return { flow: h('#gradient-flow'), time: h('#time-gradients'), panel: h('.vis-panel'), loss: h('#loss-chart'),
           scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight] }; }"""


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_the_selected_panel_gets_the_height_it_needs(page: Page, shots_dir, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    choose_preset(page, "rnn_adding")  # gradient flow and gradients through time, one above the other
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.click("#tab-gradients")
    expect(page.locator("#time-gradients")).to_be_visible()
    s = page.evaluate(f"({SIZES_JS})()")
    assert s["scroll"] == [width, height], s  # one screen, no scrolling
    least = 120 if height < 1000 else 200  # each of the two heatmaps, in px
    assert s["flow"] >= least and s["time"] >= least, s
    assert s["loss"] >= 180, s
    page.screenshot(path=str(shots_dir / f"gradients-{width}x{height}.png"))


@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
def test_feature_maps_grow_to_fill_a_large_panel(page: Page, shots_dir, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    choose_preset(page, "lenet_digits")
    page.fill("#f-training-epochs", "1")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 1")
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text("completed", timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_function("document.querySelectorAll('#feature-maps .fmap .main-svg').length >= 6", timeout=UI_TIMEOUT_MS)
    m = page.evaluate("""() => { const fm = document.getElementById('feature-maps');
      return { first: document.querySelector('#feature-maps .fmap').getBoundingClientRect().width,
               fits: fm.scrollHeight <= fm.clientHeight + 1 && fm.scrollWidth <= fm.clientWidth + 1,
               scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight] }; }""")
    assert m["scroll"] == [width, height], m
    if height >= 1000:
        assert m["first"] >= 60 and m["fits"], m  # was 42 px in a mostly empty panel
    else:
        assert m["first"] >= 42, m  # never smaller than before
    page.screenshot(path=str(shots_dir / f"feature-maps-{width}x{height}.png"))


EMPTY_RACE_JS = """() => { const d = document.getElementById('race-chart');
  if (!d._fullLayout) return null;
  const L = d._fullLayout;
  return { y: L.yaxis.title.text, yRange: L.yaxis.range, xRange: L.xaxis.range,
           note: (L.annotations || []).map((a) => a.text).join(' ') }; }"""


def test_race_dialog_starts_empty_honestly_and_races_deep_vs_fat(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "tanh_spiral")
    page.fill("#f-training-epochs", "2")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 2")
    page.click("#open-race")
    # before any race: what will be drawn, no stray unit text, no made-up -1..4 scale
    page.wait_for_function(f"(() => {{ const r = ({EMPTY_RACE_JS})(); return r && r.note.includes('Start a race'); }})()",
                           timeout=UI_TIMEOUT_MS)
    empty = page.evaluate(f"({EMPTY_RACE_JS})()")
    assert empty["y"] == "training loss, epoch mean", empty
    assert empty["yRange"][0] >= 0 and empty["xRange"][0] >= 0, empty
    assert "loss and test accuracy per epoch" in empty["note"], empty
    # the dialog races what the API races: deep vs fat (README: 1x179 vs 4x16 on the spiral, 897 vs 898 parameters)
    page.select_option("#race-field", "hidden")
    expect(page.locator("#race-values")).to_have_value("1x179, 4x16")
    r = _race(page, "hidden", "1x179, 4x16", 2)
    assert [n.split(" · ")[0] for n in r["names"]] == ["hidden = 1x179 (897 params)", "hidden = 4x16 (898 params)"], r
    assert r["y"] == "training loss, epoch mean (nats)", r
    drawn = page.evaluate(f"({EMPTY_RACE_JS})()")
    assert drawn["note"] == "" and drawn["xRange"][1] >= 2, drawn  # the axes now fit the points
    page.screenshot(path=str(shots_dir / "race-hidden.png"))
