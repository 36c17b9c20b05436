"""Protocol parity: the server's message types, probes and panels against the page's (protocol.js,
panels.js), read with Node. Adding a message type, a probe or a panel on one side alone fails here."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nnplay.probes.registry import NON_PROBE_MESSAGES, PROBE_REGISTRY
from nnplay.protocol import MESSAGE_TYPES

JS = Path(__file__).resolve().parents[2] / "frontend" / "js"
DUMP = """
const { MSG } = await import(process.argv[1] + '/protocol.js');
const { PANELS, NON_VISUAL } = await import(process.argv[1] + '/panels.js');
console.log(JSON.stringify({
  msg: Object.values(MSG),
  nonVisual: NON_VISUAL,
  panels: PANELS.map((p) => ({ name: p.name, messages: Object.keys(p.messages) })),
}));
"""


@pytest.fixture(scope="module")
def page() -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed for the tests (README)"
    out = subprocess.run([node, "--input-type=module", "-e", DUMP, str(JS)], capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def test_every_server_message_type_is_in_protocol_js_and_back(page):
    server = set(MESSAGE_TYPES)
    assert set(page["msg"]) == server


def test_every_probe_has_a_panel_with_the_same_messages(page):
    assert [p["name"] for p in page["panels"]] == [e.name for e in PROBE_REGISTRY]
    for js, entry in zip(page["panels"], PROBE_REGISTRY):
        assert set(js["messages"]) == set(entry.messages), entry.name


def test_non_visual_types_agree(page):
    assert set(page["nonVisual"]) == set(NON_PROBE_MESSAGES)
