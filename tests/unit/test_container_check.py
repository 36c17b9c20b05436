"""scripts/container_check.py, the half of scripts/container-check.sh that needs no engine: the compose
file applied to ``podman run`` as Compose applies it, and the local wheel index handed to the build.

Oracles: the compose file itself read with PyYAML, the Compose specification's interpolation rules,
and pip, which must install from the generated index.
"""

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("container_check", ROOT / "scripts" / "container_check.py")
cc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cc)


def options(args: list[str], name: str) -> list[str]:
    """Every value given to option ``name`` in an argument list."""
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]


# --- interpolation, as the Compose specification defines it -------------------------------------


@pytest.mark.parametrize("text, env, expected", [
    ("${A:-d}", {}, "d"),
    ("${A:-d}", {"A": ""}, "d"),          # ':-' also replaces an empty value
    ("${A-d}", {"A": ""}, ""),            # '-' only an unset one
    ("${A-d}", {}, "d"),
    ("${A:-}", {}, ""),
    ("${A}", {"A": "x"}, "x"),
    ("$A/b", {"A": "x"}, "x/b"),
    ("${A}", {}, ""),
    ("$$A", {"A": "x"}, "$A"),            # '$$' is a literal '$'
    ("p${A:-1}q${B:-2}", {"B": "3"}, "p1q3"),
])
def test_interpolation_follows_the_compose_spec(text, env, expected):
    assert cc.interpolate(text, env) == expected


@pytest.mark.parametrize("text, env", [("${A:?need A}", {}), ("${A:?need A}", {"A": ""}), ("${A?need A}", {})])
def test_a_required_variable_that_is_missing_is_refused(text, env):
    with pytest.raises(cc.CheckFailed, match="need A"):
        cc.interpolate(text, env)


# --- docker-compose.yml as podman run arguments --------------------------------------------------


def test_run_args_carry_every_setting_of_the_compose_service():
    svc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["nnplay"]
    args = cc.run_args("proj", "localhost/img:1", 43210, env={})
    image_at = args.index("localhost/img:1")  # then the service's command, as compose runs it
    assert args[image_at + 1:] == svc["command"] == ["/app/scripts/serve.sh"]
    assert options(args, "--name") == ["proj-nnplay-1"]
    env = dict(e.split("=", 1) for e in options(args, "--env"))
    assert set(env) == set(svc["environment"])
    for key, value in svc["environment"].items():   # every value, with its ${VAR:-default} applied
        assert env[key] == cc.interpolate(str(value), {})
    assert env["NNPLAY_ALLOW_UNAUTHENTICATED"] == "true" and env["NNPLAY_API_TOKEN"] == ""
    # the same host address and container port, on the host port the check chose
    assert options(args, "--publish") == [p.rsplit(":", 2)[0] + ":43210:" + p.rsplit(":", 1)[1] for p in svc["ports"]]
    assert options(args, "--volume") == ["proj_nnplay-data:/data"]
    assert options(args, "--restart") == [svc["restart"]]


def test_run_args_take_variables_from_the_environment():
    args = cc.run_args("p", "i", 1, env={"NNPLAY_MAX_EPOCHS": "7", "NNPLAY_API_TOKEN": "s3cret-token"})
    env = dict(e.split("=", 1) for e in options(args, "--env"))
    assert env["NNPLAY_MAX_EPOCHS"] == "7" and env["NNPLAY_API_TOKEN"] == "s3cret-token"


def test_the_healthcheck_keeps_its_command_words_and_timings():
    check = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["nnplay"]["healthcheck"]
    args = cc.run_args("p", "i", 1, env={})
    # exec form without the CMD keyword: podman would split an array starting with CMD on spaces
    assert [json.loads(c) for c in options(args, "--health-cmd")] == [check["test"][1:]]
    assert options(args, "--health-interval") == [check["interval"]]
    assert options(args, "--health-timeout") == [check["timeout"]]
    assert options(args, "--health-retries") == [str(check["retries"])]
    assert options(args, "--health-start-period") == [check["start_period"]]


def test_shell_form_and_disabled_healthchecks():
    assert cc.healthcheck_args({"healthcheck": {"test": "curl -f x"}})[:2] == \
        ["--health-cmd", json.dumps(["CMD-SHELL", "curl -f x"])]
    assert cc.healthcheck_args({"healthcheck": {"test": ["NONE"]}}) == ["--no-healthcheck"]
    assert cc.healthcheck_args({}) == []


def test_bind_mounts_and_long_port_syntax_are_refused_not_guessed():
    with pytest.raises(cc.CheckFailed, match="named volumes"):
        cc.volume_args({"volumes": {}}, {"volumes": ["./data:/data"]}, "p")
    with pytest.raises(cc.CheckFailed, match="host:container"):
        cc.port_args({"ports": [{"target": 8000, "published": 8000}]}, 1)


# --- the wheel index for the Dockerfile's TORCH_INDEX_URL ----------------------------------------


def make_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel (PEP 427): one module and its dist-info."""
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name.replace('-', '_')}.py", "VALUE = 1\n")
        z.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}.dist-info/RECORD", "")
    return path


def test_project_names_are_normalized_as_pep_503_says():
    assert cc.project_of("MarkupSafe-3.0.4-cp311-cp311-manylinux_2_28_x86_64.whl") == "markupsafe"
    assert cc.project_of("typing_extensions-4.16.0-py3-none-any.whl") == "typing-extensions"
    assert cc.project_of("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl") == "torch"


def test_pip_installs_from_the_generated_index_alone(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "demo_pkg", "1.0")
    make_wheel(wheels, "other.pkg", "2.0")
    assert cc.wheel_index(wheels) == ["demo-pkg", "other-pkg"]
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--isolated", "--no-cache-dir", "--dest", str(out),
         "--index-url", (wheels / "simple").as_uri(), "demo-pkg==1.0", "other.pkg"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["demo_pkg-1.0-py3-none-any.whl", "other.pkg-2.0-py3-none-any.whl"]


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(cc.CheckFailed, match="no wheels"):
        cc.wheel_index(tmp_path)
