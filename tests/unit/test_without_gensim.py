"""The server starts and runs word2vec without gensim (the run install has no test extra): the
Lee news corpus, read from gensim's test data, is then not listed, and naming it says why; the
analogy questions are nnplay's own copy."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter where gensim cannot be found, as on a server installed without extras.
SCRIPT = """
import importlib.util, json, sys
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name.split('.')[0] == 'gensim' else real(name, *a)
sys.modules['gensim'] = None  # and importing it fails
from fastapi.testclient import TestClient
from nnplay.api.app import create_app
from nnplay.settings import Settings
with TestClient(create_app(Settings(data_dir=sys.argv[1])), base_url="http://127.0.0.1") as client:
    names = [d['name'] for d in client.get('/api/datasets').json()]
    spec = {'dataset': {'name': 'lee_words'}, 'network': {'type': 'word2vec', 'model': 'skipgram'}}
    refused = client.post('/api/networks/validate', json=spec)
    spec['dataset']['name'] = 'milton_words'
    ok = client.post('/api/networks/validate', json=spec)
from nnplay.train.word2vec import analogy_questions
print(json.dumps({'names': names, 'refused': [refused.status_code, refused.json()], 'ok': ok.status_code,
                  'questions': len(analogy_questions())}))
"""


def test_server_runs_without_gensim_and_says_what_lee_words_needs(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT / "backend"), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert "lee_words" not in out["names"] and {"shakespeare_words", "milton_words"} <= set(out["names"])
    status, body = out["refused"]
    assert status == 422 and "gensim is not installed" in json.dumps(body)
    assert out["ok"] == 200
    assert out["questions"] == 19544  # the analogy questions are vendored: scored without gensim too
