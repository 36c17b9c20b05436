"""``nnplay.client`` against a real ``nnplay serve`` (tests/serverproc.py) with an API token.

Oracles: the REST API's own answers (GET /metrics, the job record), the job's reported test accuracy
recomputed from the module ``job.model()`` returns, the stored spec, and the server's refusals.
"""

import asyncio
import json

import pytest
import torch

from nnplay.client import ApiError, AsyncClient, Client, Job, stream_url
from nnplay.data import load
from nnplay.spec.network import JobSpec
from tests.api.test_control import spiral_spec
from tests.conftest import job_spec
from tests.serverproc import ServerProcess

TOKEN = "client-test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("client-server"), NNPLAY_API_TOKEN=TOKEN,
                         NNPLAY_MAX_CONCURRENT_JOBS="2", NNPLAY_TORCH_THREADS="1").start()
    yield proc
    proc.stop()


@pytest.fixture
def api(server):
    with Client(server.url, token=TOKEN, timeout=120) as c:
        yield c


def test_watch_gives_every_message_once_in_order_and_metrics_match_the_api(api):
    job = api.train(job_spec(epochs=2), name="client watch")
    assert job.info["name"] == "client watch" and job.status in ("queued", "running")
    messages = []
    record = job.watch(messages.append)
    assert record["status"] == "completed" and job.status == "completed"
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    assert messages[-1]["type"] == "status" and messages[-1]["status"] == "completed"

    frame = job.metrics()
    streamed = [m for m in messages if m["type"] == "metrics"]
    assert len(frame) == len(streamed) and list(frame.columns[:4]) == ["seq", "step", "epoch", "scope"]
    assert frame["seq"].tolist() == [m["seq"] for m in streamed]
    assert frame["train_loss"].tolist() == [m["train_loss"] for m in streamed]
    epochs = frame[frame["scope"] == "epoch"]
    assert epochs["epoch"].tolist() == [1, 2]
    assert epochs["test_accuracy"].iloc[-1] == record["final"]["test_accuracy"]
    assert job.wait()["status"] == "completed"  # an ended job: wait returns at once


def test_model_reproduces_the_jobs_test_accuracy_and_downloads_match(api, tmp_path):
    job = api.train(job_spec(epochs=2))
    done = job.wait()
    assert done["status"] == "completed"
    net = job.model()
    assert isinstance(net, torch.nn.Module) and not net.training
    split = load(JobSpec.model_validate(done["spec"]).dataset)
    with torch.no_grad():
        accuracy = (net(split.x_test).argmax(1) == split.y_test).sum().item() / len(split.y_test)
    assert accuracy == pytest.approx(done["final"]["test_accuracy"], abs=1e-9)

    spec_path = job.download("spec", tmp_path / "job.json")
    assert json.loads(spec_path.read_text()) == done["spec"]
    weights = torch.load(job.download("model", tmp_path / "job.pt"), weights_only=True)
    for key, value in net.layers.state_dict().items():
        torch.testing.assert_close(weights["state_dict"][key], value, atol=0, rtol=0)
    assert "class Net" in job.download("code", tmp_path / "job.py").read_text()
    with pytest.raises(ValueError, match="kind must be one of"):
        job.fetch("weights")


def test_pause_step_change_resume_stop_through_the_client(api):
    # about 80,000 steps: still running when paused on any machine (300 epochs of batches of 10 ended first once)
    job = api.train(spiral_spec(epochs=500, batch_size=1, probe_every=200))
    seen = []
    for message in job.messages():  # follow the live stream until the job has trained a while
        seen.append(message)
        if message["type"] == "metrics" and message["step"] >= 20:
            break
    assert job.pause()["status"] == "paused"
    at = job.metrics()["step"].max()
    assert job.change(lr=0.5)["status"] == "paused"
    assert job.step()["status"] == "paused"
    last = job.metrics().iloc[-1]
    assert last["step"] == at + 1 and last["lr"] == 0.5
    assert job.resume()["status"] == "running"
    assert job.stop()["status"] == "stopped"
    assert job.refresh()["detail"].startswith("stopped at step")
    job.delete()
    with pytest.raises(ApiError) as err:
        job.refresh()
    assert err.value.status == 404


def test_progress_bar_shows_epochs_and_the_live_loss(api, capsys):
    job = api.train(job_spec(epochs=2), name="progress")
    assert job.watch()["status"] == "completed"
    err = capsys.readouterr().err
    assert "progress [completed]" in err and "2/2" in err and "loss=" in err and "test_acc=" in err


def test_refusals_name_the_problem(api, server):
    with pytest.raises(ApiError) as err:
        api.train(job_spec(layers=[{"type": "flatten"}, {"type": "linear", "out_features": -3}]))
    assert err.value.status == 422 and "out_features" in json.dumps(err.value.detail)
    with Client(server.url, token="wrong-token-123") as stranger:
        assert stranger.health()["status"] == "ok"  # open without a token
        with pytest.raises(ApiError) as err:
            stranger.jobs()
        assert err.value.status == 401
        job = api.train(job_spec(epochs=1))
        with pytest.raises(ApiError) as err:
            list(Job(stranger, job.info).messages())  # the stream refuses the wrong token too
        assert err.value.status == 1008
    with pytest.raises(ApiError) as err:
        list(Job(api, {**job.info, "id": "0" * 32}).messages())
    assert err.value.status == 4404 and "no job" in str(err.value.detail)
    assert job.wait()["status"] == "completed"


def test_async_twins_train_watch_and_load(server):
    async def scenario():
        async with AsyncClient(server.url, token=TOKEN, timeout=120) as api:
            job = await api.train(job_spec(epochs=1))
            seqs = []

            async def record(message):
                seqs.append(message["seq"])

            done = await job.watch(record)
            frame = await job.metrics()
            net = await job.model()
            return done, seqs, frame, net

    done, seqs, frame, net = asyncio.run(scenario())
    assert done["status"] == "completed" and seqs == list(range(1, len(seqs) + 1))
    assert frame[frame["scope"] == "epoch"]["test_accuracy"].iloc[-1] == done["final"]["test_accuracy"]
    assert isinstance(net, torch.nn.Module)


def test_stream_url_keeps_the_scheme_and_prefix():
    assert stream_url("http://h:1", "ab", 3) == "ws://h:1/api/jobs/ab/stream?after=3&batch=true"
    assert stream_url("https://h/nn/", "ab") == "wss://h/nn/api/jobs/ab/stream?after=0&batch=true"


def test_a_frame_is_an_array_of_messages_or_one_message():
    from nnplay.client import frame_messages

    assert frame_messages('[{"seq": 1}, {"seq": 2}]') == [{"seq": 1}, {"seq": 2}]
    assert frame_messages('{"seq": 3}') == [{"seq": 3}]  # a server that does not batch
