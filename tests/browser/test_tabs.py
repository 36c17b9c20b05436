"""The page shows only what applies to the chosen network and data: the Neurons, Attention and
Representations tabs follow the spec; the missing-value controls hide for sequence and text data; the
data-set line gives the input length the spec asks for (its seq_len or window), not the default."""

from playwright.sync_api import Page, expect

from tests.browser.test_page import UI_TIMEOUT_MS, choose_preset, open_page


def tabs_shown(page: Page) -> dict:
    return page.evaluate("""() => Object.fromEntries(['inside', 'neurons', 'gradients', 'likelihood', 'attention', 'repr']
      .map((k) => [k, !document.getElementById(`tab-${k}`).hidden]))""")


def test_tabs_follow_the_network_and_the_data(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    expect(page.locator("#tab-neurons")).to_be_visible()
    assert tabs_shown(page) == {"inside": True, "neurons": True, "gradients": True, "likelihood": True,
                                "attention": False, "repr": False}
    page.click("#tab-neurons")
    expect(page.locator("#tab-neurons")).to_have_attribute("aria-selected", "true")

    choose_preset(page, "attention_reverse")  # the selected Neurons tab goes: back to the first tab
    expect(page.locator("#tab-attention")).to_be_visible()
    expect(page.locator("#tab-inside")).to_have_attribute("aria-selected", "true")
    assert tabs_shown(page) == {"inside": True, "neurons": False, "gradients": True, "likelihood": True,
                                "attention": True, "repr": False}

    choose_preset(page, "autoencoder_digits")
    expect(page.locator("#tab-repr")).to_be_visible()
    assert not tabs_shown(page)["attention"] and not tabs_shown(page)["neurons"]


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
