"""The page shows only what applies to the chosen network and data: the first ("inside"), Neurons,
Attention, Cross attention and Representations tabs follow what the server streams for the spec; the accuracy chart says
when a job measures no accuracy; the missing-value controls hide for sequence and text data; the
data-set line gives the input length the spec asks for (its seq_len or window), not the default; a new
data set resizes a layer network's output layer to its classes."""

import json

from playwright.sync_api import Page, expect

from tests.browser.test_page import UI_TIMEOUT_MS, choose_preset, open_page


def tabs_shown(page: Page) -> dict:
    return page.evaluate("""() => Object.fromEntries(['inside', 'neurons', 'gradients', 'likelihood', 'attention', 'cross', 'repr']
      .map((k) => [k, !document.getElementById(`tab-${k}`).hidden]))""")


def test_tabs_follow_the_network_and_the_data(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    expect(page.locator("#tab-neurons")).to_be_visible()
    assert tabs_shown(page) == {"inside": True, "neurons": True, "gradients": True, "likelihood": True,
                                "attention": False, "cross": False, "repr": False}
    page.click("#tab-neurons")
    expect(page.locator("#tab-neurons")).to_have_attribute("aria-selected", "true")

    # The selected Neurons tab goes; no recurrent layer: no gates, so no first tab either: Attention.
    choose_preset(page, "attention_reverse")
    expect(page.locator("#tab-attention")).to_be_visible()
    expect(page.locator("#tab-attention")).to_have_attribute("aria-selected", "true")
    assert tabs_shown(page) == {"inside": False, "neurons": False, "gradients": True, "likelihood": True,
                                "attention": True, "cross": False, "repr": False}
    expect(page.locator("#pane-attention")).to_be_visible()

    # An encoder-decoder network streams cross attention, not self-attention: its own tab, selected.
    choose_preset(page, "attention_dates")
    expect(page.locator("#tab-cross")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)
    assert tabs_shown(page) == {"inside": False, "neurons": False, "gradients": True, "likelihood": True,
                                "attention": False, "cross": True, "repr": False}
    expect(page.locator("#pane-cross")).to_be_visible()
    choose_preset(page, "attention_reverse")
    expect(page.locator("#tab-attention")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)

    choose_preset(page, "autoencoder_digits")  # codes and reconstructions only: no feature maps
    expect(page.locator("#tab-repr")).to_be_visible()
    expect(page.locator("#tab-repr")).to_have_attribute("aria-selected", "true")
    assert tabs_shown(page) == {"inside": False, "neurons": False, "gradients": True, "likelihood": True,
                                "attention": False, "cross": False, "repr": True}


def test_first_tab_shows_only_what_the_server_streams(page: Page):
    open_page(page)
    for preset in ("transformer_sort", "transformer_authors", "transformer_shakespeare"):
        choose_preset(page, preset)  # no rnn/lstm/gru: no gates, no generated text
        # the tabs follow the panels the server declares for the spec: a server round trip
        expect(page.locator("#tab-inside")).to_be_hidden(timeout=UI_TIMEOUT_MS)
        expect(page.locator("#tab-attention")).to_have_attribute("aria-selected", "true", timeout=UI_TIMEOUT_MS)

    choose_preset(page, "char_lstm_shakespeare")  # gates and generated text
    expect(page.locator("#tab-inside")).to_have_text("Gates")
    page.click("#tab-inside")
    expect(page.locator("#gates")).to_be_visible()
    expect(page.locator("#text-samples")).to_be_visible()
    expect(page.locator("#forecast")).to_be_hidden()

    choose_preset(page, "lstm_sunspots")  # gates and the forecast; no text
    expect(page.locator("#tab-inside")).to_have_text("Gates")
    expect(page.locator("#forecast")).to_be_visible()
    expect(page.locator("#gates")).to_be_visible()
    expect(page.locator("#text-samples")).to_be_hidden()

    editor = page.locator("#spec-editor")  # the same series with an MLP: the forecast only
    spec = json.loads(editor.input_value())
    spec["network"]["layers"] = [{"type": "flatten"}, {"type": "linear", "out_features": 1}]
    editor.fill(json.dumps(spec))
    expect(page.locator("#tab-inside")).to_have_text("Forecast", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#forecast")).to_be_visible()
    expect(page.locator("#gates")).to_be_hidden()
    expect(page.locator("#gates-caption")).to_be_hidden()

    for preset in ("skipgram_shakespeare", "cbow_milton"):  # word vectors only: Representations
        choose_preset(page, preset)
        expect(page.locator("#tab-inside")).to_be_hidden()
        expect(page.locator("#tab-repr")).to_have_attribute("aria-selected", "true")


def test_neurons_tab_needs_a_hidden_layer(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    expect(page.locator("#tab-neurons")).to_be_visible()
    choose_preset(page, "linreg_plane")  # one linear layer: no hidden unit to draw
    expect(page.locator("#tab-inside")).to_have_text("Prediction")
    expect(page.locator("#tab-neurons")).to_be_hidden()
    choose_preset(page, "mlp_sine")  # 1-D input: the server sends no neuron maps
    expect(page.locator("#tab-neurons")).to_be_hidden()


ACC_NOTE_JS = """() => { const d = document.getElementById('accuracy-chart');
  return { notes: (d.layout.annotations || []).filter((a) => a.visible !== false).map((a) => a.text),
           axes: [d._fullLayout.xaxis.visible, d._fullLayout.yaxis.visible], legend: d._fullLayout.showlegend }; }"""


NOTE_SAYS_JS = f"({ACC_NOTE_JS})().notes.some((n) => n.replace(/<br>/g, ' ').includes(%s))"


def test_accuracy_chart_says_when_there_is_no_accuracy(page: Page):
    open_page(page)
    for preset, words in (("skipgram_shakespeare", "word2vec learns without labels"),
                          ("autoencoder_digits", "An autoencoder rebuilds its input")):
        choose_preset(page, preset)  # merely selected: no job on screen
        page.wait_for_function(NOTE_SAYS_JS % repr(words), timeout=UI_TIMEOUT_MS)  # wrapped in lines: <br>
        acc = page.evaluate(f"({ACC_NOTE_JS})()")
        assert acc["axes"] == [False, False] and not acc["legend"], acc  # no empty axes, no train/test legend
        expect(page.locator("#accuracy-caption")).to_contain_text("no accuracy")
    choose_preset(page, "mlp_spiral")
    page.wait_for_function(NOTE_SAYS_JS % repr("Measured at the end of every epoch"), timeout=UI_TIMEOUT_MS)
    assert page.evaluate(f"({ACC_NOTE_JS})()")["axes"] == [True, True]


ACC_AXIS_JS = """() => { const d = document.getElementById('accuracy-chart');
  return { range: d._fullLayout.xaxis.range,
           ticks: [...d.querySelectorAll('.xtick text')].map((t) => t.textContent) }; }"""


def test_the_empty_accuracy_axis_spans_the_runs_own_epochs(page: Page, server_url):
    """Before the first epoch ends the accuracy chart's epoch axis runs to the spec's epochs (a 1-epoch
    run is not drawn on an axis of 10), in whole-epoch ticks."""
    open_page(page)
    choose_preset(page, "mlp_spiral")
    for epochs in (1, 3):
        page.fill("#f-training-epochs", str(epochs))
        page.locator("#f-training-epochs").dispatch_event("change")
        page.wait_for_function(f"({ACC_AXIS_JS})().range[1] === {epochs}", timeout=UI_TIMEOUT_MS)
        assert page.evaluate(f"({ACC_AXIS_JS})()")["ticks"] == [str(e) for e in range(epochs + 1)]
    # a job opened before its first epoch (created paused) draws the same empty axis
    spec = json.loads(page.input_value("#spec-editor"))
    spec["training"]["epochs"] = 2
    job = page.request.post(f"{server_url}/api/jobs?paused=true", data=spec).json()
    page.goto(f"/#job={job['id']}")
    expect(page.locator("#job-status")).to_contain_text("paused", timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"({ACC_AXIS_JS})().range[1] === 2", timeout=UI_TIMEOUT_MS)
    assert page.evaluate(f"({ACC_AXIS_JS})()")["ticks"] == ["0", "1", "2"]
    page.request.post(f"{server_url}/api/jobs/{job['id']}/stop")


def test_a_new_data_set_resizes_the_output_layer(page: Page):
    open_page(page)
    choose_preset(page, "mlp_digits")  # ends with linear(10) for 10 digits
    page.select_option("#dataset-select", "iris")
    expect(page.locator("#status-note")).to_contain_text("from 10 to 3", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#status-note")).to_contain_text("“iris” has 3 classes")
    expect(page.locator("#validation-errors")).to_be_hidden(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#summary-table tfoot")).to_contain_text("→ 3", timeout=UI_TIMEOUT_MS)
    spec = json.loads(page.input_value("#spec-editor"))
    assert spec["network"]["layers"][-1] == {**spec["network"]["layers"][-1], "type": "linear", "out_features": 3}
    page.select_option("#dataset-select", "breast_cancer")  # 2 classes
    expect(page.locator("#status-note")).to_contain_text("from 3 to 2", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#validation-errors")).to_be_hidden(timeout=UI_TIMEOUT_MS)

    choose_preset(page, "lenet_digits")  # conv layers cannot take a feature table: left to the server
    page.select_option("#dataset-select", "wine")
    expect(page.locator("#validation-errors")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert json.loads(page.input_value("#spec-editor"))["network"]["layers"][-1]["out_features"] == 10


def test_sequence_data_hides_missing_values_and_shows_the_specs_length(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    missing = page.locator("#f-dataset-missing_fraction")
    impute = page.locator("#f-dataset-impute")
    expect(missing).to_be_visible()
    expect(impute).to_be_visible()

    choose_preset(page, "char_lstm_shakespeare")  # seq_len 100 in the preset
    expect(missing).to_be_hidden()
    expect(impute).to_be_hidden()
    expect(page.locator("#dataset-info")).to_contain_text("input 100 ·", timeout=UI_TIMEOUT_MS)
    page.fill("#f-dataset-seq_len", "40")
    page.locator("#f-dataset-seq_len").dispatch_event("change")
    expect(page.locator("#dataset-info")).to_contain_text("input 40 ·", timeout=UI_TIMEOUT_MS)

    choose_preset(page, "lstm_sunspots")
    expect(missing).to_be_hidden()
    page.fill("#f-dataset-window", "30")
    page.locator("#f-dataset-window").dispatch_event("change")
    expect(page.locator("#dataset-info")).to_contain_text("input 30×1 ·", timeout=UI_TIMEOUT_MS)
