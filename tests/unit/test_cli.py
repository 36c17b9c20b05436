"""The command line: validate prints the summary table or the error at its field; train reports metrics."""

import json

from nnplay.cli import main
from tests.conftest import job_spec


def write(tmp_path, spec) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec) if not isinstance(spec, str) else spec)
    return str(path)


def test_validate_prints_the_summary(tmp_path, capsys, lenet):
    assert main(["validate", write(tmp_path, job_spec(layers=lenet))]) == 0
    out = capsys.readouterr().out
    assert "(6, 8, 8)" in out and "total parameters: 19,754" in out


def test_validate_points_at_the_field(tmp_path, capsys):
    bad = job_spec(layers=[{"type": "flatten"}, {"type": "linear", "out_features": 10, "in_features": 3}])
    assert main(["validate", write(tmp_path, bad)]) == 2
    assert "network.layers[1].in_features" in capsys.readouterr().err
    assert main(["validate", write(tmp_path, '{"dataset": ')]) == 2
    assert "Invalid JSON" in capsys.readouterr().err
    assert main(["validate", write(tmp_path, job_spec(layers=[{"type": "flatten"}, {"type": "rleu"}]))]) == 2
    assert "network.layers[1]: unknown layer type 'rleu'; did you mean 'relu'?" in capsys.readouterr().err


def test_train_prints_final_metrics(tmp_path, capsys):
    assert main(["train", write(tmp_path, job_spec(epochs=2))]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["status"] == "completed" and result["epochs_done"] == 2 and result["test_accuracy"] > 0.85


def test_serve_on_a_damaged_database_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "nnplay.db").write_bytes(b"not a database, " * 300)
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path))
    from nnplay.settings import get_settings
    get_settings.cache_clear()
    try:
        assert main(["serve", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: cannot open the database {(tmp_path / 'nnplay.db').resolve()}: file is not a database"]


def test_serve_with_a_blank_token_refuses_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NNPLAY_API_TOKEN", "   \t ")
    from nnplay.settings import get_settings
    get_settings.cache_clear()
    try:
        assert main(["serve", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: api_token: ") and "blank" in err[0]
