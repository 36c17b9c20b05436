"""The container files, read as text and linted; scripts/container-check.sh (run by .ci/run after the
tests) builds and runs them for real with podman.

- docker-compose.yml: its structure (service, port, named volume on the data dir, healthcheck,
  restart policy, settings) read with PyYAML, and its validity against the Compose specification's
  JSON schema, checked offline by dclint (installed under tools/ by ``scripts/install.sh --test``).
- Dockerfile: it installs exactly what the README's run command installs, by running the same
  ``scripts/install.sh`` that ``./scripts/run.sh`` runs, and serves the app as a non-root user.
"""

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from nnplay.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
README = ROOT / "README.md"
RUN_SH = ROOT / "scripts" / "run.sh"
CI_RUN = ROOT / ".ci" / "run"
CONTAINER_CHECK = ROOT / "scripts" / "container-check.sh"
INSTALL_SH = ROOT / "scripts" / "install.sh"
DCLINT = ROOT / "tools" / "node_modules" / ".bin" / "dclint"

PORT = 8000
DATA_DIR = "/data"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


# --- helpers ---------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def service() -> dict:
    return compose()["services"]["nnplay"]


def environment(svc: dict) -> dict[str, str]:
    """A service's ``environment:`` as a dict of strings (map or ``KEY=value`` list syntax)."""
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: None if v is None else str(v) for k, v in env.items()}


def published_ports(svc: dict) -> list[tuple[str, str]]:
    """(host port, container port) pairs from short (``[ip:]host:container``) or long syntax."""
    pairs = []
    for p in svc.get("ports", []):
        if isinstance(p, dict):
            pairs.append((str(p.get("published", "")), str(p["target"])))
        else:
            parts = str(p).split("/")[0].split(":")
            pairs.append((parts[-2] if len(parts) > 1 else "", parts[-1]))
    return pairs


def volume_mounts(svc: dict) -> list[dict]:
    """Mounts as long-syntax dicts (``source``, ``target``, ``read_only``)."""
    mounts = []
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            mounts.append({"read_only": False, **v})
        else:
            parts = v.split(":")
            mounts.append({"source": parts[0], "target": parts[1],
                           "read_only": len(parts) > 2 and "ro" in parts[2].split(",")})
    return mounts


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].strip() + " "
            continue
        current += stripped
        word, _, args = current.partition(" ")
        out.append((word.upper(), args.strip()))
        current = ""
    assert not current, "Dockerfile ends inside a continued line"
    return out


def run_command(args: str) -> list[str]:
    """A RUN instruction's shell command as words, its ``--mount=``/``--network=`` flags removed."""
    words = shlex.split(args)
    while words and words[0].startswith("--"):
        words.pop(0)
    return words


def script_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.strip().startswith("#")]


def readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, re.S)]


# --- docker-compose.yml: structure -----------------------------------------------------------


def test_compose_has_one_service_built_from_the_repo_and_no_version_key():
    doc = compose()
    assert "version" not in doc, "the Compose spec has no top-level version: key"
    assert [name for name, svc in doc["services"].items() if not svc.get("profiles")] == ["nnplay"]
    build = doc["services"]["nnplay"]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert context in (".", "./")
    assert (ROOT / "Dockerfile").is_file()


def test_compose_publishes_port_8000_to_the_server_port():
    svc = service()
    assert (str(PORT), str(PORT)) in published_ports(svc), svc.get("ports")
    env = environment(svc)
    assert env["NNPLAY_HOST"] == "0.0.0.0", "the server must listen beyond the container's loopback"
    assert env.get("NNPLAY_PORT", str(PORT)) == str(PORT)


def test_compose_mounts_a_named_volume_on_the_data_dir():
    doc, svc = compose(), service()
    env = environment(svc)
    assert env["NNPLAY_DATA_DIR"] == DATA_DIR
    mounts = [m for m in volume_mounts(svc) if m["target"] == DATA_DIR]
    assert len(mounts) == 1, svc.get("volumes")
    source = mounts[0]["source"]
    assert not source.startswith((".", "/", "~")), f"{source!r} is a bind mount, not a named volume"
    assert source in (doc.get("volumes") or {}), "the named volume must be declared at the top level"
    assert not mounts[0]["read_only"]


def test_compose_healthcheck_hits_api_health_with_python():
    check = service()["healthcheck"]
    test = check["test"]
    words = test if isinstance(test, list) else ["CMD-SHELL", test]
    assert words[0] in ("CMD", "CMD-SHELL")
    command = " ".join(words[1:])
    assert f"127.0.0.1:{PORT}/api/health" in command
    assert words[1] == "python" or command.startswith("python"), "the slim image has python, not curl"
    assert "curl" not in command and "wget" not in command
    for key in ("interval", "timeout", "retries"):
        assert key in check


def test_compose_restarts_unless_stopped():
    assert service()["restart"] == "unless-stopped"


def test_compose_environment_names_only_real_settings():
    env = environment(service())
    fields = {f"NNPLAY_{name.upper()}" for name in Settings.model_fields}
    unknown = [k for k in env if k.startswith("NNPLAY_") and k not in fields]
    assert not unknown, f"not nnplay settings (typo?): {unknown}"
    assert "NNPLAY_MAX_CONCURRENT_JOBS" in env


def test_compose_ray_profile_starts_a_head_and_workers_from_the_same_image_the_api_joins():
    doc = compose()
    ray_services = {name: svc for name, svc in doc["services"].items() if "ray" in svc.get("profiles", [])}
    assert set(ray_services) == {"ray-head", "ray-worker"}
    api = service()
    for svc in (api, *ray_services.values()):
        assert svc["build"]["context"] in (".", "./")
        shm = str(svc["shm_size"])
        assert shm.endswith("gb") and float(shm[:-2]) >= 1, "Ray's object store needs more than Docker's 64 MB /dev/shm"
        assert "RAY_AUTH_TOKEN" in environment(svc), "every node needs the cluster's token"
    for svc in ray_services.values():
        assert svc["build"]["args"]["NNPLAY_EXTRAS"] == "ray" and svc["command"][:2] == ["ray", "start"]
    head, worker = ray_services["ray-head"]["command"], ray_services["ray-worker"]["command"]
    assert "--head" in head and "--block" in head and "--block" in worker
    port = head[head.index("--port") + 1]
    assert worker[worker.index("--address") + 1] == f"ray-head:{port}"
    assert ray_services["ray-worker"]["depends_on"] == ["ray-head"]
    # the API: same image with the extra when asked, serve.sh joins RAY_HEAD_ADDRESS with no CPUs
    assert api["build"]["args"]["NNPLAY_EXTRAS"] == "${NNPLAY_EXTRAS:-}"
    assert {"NNPLAY_EXECUTOR", "NNPLAY_JOB_CPUS", "RAY_HEAD_ADDRESS"} <= set(environment(api))
    assert api["command"] == ["/app/scripts/serve.sh"]
    serve = script_lines(ROOT / "scripts" / "serve.sh")
    join = next(shlex.split(ln) for ln in serve if ln.startswith("ray start"))
    assert join == ["ray", "start", "--address", "$RAY_HEAD_ADDRESS", "--num-cpus", "0", "--disable-usage-stats"]
    assert "export NNPLAY_RAY_ADDRESS=auto" in serve and serve[-1] == 'exec nnplay serve "$@"'


# --- docker-compose.yml: the Compose schema, offline with dclint -----------------------------


def dclint(*args: str, cwd: Path = ROOT) -> tuple[int, list[dict]]:
    if not DCLINT.exists():
        pytest.fail(f"{DCLINT.relative_to(ROOT)} is missing: run `scripts/install.sh --test` (npm ci --prefix tools)")
    proc = subprocess.run([str(DCLINT), *args, "--formatter", "json"], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"dclint gave no JSON report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode, [m for f in report for m in f["messages"]]


def test_compose_file_validates_against_the_compose_schema_with_dclint():
    rc, messages = dclint(str(COMPOSE), "--max-warnings", "0")
    problems = [f"{m['line']}: {m['type']} {m['rule']}: {m['message']}" for m in messages]
    assert rc == 0 and not problems, "\n".join(problems)


def test_dclint_rejects_a_compose_file_that_breaks_the_schema(tmp_path):
    # Proves the check above validates against the schema: ports must be a list.
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  nnplay:\n    build: .\n    ports: 8000\n")
    rc, messages = dclint(str(bad), cwd=tmp_path)
    assert rc != 0
    assert [m["rule"] for m in messages] == ["invalid-schema"], messages
    assert "/services/nnplay/ports" in messages[0]["message"]


# --- Dockerfile: the README's install step, served as a non-root user ------------------------


def test_readme_run_command_is_run_sh_which_runs_install_sh():
    blocks = bash_blocks(readme_section("Two commands"))
    assert blocks[0] == "./scripts/run.sh", "the README's run command"
    lines = script_lines(RUN_SH)
    install = [i for i, ln in enumerate(lines) if shlex.split(ln)[0] == "scripts/install.sh"]
    serve = [i for i, ln in enumerate(lines) if ln.startswith("exec .venv/bin/nnplay serve")]
    assert len(install) == 1 and len(serve) == 1 and install[0] < serve[0], lines
    assert shlex.split(lines[install[0]]) == ["scripts/install.sh"], "run.sh installs without --test"
    assert "docker compose up" in blocks, "the README gives the container command"


def test_dockerfile_runs_the_same_install_step_as_the_readme():
    steps = dockerfile()
    runs = [run_command(args) for kind, args in steps if kind == "RUN"]
    installs = [words for words in runs if "scripts/install.sh" in words]
    run_sh_install = next(shlex.split(ln) for ln in script_lines(RUN_SH) if ln.startswith("scripts/install.sh"))
    assert installs == [run_sh_install], f"the Dockerfile must RUN exactly {run_sh_install}: {runs}"
    # Nothing else installs packages: the image gets exactly what the README's command installs.
    for words in runs:
        if words is not installs[0]:
            assert not {"pip", "pip3", "apt-get", "apt", "npm", "uv", "conda"} & {Path(w).name for w in words}, words


def test_dockerfile_install_sees_the_sources_and_takes_cpu_torch():
    steps = dockerfile()
    at = next(i for i, (kind, args) in enumerate(steps) if kind == "RUN" and "scripts/install.sh" in args)
    before = steps[:at]
    copied = {w.rstrip("/") for k, a in before if k == "COPY" for w in shlex.split(a)[:-1] if not w.startswith("--")}
    assert {"scripts", "backend"} <= copied or "." in copied, f"install.sh needs scripts/ and backend/: {copied}"
    assert any(k == "COPY" and shlex.split(a)[-2:] == [".", "."] for k, a in steps[at:]), "the rest (frontend/)"
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for k, a in before if k == "ARG" and "=" in a}
    assert args.get("TORCH_INDEX_URL") == TORCH_CPU_INDEX
    # install.sh uses TORCH_INDEX_URL for the pinned torch step only
    uses = [ln for ln in script_lines(INSTALL_SH) if "TORCH_INDEX_URL" in ln]
    assert len(uses) == 1 and "pip install" in uses[0] and '"torch==2.13.0"' in uses[0], uses
    assert '${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}' in uses[0]


def test_dockerfile_serves_as_non_root_on_all_interfaces_with_a_healthcheck():
    steps = dockerfile()
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [a for k, a in steps if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    first_user = kinds.index("USER")
    install = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "scripts/install.sh" in a)
    assert first_user < install, "install as the non-root user, so it owns the venv"
    env = {}
    for k, a in steps:
        if k == "ENV":
            env.update(w.split("=", 1) for w in shlex.split(a))
    assert env["NNPLAY_HOST"] == "0.0.0.0"
    assert env["NNPLAY_DATA_DIR"] == DATA_DIR
    assert ("EXPOSE", str(PORT)) in steps
    workdir = [a for k, a in steps if k == "WORKDIR"][-1]
    cmd = json.loads([a for k, a in steps if k == "CMD"][-1])
    assert cmd == [f"{workdir}/.venv/bin/nnplay", "serve"], "the same server run.sh starts"
    health = [a for k, a in steps if k == "HEALTHCHECK"]
    assert len(health) == 1 and "/api/health" in health[0]
    assert '"python"' in health[0] and "curl" not in health[0]


def test_dockerignore_keeps_local_state_out_of_the_image():
    entries = {ln.strip().removeprefix("**/").rstrip("/") for ln in DOCKERIGNORE.read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    assert {".venv", "data", ".git", "__pycache__", "node_modules"} <= entries
    assert not {"scripts", "backend", "frontend", "."} & entries


# --- CI builds and runs the container -------------------------------------------------------------


def test_ci_runs_the_container_check_after_the_test_suite():
    lines = script_lines(CI_RUN)
    assert "set -euo pipefail" in lines, "a failed check must fail CI"
    tests = lines.index("bash scripts/test.sh -q")
    assert lines[tests + 1:] == ["bash scripts/container-check.sh"], lines
    assert CONTAINER_CHECK.stat().st_mode & 0o111, "scripts/container-check.sh must be executable"


def test_the_container_check_passes_machine_specific_things_in_and_leaves_the_files_alone():
    # The check builds from the repository's own files; the base image, the wheel index and the
    # CA bundle reach the build as options, and a skip is said out loud with its reason.
    text = CONTAINER_CHECK.read_text()
    assert "--file Dockerfile ." in text and "scripts/container_check.py run-args" in text
    assert '--from "$LOCAL_BASE"' in text and "TORCH_INDEX_URL=file:///mnt/simple" in text
    assert 'echo "container check SKIPPED: $*"; exit 0' in text
    assert 'echo "container check FAILED: $*" >&2; exit 1' in text
