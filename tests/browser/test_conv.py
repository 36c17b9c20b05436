"""The convolution dialog: the worked example's grids (padded input, filters, output) with the window
of the chosen value outlined and its sum written out; stepping moves the window by the stride; the
4x4 max-pooling block gives 6 8 3 4; bad numbers are named."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import UI_TIMEOUT_MS, open_page

WINDOW_JS = """() => [...document.querySelectorAll('#conv-grids .conv-row:first-child figure:first-child td.win')]
  .map((td) => [Number(td.dataset.row), Number(td.dataset.col)])"""


def test_conv_dialog_steps_the_worked_example_and_pools(page: Page, shots_dir):
    open_page(page)
    page.click("#open-conv")
    sums = page.locator("#conv-text .conv-sum")
    expect(sums.first).to_contain_text(re.compile(r"o\[0, 0, 0\] = .*\+ 1 \(bias b0\) = 1$"), timeout=UI_TIMEOUT_MS)
    expect(page.locator("#conv-grids figure")).to_have_count(3 + 2 * 3 + 2)  # padded input, w0 w1, outputs
    expect(page.locator("#conv-sizes")).to_contain_text("⌊(5 + 2·1 − 3)/2⌋ + 1 = 3")
    assert sorted(page.evaluate(WINDOW_JS)) == [[r, c] for r in range(3) for c in range(3)]
    page.screenshot(path=str(shots_dir / "conv.png"))
    page.click("#conv-next")  # the next value: the window moves right by the stride, 2
    expect(sums.first).to_contain_text("o[0, 1, 0]")
    assert sorted(page.evaluate(WINDOW_JS)) == [[r, c] for r in range(3) for c in range(2, 5)]
    page.locator("#conv-grids .conv-row:last-child figure").nth(1).locator("td").nth(4).click()  # o[1, 1, 1]
    expect(sums.first).to_contain_text(re.compile(r"o\[1, 1, 1\] = .* = -3$"))
    page.select_option("#conv-example", "maxpool")
    expect(page.locator("#conv-pool figure").last.locator("td")).to_have_text(["6", "8", "3", "4"])
    expect(sums.first).to_have_text("max(1, 1, 5, 6) = 6")
    page.fill("#conv-json", '{"input": [[[1, 2], [3]]]}')
    page.click("#conv-run")
    expect(page.locator("#conv-errors")).to_contain_text("input")


def test_layer_table_writes_out_the_output_size_of_lenet5_on_mnist(page: Page):
    open_page(page)
    page.select_option("#preset-select", "lenet5_mnist")
    rows = page.locator("#summary-table tbody tr.layer-row")
    expect(rows.nth(0).locator(".layer-arith")).to_have_text("H, W: ⌊(28 + 2·2 − 5)/1⌋ + 1 = 28", timeout=UI_TIMEOUT_MS)
    expect(rows.nth(0).locator("td.shape")).to_have_text("6×28×28")
    expect(rows.nth(2).locator(".layer-arith")).to_have_text("H, W: ⌊(28 + 2·0 − 2)/2⌋ + 1 = 14")
    expect(rows.nth(3).locator(".layer-arith")).to_have_text("H, W: ⌊(14 + 2·0 − 5)/1⌋ + 1 = 10")
    expect(page.locator("#summary-table tfoot")).to_contain_text("61,706")
