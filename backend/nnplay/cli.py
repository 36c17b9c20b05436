"""Command line: ``nnplay serve``, ``nnplay validate SPEC.json``, ``nnplay train SPEC.json``."""

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError


def _load_spec(path: str):
    from nnplay.spec.network import JobSpec

    return JobSpec.model_validate_json(Path(path).read_text())


def _print_errors(exc: Exception) -> int:
    from nnplay.api.errors import clean_loc, explain_spec_error, field_path
    from nnplay.spec.errors import SpecError

    if isinstance(exc, ValidationError):
        for e in map(explain_spec_error, exc.errors()):
            where = field_path(clean_loc(e["loc"]))  # network.layers[1], not network.layers.layers[1]
            print(f"error: {where + ': ' if where else ''}{e['msg']}", file=sys.stderr)
    elif isinstance(exc, SpecError):
        print(f"error: {field_path(exc.loc)}: {exc.message}", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)
    return 2


def _summary_table(summary) -> str:
    lines = [f"{'#':>3}  {'type':<12} {'output shape':<16} {'params':>10}",
             f"{'':>3}  {'input':<12} {str(tuple(summary.input_shape)):<16} {'':>10}"]
    for row in summary.layers:
        lines.append(f"{row.index:>3}  {row.type:<12} {str(tuple(row.output_shape)):<16} {row.params:>10,}")
    lines.append(f"total parameters: {summary.total_params:,}")
    lines += [f"warning: {w}" for w in summary.warnings]
    return "\n".join(lines)


def cmd_validate(args) -> int:
    from nnplay.settings import get_settings
    from nnplay.train.check import check_job

    try:
        spec = _load_spec(args.spec)
        summary = check_job(spec.dataset, spec.network, spec.training, get_settings())
    except (ValidationError, ValueError, OSError) as exc:
        return _print_errors(exc)
    print(_summary_table(summary))
    return 0


def cmd_train(args) -> int:
    from tqdm import tqdm

    from nnplay.settings import get_settings
    from nnplay.train import train
    from nnplay.train.check import check_job

    try:
        spec = _load_spec(args.spec)
        check_job(spec.dataset, spec.network, spec.training, get_settings())
    except (ValidationError, ValueError, OSError) as exc:
        return _print_errors(exc)
    bar = tqdm(total=spec.training.epochs, unit="epoch", file=sys.stderr)

    def emit(event: dict) -> None:
        if event["type"] == "metrics" and event["scope"] == "epoch":
            bar.update(1)
            figure = ({"test_acc": event["test_accuracy"]} if event.get("test_r2") is None
                      else {"test_r2": event["test_r2"]})  # regression: R^2, no accuracy
            bar.set_postfix(loss=event["train_loss"], **figure)

    result = train(spec, emit, data_dir=get_settings().data_dir)  # uploaded sets live there
    bar.close()
    print(json.dumps({"status": result.status, **result.final, "seconds": round(result.seconds, 3)}))
    return 0 if result.status == "completed" else 1


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def database_name(settings) -> str:
    """The database URL with any password hidden (for a SQLite file: its path)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url())
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)


def _first_line(exc: Exception) -> str:
    """The driver's own message: ``(sqlite3.DatabaseError) file is not a database``."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def start_fork_server() -> None:
    """Start the job workers' fork server now, in the background: it imports torch and the training
    code while this process imports the app, instead of after it (``nnplay.jobs.processes``)."""
    import multiprocessing
    import multiprocessing.forkserver
    import threading

    multiprocessing.get_context("forkserver").set_forkserver_preload(["nnplay.jobs.warm"])
    threading.Thread(target=multiprocessing.forkserver.ensure_running, daemon=True).start()


def cmd_serve(args) -> int:
    from nnplay.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:  # e.g. a blank NNPLAY_API_TOKEN: one line per setting, no traceback
        return _print_errors(exc)
    if settings.executor == "process":
        start_fork_server()

    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from nnplay.api.app import create_app

    host, port = args.host or settings.host, args.port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})  # the Host check allows `host`
    if not is_loopback(host) and not settings.api_token and not settings.allow_unauthenticated:
        print(f"error: refusing to serve on {host} without NNPLAY_API_TOKEN: anyone who can reach it could "
              "run jobs. Set NNPLAY_API_TOKEN, or NNPLAY_ALLOW_UNAUTHENTICATED=true if the network is "
              "trusted (e.g. a container port published on the host's loopback).", file=sys.stderr)
        return 2
    try:
        app = create_app(settings)
    except SQLAlchemyError as exc:  # a damaged or unreachable database: say which, in one line
        print(f"error: cannot open the database {database_name(settings)}: {_first_line(exc)}", file=sys.stderr)
        return 2
    if settings.executor == "ray":  # joined before serving: a cluster that does not answer is one line
        try:
            app.state.service.executor.start()
        except (ConnectionError, RuntimeError) as exc:
            print(f"error: cannot start the Ray executor: {_first_line(exc)}", file=sys.stderr)
            return 2
    print(f"nnplay serving on http://{host}:{port}", file=sys.stderr)
    # No per-message deflate: messages are small and compressing each one costs training CPU time.
    # Pings every 20 s; a client that does not answer within 20 s (vanished without a close frame) is
    # dropped, which ends its stream and frees its slot.
    uvicorn.run(app, host=host, port=port, log_level=args.log_level,
                ws_per_message_deflate=False, ws_ping_interval=20.0, ws_ping_timeout=20.0)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nnplay", description="A neural network playground on PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the web playground and REST API")
    serve.add_argument("--host", help="bind address (default NNPLAY_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default NNPLAY_PORT or 8000)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)
    for name, func, text in (("validate", cmd_validate, "check a job spec and print its summary table"),
                             ("train", cmd_train, "train a job spec here, with a progress bar")):
        p = sub.add_parser(name, help=text)
        p.add_argument("spec", help="path to a job spec JSON file")
        p.set_defaults(func=func)
    args = parser.parse_args(argv)
    return args.func(args)
