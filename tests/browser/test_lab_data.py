"""The data side of the 2-D lab in the page: regression (prediction curve and surface, R^2), missing
values (how many were removed), a CSV upload, and McNemar's test of two finished jobs."""

import csv
import re

from playwright.sync_api import Page, expect
from sklearn.datasets import load_iris

from tests.browser.test_page import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, choose_preset, open_page

PLOT_JS = """() => {
  const d = document.getElementById('decision-boundary');
  if (!d || !d.data) return null;
  const curve = d.data.find((t) => t.uid === 'prediction');
  const heat = d.data.find((t) => t.type === 'heatmap');
  const count = (part) => d.data.filter((t) => t.meta === part).reduce((n, t) => n + t.x.length, 0);
  return { curve: curve ? curve.x.length : 0, heat: heat ? [heat.z.length, heat.z[0].length] : null,
           colorbar: heat ? heat.colorbar.title.text : null, zmin: heat ? heat.zmin : null, zmax: heat ? heat.zmax : null,
           train: count('train'), test: count('test'), title: d.layout.title.text,
           x: d.layout.xaxis.title.text, y: d.layout.yaxis.title.text, step: Number(d.dataset.step || -1) };
}"""


def set_epochs(page: Page, epochs: int) -> None:
    page.fill("#f-training-epochs", str(epochs))
    page.wait_for_function(f"JSON.parse(document.querySelector('#spec-editor').value).training.epochs === {epochs}")


def train_and_wait(page: Page) -> str:
    page.click("#train-btn")
    expect(page.locator("#job-status")).to_contain_text(re.compile("completed", re.IGNORECASE),
                                                        timeout=TRAIN_TIMEOUT_MS)
    final = page.locator("#final-accuracy")
    expect(final).to_be_visible(timeout=UI_TIMEOUT_MS)
    return final.inner_text()


def test_sine_draws_a_prediction_curve_and_r2(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "mlp_sine")
    expect(page.locator("#tab-inside")).to_have_text("Prediction")
    set_epochs(page, 25)
    text = train_and_wait(page)
    assert re.fullmatch(r"Test R²: 0\.9\d\d · RMSE 0\.\d{3}", text), text
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.curve === 64 && p.step === 25 * 10; }})()",
                           timeout=UI_TIMEOUT_MS)
    p = page.evaluate(f"({PLOT_JS})()")
    assert (p["train"], p["test"]) == (320, 80) and p["heat"] is None, p
    assert p["x"] == "x (standardised)" and p["y"] == "y (target units)" and "Prediction curve" in p["title"]
    expect(page.locator("#accuracy-chart .gtitle")).to_have_text("R² (coefficient of determination)")
    expect(page.locator("#accuracy-caption")).to_contain_text("R² after each epoch")
    expect(page.locator("#job-data-info")).to_be_hidden()  # nothing missing: nothing to report
    page.screenshot(path=str(shots_dir / "labdata-sine.png"))


def test_plane_draws_a_surface_on_a_centred_scale(page: Page, shots_dir):
    open_page(page)
    choose_preset(page, "linreg_plane")
    set_epochs(page, 20)
    text = train_and_wait(page)
    assert text.startswith("Test R²: 0.9"), text
    page.wait_for_function(f"(() => {{ const p = ({PLOT_JS})(); return p && p.heat && p.step === 20; }})()",
                           timeout=UI_TIMEOUT_MS)
    p = page.evaluate(f"({PLOT_JS})()")
    assert p["heat"] == [64, 64] and p["colorbar"] == "y (target units)" and p["zmax"] == -p["zmin"] > 0, p
    page.screenshot(path=str(shots_dir / "labdata-plane.png"))


def test_missing_values_are_reported(page: Page):
    open_page(page)
    choose_preset(page, "lenet_digits")  # the page opens on a 2-D MLP, which iris's (8,) input would fit
    page.select_option("#dataset-select", "iris")
    page.fill("#f-dataset-missing_fraction", "0.2")
    page.select_option("#f-dataset-impute", "mean_with_indicator")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).dataset.missing_fraction === 0.2")
    expect(page.locator("#validation-errors")).to_be_visible(timeout=UI_TIMEOUT_MS)  # LeNet cannot take (8,)
    spec = ('{"dataset": {"name": "iris", "missing_fraction": 0.2, "impute": "mean_with_indicator"}, '
            '"network": {"layers": [{"type": "linear", "out_features": 3}]}, "training": {"epochs": 2, "lr": 0.05}}')
    page.fill("#spec-editor", spec)
    expect(page.locator("#summary-table")).to_contain_text("8", timeout=UI_TIMEOUT_MS)  # input doubled: (8,)
    train_and_wait(page)
    info = page.locator("#job-data-info")
    expect(info).to_contain_text(re.compile(r"120 train / 30 test examples · \d+ of 600 feature values missing "
                                            r"\(\d+\.\d%\), filled with the training mean \+ a missing indicator"))


def write_iris(path) -> None:
    bunch = load_iris()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
        for row, label in zip(bunch.data, bunch.target):
            w.writerow([repr(float(v)) for v in row] + [bunch.target_names[label]])


def test_upload_then_compare_two_jobs(page: Page, tmp_path, shots_dir):
    open_page(page)
    page.click("#upload-toggle")
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b,y\n1,2,x\n3\n")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-btn")
    expect(page.locator("#upload-result")).to_contain_text("row 3 has 1 fields but the header has 3", timeout=UI_TIMEOUT_MS)
    good = tmp_path / "Iris Upload.csv"
    write_iris(good)
    page.set_input_files("#upload-file", str(good))
    expect(page.locator("#upload-target")).to_have_value("species")
    expect(page.locator("#upload-name")).to_have_value("iris_upload")
    page.click("#upload-btn")
    expect(page.locator("#upload-result")).to_have_text("Added “iris_upload”: 150 rows, 4 features, 3 classes.",
                                                        timeout=UI_TIMEOUT_MS)
    expect(page.locator("#dataset-select")).to_have_value("iris_upload")
    expect(page.locator("#delete-dataset-btn")).to_be_visible()
    spec = ('{"name": "%s", "dataset": {"name": "%s"}, "network": {"layers": [{"type": "linear", "out_features": %d}]},'
            ' "training": {"epochs": 3, "lr": 0.05}}')
    page.fill("#spec-editor", spec % ("linear on upload", "iris_upload", 3))
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)
    train_and_wait(page)
    page.fill("#spec-editor", (spec % ("one epoch on upload", "iris_upload", 3)).replace('"epochs": 3', '"epochs": 1'))
    expect(page.locator("#summary-table tfoot")).to_contain_text("total", timeout=UI_TIMEOUT_MS)
    train_and_wait(page)
    page.click("#compare-toggle")
    expect(page.locator("#compare-btn")).to_be_enabled(timeout=UI_TIMEOUT_MS)
    page.select_option("#compare-a", page.locator("#compare-a option", has_text="linear on upload").get_attribute("value"))
    page.select_option("#compare-b", page.locator("#compare-b option", has_text="one epoch on upload").get_attribute("value"))
    page.click("#compare-btn")
    result = page.locator("#compare-result")
    expect(result).to_contain_text(re.compile(r"p = \d\.\d{4} \(n = 30 test examples\)"), timeout=UI_TIMEOUT_MS)
    expect(result.locator("table td")).to_have_count(6)
    expect(result).to_contain_text(re.compile("significant|nothing to weigh"))
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(shots_dir / "labdata-compare.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1280, 800], f"the page should fit 1280x800 without scrolling, got {size}"


def test_choosing_a_regression_set_switches_to_squared_error(page: Page):
    open_page(page)
    choose_preset(page, "mlp_spiral")
    page.select_option("#dataset-select", "sine")
    page.wait_for_function("JSON.parse(document.querySelector('#spec-editor').value).training.loss === 'mse'")
    spec = page.evaluate("JSON.parse(document.querySelector('#spec-editor').value)")
    assert spec["network"]["layers"][-1]["out_features"] == 1 and spec["dataset"]["name"] == "sine"
    expect(page.locator("#summary-table tfoot")).to_contain_text("→ 1", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#validation-errors")).to_be_hidden()
    expect(page.locator("#tab-inside")).to_have_text("Prediction")
