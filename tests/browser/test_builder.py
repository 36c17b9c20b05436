"""The visual network builder beside the JSON editor: add, resize, reorder and remove layers with
buttons (and the keyboard), see the JSON, the summary table and each row's server-inferred shape and
parameters follow; edit the JSON and see the builder follow; a refused value shows the server's error.
Parameter counts are computed by hand: a linear layer has in*out weights and out biases."""

import json

from playwright.sync_api import Page, expect

UI_TIMEOUT_MS = 15_000


def linear_params(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def open_preset(page: Page, preset_id: str) -> None:
    page.goto("/")
    expect(page.locator("#preset-select option")).not_to_have_count(0, timeout=UI_TIMEOUT_MS)
    choose_preset(page, preset_id)


def choose_preset(page: Page, preset_id: str) -> None:
    page.select_option("#preset-select", preset_id)
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)


def editor_layers(page: Page) -> list[dict]:
    return json.loads(page.input_value("#spec-editor"))["network"]["layers"]


def block(page: Page, start: int):
    return page.locator(f"#builder-layers > li[data-start='{start}']")


def expect_info(page: Page, start: int, text: str) -> None:
    expect(block(page, start).locator(".builder-info")).to_have_text(text, timeout=UI_TIMEOUT_MS)


def test_builder_edits_follow_in_json_table_and_rows(page: Page):
    open_preset(page, "tanh_spiral")  # 2 -> linear 8, tanh, linear 8, tanh, linear 2
    expect(page.locator("#builder-layers > li")).to_have_count(3, timeout=UI_TIMEOUT_MS)
    expect_info(page, 0, f"→ 8 · {linear_params(2, 8)} params")
    expect_info(page, 2, f"→ 8 · {linear_params(8, 8)} params")
    expect(block(page, 0).get_by_label("Activation after layer 0")).to_have_value("tanh")

    # + on the first layer's units: 9 units, 2*9+9 parameters there and 9*8+8 in the next layer.
    page.get_by_role("button", name="Increase out_features of layer 0").click()
    expect_info(page, 0, f"→ 9 · {linear_params(2, 9)} params")
    expect_info(page, 2, f"→ 8 · {linear_params(9, 8)} params")
    assert editor_layers(page)[0]["out_features"] == 9
    expect(page.locator("#summary-table tbody tr[data-index='0'] td").last).to_have_text(str(linear_params(2, 9)))

    # Add a linear layer: inserted before the output layer, with the hidden layers' tanh.
    page.select_option("#builder-add-type", "linear")
    page.get_by_role("button", name="Add layer").click()
    expect(page.locator("#builder-layers > li")).to_have_count(4)
    expect(page.locator("#summary-table tbody tr.layer-row")).to_have_count(7, timeout=UI_TIMEOUT_MS)
    assert [layer["type"] for layer in editor_layers(page)] == ["linear", "tanh", "linear", "tanh", "linear", "tanh", "linear"]
    expect_info(page, 4, f"→ 8 · {linear_params(8, 8)} params")

    # The activation menu replaces the following activation layer.
    block(page, 0).get_by_label("Activation after layer 0").select_option("relu")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).network.layers[1].type === 'relu'")
    expect(page.locator("#summary-table tbody tr[data-index='1']")).to_contain_text("relu", timeout=UI_TIMEOUT_MS)

    # Reorder: the first block (linear 9 + relu) moves below the second; then remove the new middle one.
    page.get_by_role("button", name="Move layer 0 down").click()
    expect_info(page, 2, f"→ 9 · {linear_params(8, 9)} params")
    assert [(l["type"], l.get("out_features")) for l in editor_layers(page)][:4] == [
        ("linear", 8), ("tanh", None), ("linear", 9), ("relu", None)]
    page.get_by_role("button", name="Remove layer 2").click()
    expect(page.locator("#builder-layers > li")).to_have_count(3)
    assert [l.get("out_features") for l in editor_layers(page) if l["type"] == "linear"] == [8, 8, 2]
    expect(page.locator("#summary-table tbody tr.layer-row")).to_have_count(5, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#summary-table tfoot")).to_contain_text(
        f"{linear_params(2, 8) + linear_params(8, 8) + linear_params(8, 2)}")


def test_keyboard_steps_keep_focus(page: Page):
    open_preset(page, "tanh_spiral")
    plus = page.get_by_role("button", name="Increase out_features of layer 2")
    plus.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("out_features of layer 2", exact=True)).to_have_value("9")
    expect(plus).to_be_focused()  # the row was drawn again; focus stays on the button
    page.keyboard.press("Space")
    expect(page.get_by_label("out_features of layer 2", exact=True)).to_have_value("10")
    expect_info(page, 2, f"→ 10 · {linear_params(8, 10)} params")
    assert editor_layers(page)[2]["out_features"] == 10

    # Moving a block from the keyboard: focus follows the block to its new place.
    page.get_by_role("button", name="Move layer 0 down").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Move layer 2 down")).to_be_focused()
    expect(page.get_by_label("out_features of layer 0", exact=True)).to_have_value("10")
    assert [l.get("out_features") for l in editor_layers(page) if l["type"] == "linear"] == [10, 8, 2]


def test_json_edits_move_the_builder_and_errors_show_on_the_row(page: Page):
    open_preset(page, "tanh_spiral")
    spec = json.loads(page.input_value("#spec-editor"))
    spec["network"]["layers"][0]["out_features"] = 5
    page.fill("#spec-editor", json.dumps(spec))
    expect(page.get_by_label("out_features of layer 0", exact=True)).to_have_value("5", timeout=UI_TIMEOUT_MS)
    expect_info(page, 0, f"→ 5 · {linear_params(2, 5)} params")

    # Not JSON: the builder says so; the server's field error appears on the row it concerns.
    page.fill("#spec-editor", "{")
    expect(page.locator("#network-builder")).to_contain_text("not valid")
    page.fill("#spec-editor", json.dumps(spec))
    box = page.get_by_label("out_features of layer 2", exact=True)
    box.fill("0")
    box.press("Enter")
    errors = block(page, 2).locator(".builder-errors")
    expect(errors).to_contain_text("network.layers[2].out_features", timeout=UI_TIMEOUT_MS)
    expect(errors).to_contain_text("greater than or equal to 1")
    expect(page.locator("#validation-errors")).to_contain_text("network.layers[2].out_features")
    page.get_by_role("button", name="Increase out_features of layer 2").click()
    expect(errors).to_be_hidden(timeout=UI_TIMEOUT_MS)
    expect_info(page, 2, f"→ 1 · {linear_params(5, 1)} params")


def test_json_editor_folds_away(page: Page):
    open_preset(page, "lenet_digits")
    expect(page.locator("#builder-layers")).to_contain_text("conv2d")
    expect(block(page, 0).get_by_label("kernel_size of layer 0", exact=True)).to_be_visible()
    toggle = page.get_by_role("button", name="Hide JSON")
    toggle.click()
    expect(page.locator("#spec-editor")).to_be_hidden()
    expect(page.get_by_role("button", name="Show JSON")).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Show JSON").click()
    expect(page.locator("#spec-editor")).to_be_visible()


def test_builder_screenshots(browser, server_url, shots_dir):
    for width, height in [(1280, 800), (1920, 1080)]:
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=server_url)
        page = context.new_page()
        open_preset(page, "lenet_digits")
        conv_params = 6 * 1 * 3 * 3 + 6  # 6 filters of 1x3x3 and 6 biases
        expect(block(page, 0).locator(".builder-info")).to_have_text(f"→ 6×8×8 · {conv_params} params", timeout=UI_TIMEOUT_MS)
        page.screenshot(path=str(shots_dir / f"builder-lenet-{width}x{height}.png"))
        page.get_by_role("button", name="Hide JSON").click()
        choose_preset(page, "tanh_spiral")
        expect_info(page, 0, f"→ 8 · {linear_params(2, 8)} params")
        page.screenshot(path=str(shots_dir / f"builder-spiral-json-hidden-{width}x{height}.png"))
        size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert size == [width, height], f"the page should fit {width}x{height} without scrolling, got {size}"
        context.close()


def test_real_number_fields_and_named_paddings_are_edited_in_the_builder(page: Page):
    """dropout's p is typed in the builder (a real number, no +/-), conv2d's padding has its named
    choices ("same", "valid") beside the stepper; each edit reaches the JSON and is validated."""
    open_preset(page, "alexnet_mnist")
    layers = editor_layers(page)
    drop = next(i for i, layer in enumerate(layers) if layer["type"] == "dropout")
    p = page.get_by_role("spinbutton", name=f"p of layer {drop}")
    expect(p).to_have_value(str(layers[drop].get("p", 0.5)))
    p.fill("0.3")
    p.press("Tab")  # the edit is taken on change
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).network.layers[{drop}].p === 0.3")
    expect(page.locator("#validation-errors")).to_be_hidden(timeout=UI_TIMEOUT_MS)

    choose_preset(page, "lenet5_mnist")  # conv2d 5x5, padding 2: 6x28x28
    page.get_by_role("combobox", name="padding choice of layer 0").select_option("valid")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).network.layers[0].padding === 'valid'")
    expect(page.locator("#summary-table tbody")).to_contain_text("6×24×24", timeout=UI_TIMEOUT_MS)  # 28 - 5 + 1
    page.get_by_role("combobox", name="padding choice of layer 0").select_option("same")
    expect(page.locator("#summary-table tbody")).to_contain_text("6×28×28", timeout=UI_TIMEOUT_MS)
    page.get_by_role("combobox", name="padding choice of layer 0").select_option("")  # back to pixels
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).network.layers[0].padding === 0")
    expect(page.get_by_role("spinbutton", name="padding of layer 0")).to_have_value("0")
