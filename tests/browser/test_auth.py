"""A server started with NNPLAY_API_TOKEN: the page asks for the token, re-asks after a wrong one,
then works as usual (REST with `Authorization: Bearer`, the stream with `?token=`), and its export
links download through an authorised fetch."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import API_TOKEN
from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset


def sign_in(page: Page, token: str) -> None:
    page.fill("#auth-token", token)
    page.click("#auth-submit")


def test_token_prompt_then_training_and_export(auth_page: Page, auth_server_url, shots_dir):
    page = auth_page
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto("/")

    # Presets and data sets answer 401: one prompt, nothing loaded behind it.
    dialog = page.locator("#auth-dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#auth-error")).to_be_hidden()
    expect(page.locator("#auth-token")).to_be_focused()
    expect(page.locator("#preset-select option")).to_have_count(0)
    page.screenshot(path=str(shots_dir / "login-prompt.png"))

    # A wrong token is refused: the prompt comes back and says so.
    sign_in(page, "not-the-token")
    expect(page.locator("#auth-error")).to_contain_text("refused", timeout=UI_TIMEOUT_MS)
    expect(dialog).to_be_visible()
    expect(page.locator("#auth-token")).to_have_value("")
    page.screenshot(path=str(shots_dir / "login-wrong-token.png"))

    # The right one: presets load, the network is checked, and the token is kept for the tab.
    sign_in(page, API_TOKEN)
    expect(dialog).to_be_hidden(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#preset-select option")).not_to_have_count(0, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)
    assert page.evaluate("sessionStorage.getItem('nnplay.apiToken')") == API_TOKEN

    # A short job trains and streams (the websocket carries the token in its URL).
    choose_preset(page, "logreg_digits")
    page.fill("#f-training-epochs", "2")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 2")
    page.click("#train-btn")
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: \d\.\d{3}$"),
                                                         timeout=TRAIN_TIMEOUT_MS)
    assert sockets and all(re.search(rf"[?&]token={API_TOKEN}(&|$)", url) for url in sockets), sockets
    expect(page.locator("#job-list .job-item.current")).to_contain_text("completed", timeout=UI_TIMEOUT_MS)

    # The export link needs the token (a bare GET is refused); a click downloads it through a fetch.
    link = page.locator("#export-code")
    expect(link).to_have_attribute("aria-disabled", "false", timeout=UI_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert page.request.get(f"{auth_server_url}{href}").status == 401
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".py"), download.suggested_filename
    with open(download.path()) as f:
        assert "class Net(nn.Module)" in f.read()
    expect(dialog).to_be_hidden()

    # A reload keeps the token (sessionStorage): no prompt, the job replays from its stream.
    page.reload()
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: "), timeout=UI_TIMEOUT_MS)
    expect(dialog).to_be_hidden()
