"""The Python half of scripts/container-check.sh: the compose file read as `docker compose` reads it,
and the API calls that prove the container works.

Subcommands (the shell script calls them; each exits non-zero with a one-line reason on failure):

- ``run-args PROJECT IMAGE HOST_PORT``: the ``podman run`` arguments that apply the ``nnplay``
  service of docker-compose.yml (environment with ``${VAR:-default}`` interpolated from this
  process's environment, published ports with the host port replaced by HOST_PORT, the named volume
  as ``PROJECT_<name>``, restart policy, healthcheck), NUL-separated on stdout.
- ``wheel-index DIR``: lay the wheels in DIR out as a PEP 503 "simple" index under DIR/simple (one
  folder per project, each with an index.html), so that ``TORCH_INDEX_URL=file:///...`` can hand
  the Dockerfile's torch step a local CPU wheel and its dependencies, and nothing else.
- ``train URL``: GET /api/health, take the ``linreg_plane`` preset from GET /api/presets, POST it to
  /api/jobs, GET the job until it ends; it must be ``completed`` with its final test loss under a
  tenth of its first training loss and a test R^2 above 0.9. Prints the job id, then writes the job and its metric history
  as JSON to the file named by ``--save``.
- ``recheck URL SAVED``: after the container was recreated on the same volume, GET the job and its
  metrics again and require the same status, final metrics and history as SAVED.

Only the standard library and PyYAML (in ./.venv) are used, so the checks need nothing in the image.
"""

import argparse
import json
import os
import re
import shlex
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SERVICE = "nnplay"
PRESET = "linreg_plane"
ENDED = {"completed", "stopped", "failed", "diverged", "interrupted"}
JOB_TIMEOUT_S = 300.0


class CheckFailed(Exception):
    """A check did not hold; the message says which and what was seen."""


# --- docker-compose.yml, read as Compose reads it ------------------------------------------------

_VAR = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
    ``${VAR-default}``, ``${VAR:?message}``, ``${VAR?message}``.

    Raises CheckFailed for a required variable that is unset (``?`` forms), as Compose does.
    """
    def substitute(m: re.Match) -> str:
        if m["escaped"]:
            return "$"
        name = m["name"] or m["bare"]
        op, arg, current = m["op"], m["arg"], env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op and op.endswith("-") and missing:
            return arg
        if op and op.endswith("?") and missing:
            raise CheckFailed(f"compose variable {name} is required: {arg}")
        return current or ""
    return _VAR.sub(substitute, value)


def service(path: Path = COMPOSE) -> tuple[dict, dict]:
    """(the whole compose document, the nnplay service)."""
    doc = yaml.safe_load(path.read_text())
    return doc, doc["services"][SERVICE]


def environment_args(svc: dict, env: dict[str, str]) -> list[str]:
    """``--env KEY=value`` for the service's ``environment:`` (map or list syntax), interpolated."""
    items = svc.get("environment") or {}
    if isinstance(items, list):
        items = dict(item.split("=", 1) if "=" in item else (item, None) for item in items)
    args = []
    for key, value in items.items():
        if value is None:  # `KEY` alone: passed through from the environment when set
            if key in env:
                args += ["--env", f"{key}={env[key]}"]
            continue
        args += ["--env", f"{key}={interpolate(str(value), env)}"]
    return args


def port_args(svc: dict, host_port: int) -> list[str]:
    """``--publish [ip:]HOST_PORT:container`` for each short-syntax port, on the same host address.

    HOST_PORT replaces the compose file's host port, so the check never collides with a server
    already on it. Raises CheckFailed for long syntax or a port range (not used by our file).
    """
    args = []
    for spec in svc.get("ports", []):
        if not isinstance(spec, str) or "-" in spec:
            raise CheckFailed(f"port {spec!r}: only '[ip:]host:container' is translated")
        parts = spec.split(":")
        ip = parts[0] + ":" if len(parts) == 3 else ""
        args += ["--publish", f"{ip}{host_port}:{parts[-1]}"]
    return args


def volume_args(doc: dict, svc: dict, project: str) -> list[str]:
    """``--volume PROJECT_name:target[:ro]`` for named volumes, as Compose names them.

    Raises CheckFailed for a bind mount or an undeclared volume.
    """
    args = []
    for spec in svc.get("volumes", []):
        source, target, *mode = spec.split(":")
        if source not in (doc.get("volumes") or {}):
            raise CheckFailed(f"volume {spec!r}: only named volumes declared at the top level are translated")
        args += ["--volume", ":".join([f"{project}_{source}", target, *mode])]
    return args


def healthcheck_args(svc: dict) -> list[str]:
    """The service's ``healthcheck:`` as podman's ``--health-*`` options.

    An exec-form test (``[CMD, prog, args...]``) is given to podman as the JSON array without
    ``CMD``: podman 4 splits the words of an array that starts with ``CMD`` on spaces, which
    would break ``python -c "..."``.
    """
    check = svc.get("healthcheck")
    if not check:
        return []
    test = check["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if test[0] == "NONE" or check.get("disable"):
        return ["--no-healthcheck"]
    command = test[1:] if test[0] == "CMD" else test
    args = ["--health-cmd", json.dumps(command)]
    for key, option in (("interval", "--health-interval"), ("timeout", "--health-timeout"),
                        ("retries", "--health-retries"), ("start_period", "--health-start-period")):
        if key in check:
            args += [option, str(check[key])]
    return args


def run_args(project: str, image: str, host_port: int, env: dict[str, str], path: Path = COMPOSE) -> list[str]:
    """The ``podman run`` arguments (without ``podman run`` itself) for the compose service."""
    doc, svc = service(path)
    name = f"{project}-{SERVICE}-1"
    args = ["--detach", "--name", name, "--label", f"com.docker.compose.project={project}"]
    args += environment_args(svc, env) + port_args(svc, host_port) + volume_args(doc, svc, project)
    if svc.get("restart"):
        args += ["--restart", svc["restart"]]
    return args + healthcheck_args(svc) + [image] + command_args(svc, env)


def command_args(svc: dict, env: dict[str, str]) -> list[str]:
    """The service's ``command:`` (list or shell-words string, interpolated), run instead of the
    image's CMD as compose runs it; empty when the service has none."""
    command = svc.get("command") or []
    words = shlex.split(command) if isinstance(command, str) else command
    return [interpolate(str(word), env) for word in words]


# --- a local wheel index for the torch step ------------------------------------------------------


def project_of(wheel: str) -> str:
    """The normalized project name (PEP 503) of a wheel file name: ``MarkupSafe-2.1.5-...whl`` -> ``markupsafe``."""
    return re.sub(r"[-_.]+", "-", wheel.split("-", 1)[0]).lower()


def wheel_index(directory: Path) -> list[str]:
    """Moves each ``*.whl`` in ``directory`` to ``simple/<project>/`` beside an index.html linking it;
    returns the projects. Raises CheckFailed when there is no wheel."""
    wheels = sorted(directory.glob("*.whl"))
    if not wheels:
        raise CheckFailed(f"no wheels in {directory}")
    for wheel in wheels:
        folder = directory / "simple" / project_of(wheel.name)
        folder.mkdir(parents=True, exist_ok=True)
        wheel.rename(folder / wheel.name)
    projects = sorted(p.name for p in (directory / "simple").iterdir())
    for project in projects:
        folder = directory / "simple" / project
        links = "".join(f'<a href="{w.name}">{w.name}</a>\n' for w in sorted(folder.glob("*.whl")))
        (folder / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    return projects


# --- the API -------------------------------------------------------------------------------------


def call(url: str, method: str = "GET", body: dict | None = None) -> dict | list:
    """One JSON request; raises CheckFailed naming the status and body of a non-2xx answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as e:
        raise CheckFailed(f"{method} {url} answered {e.code}: {e.read()[:500]!r}") from None


def wait_for_end(url: str, job_id: str, timeout_s: float = JOB_TIMEOUT_S) -> dict:
    """GET the job once a second until its status is final; raises CheckFailed past timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = call(f"{url}/api/jobs/{job_id}")
        if job["status"] in ENDED:
            return job
        if time.monotonic() > deadline:
            raise CheckFailed(f"job {job_id} still {job['status']} after {timeout_s:.0f} s")
        time.sleep(1)


def train_losses(metrics: dict) -> list[float]:
    """The training losses (step and epoch rows) of a GET /api/jobs/{id}/metrics answer, in order."""
    return [m["train_loss"] for m in metrics["metrics"] if m.get("train_loss") is not None]


def train(url: str, save: Path) -> str:
    """Trains the linreg_plane preset through the API; returns the job id. See the module docstring."""
    health = call(f"{url}/api/health")
    print(f"health: {json.dumps(health)}", file=sys.stderr)
    spec = next(p["spec"] for p in call(f"{url}/api/presets") if p["id"] == PRESET)
    job = call(f"{url}/api/jobs", "POST", spec)
    job = wait_for_end(url, job["id"])
    metrics = call(f"{url}/api/jobs/{job['id']}/metrics")
    losses = train_losses(metrics)
    final = job.get("final") or {}
    print(f"job {job['id']}: {job['status']}, {len(metrics['metrics'])} metric rows, first train loss "
          f"{losses[0] if losses else None}, final {json.dumps(final)}", file=sys.stderr)
    if job["status"] != "completed":
        raise CheckFailed(f"job {job['id']} ended {job['status']}: {job.get('detail')}")
    # Full-batch gradient descent on least squares (a convex quadratic, y = 2 x1 - 3 x2 + 0.5 + noise
    # 0.1) shrinks the loss geometrically: after 100 steps at lr 0.1 it is far below a tenth of where
    # it started, and the fit explains nearly all the variance (R^2 0.998 on this machine).
    if not losses or final.get("test_loss") is None or not final["test_loss"] < losses[0] / 10:
        raise CheckFailed(f"the loss did not fall: first train loss {losses[:1]}, final {final}")
    if final.get("test_r2") is None or not final["test_r2"] > 0.9:
        raise CheckFailed(f"the fit explains too little: test R^2 {final.get('test_r2')} (expected > 0.9)")
    save.write_text(json.dumps({"job": job, "metrics": metrics}))
    return job["id"]


def recheck(url: str, saved: Path) -> None:
    """The job and its whole history are still there, unchanged, after the container was recreated."""
    before = json.loads(saved.read_text())
    job_id = before["job"]["id"]
    job = call(f"{url}/api/jobs/{job_id}")
    metrics = call(f"{url}/api/jobs/{job_id}/metrics")
    for key in ("status", "final", "spec", "created_at", "finished_at", "last_seq"):
        if job.get(key) != before["job"].get(key):
            raise CheckFailed(f"job {job_id}: {key} was {before['job'].get(key)!r}, now {job.get(key)!r}")
    if metrics != before["metrics"]:
        raise CheckFailed(f"job {job_id}: its metric history changed across the restart")
    print(f"job {job_id} after the restart: {job['status']}, {len(metrics['metrics'])} metric rows unchanged",
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run-args")
    p.add_argument("project"), p.add_argument("image"), p.add_argument("host_port", type=int)
    p = sub.add_parser("wheel-index")
    p.add_argument("directory", type=Path)
    p = sub.add_parser("train")
    p.add_argument("url"), p.add_argument("--save", type=Path, required=True)
    p = sub.add_parser("recheck")
    p.add_argument("url"), p.add_argument("saved", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "run-args":
            sys.stdout.write("\0".join(run_args(args.project, args.image, args.host_port, dict(os.environ))) + "\0")
        elif args.command == "wheel-index":
            print(" ".join(wheel_index(args.directory)))
        elif args.command == "train":
            print(train(args.url.rstrip("/"), args.save))
        else:
            recheck(args.url.rstrip("/"), args.saved)
    except (CheckFailed, urllib.error.URLError, OSError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
