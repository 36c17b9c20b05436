"""Export and import in the page: a spec file read through the file input becomes the edited spec
(checked by the server as usual); a finished job offers its four downloads."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

IRIS_MLP = {
    "name": "imported iris MLP",
    "dataset": {"name": "iris", "test_fraction": 0.3, "seed": 1},
    "network": {"layers": [{"type": "linear", "out_features": 16, "in_features": None}, {"type": "tanh"},
                           {"type": "linear", "out_features": 3}]},
    "training": {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "epochs": 40, "batch_size": 16},
}
EXPORTS = {"model": ".pt", "onnx": ".onnx", "code": ".py", "spec": ".spec.json"}


def test_import_spec_file_fills_the_editor_and_the_summary(page: Page, tmp_path):
    open_page(page)
    path = tmp_path / "iris.json"
    path.write_text(json.dumps(IRIS_MLP))
    page.set_input_files("#import-spec", str(path))

    # The table follows the server's check of the imported network: 4*16+16 + 16*3+3 = 131 parameters.
    summary = page.locator("#summary-table")
    expect(summary.locator("tfoot")).to_contain_text("131", timeout=UI_TIMEOUT_MS)
    expect(summary.locator("tbody")).to_contain_text("tanh")
    edited = json.loads(page.input_value("#spec-editor"))
    assert edited["name"] == "imported iris MLP" and edited["dataset"]["name"] == "iris"
    assert "in_features" not in edited["network"]["layers"][0]  # tidied: null = inferred
    expect(page.locator("#f-training-epochs")).to_have_value("40")
    expect(page.locator("#status-note")).to_contain_text("Imported iris.json")
    expect(page.locator("#train-btn")).to_be_enabled()

    # A file that is not JSON lands in the editor, which says why.
    bad = tmp_path / "bad.json"
    bad.write_text('{"dataset": ')
    page.set_input_files("#import-spec", str(bad))
    expect(page.locator("#validation-errors")).to_contain_text("Invalid JSON", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#train-btn")).to_be_disabled()


def test_finished_job_offers_its_downloads(page: Page, shots_dir):
    open_page(page)
    expect(page.locator("#export-code")).to_have_attribute("aria-disabled", "true")  # no job yet
    choose_preset(page, "logreg_digits")
    page.fill("#f-training-epochs", "2")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.epochs === 2")
    page.click("#train-btn")
    expect(page.locator("#final-accuracy")).to_have_text(re.compile(r"^Test accuracy: "), timeout=TRAIN_TIMEOUT_MS)
    job_id = re.search(r"#job=([\w-]+)", page.url).group(1)

    for key, route in (("model", "model"), ("onnx", "model.onnx"), ("code", "code"), ("spec", "spec")):
        link = page.locator(f"#export-{key}")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"/api/jobs/{job_id}/{route}", timeout=UI_TIMEOUT_MS)
    code = page.request.get(page.locator("#export-code").get_attribute("href"))
    assert code.status == 200 and "class Net(nn.Module)" in code.text()
    assert code.headers["content-disposition"].endswith('.py"')
    with page.expect_download() as info:
        page.click("#export-spec")
    assert info.value.suggested_filename.endswith(EXPORTS["spec"])
    assert json.loads(open(info.value.path()).read())["dataset"]["name"] == "digits"
    page.screenshot(path=str(shots_dir / "export-done.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], f"the page should fit 1280x800 without scrolling, got {size}"
