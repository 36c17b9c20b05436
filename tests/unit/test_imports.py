"""Imports run one way: settings -> spec -> data -> nn -> probes -> train -> protocol -> jobs -> api."""

import ast
from pathlib import Path

import nnplay

ORDER = ["settings", "spec", "data", "nn", "probes", "train", "protocol", "jobs", "api", "cli"]
PURE = {"spec", "data", "nn", "probes", "train"}
FORBIDDEN_IN_PURE = {"fastapi", "starlette", "asyncio", "uvicorn", "sqlalchemy"}
ROOT = Path(nnplay.__file__).parent


def layer_of(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0].removesuffix(".py")


def imported_modules(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_import_direction():
    problems = []
    for path in ROOT.rglob("*.py"):
        layer = layer_of(path)
        if layer not in ORDER:
            continue
        for mod in imported_modules(path):
            top = mod.split(".")[0]
            if top == "nnplay" and "." in mod:
                target = mod.split(".")[1]
                if target in ORDER and ORDER.index(target) > ORDER.index(layer):
                    problems.append(f"{path.relative_to(ROOT)} imports {mod}")
            if layer in PURE and top in FORBIDDEN_IN_PURE:
                problems.append(f"{path.relative_to(ROOT)} (pure) imports {mod}")
    assert not problems, problems


def test_the_client_imports_nothing_else_of_nnplay():
    """``nnplay.client`` speaks only HTTP and the websocket: a notebook needs none of the server."""
    mods = imported_modules(ROOT / "client.py")
    assert not [m for m in mods if m.split(".")[0] == "nnplay"], mods
    assert not {"torch", "fastapi", "sqlalchemy"} & {m.split(".")[0] for m in mods}
