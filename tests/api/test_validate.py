"""POST /api/networks/validate: the summary table, warnings, and errors pointing at layer and field."""

from nnplay.spec import LAYER_TYPES
from nnplay.spec.data import BUILTIN_NAMES
from nnplay.spec.presets import PRESETS
from tests.conftest import LOGREG


def test_summary_of_lenet(client, lenet):
    r = client.post("/api/networks/validate", json={"dataset": {"name": "digits"}, "network": {"layers": lenet}})
    assert r.status_code == 200
    body = r.json()
    assert body["input_shape"] == [1, 8, 8] and body["output_shape"] == [10]
    assert body["layers"][0] == {"index": 0, "type": "conv2d", "output_shape": [6, 8, 8], "params": 60,
                                 "arithmetic": "padding 'same', stride 1: H, W kept (8×8)"}
    assert body["layers"][2]["arithmetic"] == "H, W: ⌊(8 + 2·0 − 2)/2⌋ + 1 = 4"
    assert body["layers"][6]["output_shape"] == [64] and body["layers"][6]["arithmetic"] is None
    assert body["total_params"] == sum(row["params"] for row in body["layers"]) == 19754
    assert body["warnings"] == []


def test_softmax_with_cross_entropy_warns(client):
    layers = LOGREG + [{"type": "softmax"}]
    r = client.post("/api/networks/validate", json={
        "dataset": {"name": "digits"}, "network": {"layers": layers}, "training": {"loss": "cross_entropy"}})
    assert r.status_code == 200 and "softmax is applied twice" in r.json()["warnings"][0]


def test_error_loc_points_at_layer_and_field(client, lenet):
    lenet[7]["in_features"] = 65
    r = client.post("/api/networks/validate", json={"dataset": {"name": "digits"}, "network": {"layers": lenet}})
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "network", "layers", 7, "in_features"]
    assert err["field"] == "network.layers[7].in_features"
    assert "(64,)" in err["msg"] and "65" in err["msg"]


def test_layer_catalogue_covers_every_type(client):
    catalogue = {row["type"]: row for row in client.get("/api/layers").json()}
    assert catalogue["conv2d"]["probe"] == "feature_maps" and catalogue["linear"]["probe"] == "neuron_maps"
    assert catalogue["flatten"]["probe"] is None
    assert "out_channels" in catalogue["conv2d"]["json_schema"]["properties"]
    assert set(catalogue) == set(LAYER_TYPES)
    assert catalogue["self_attention"]["probe"] == "attention" and catalogue["transformer_encoder"]["probe"] == "attention"
    assert {"num_heads", "causal", "embed_dim"} <= set(catalogue["self_attention"]["json_schema"]["properties"])


def test_datasets_and_presets(client):
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert datasets["digits"]["input_shape"] == [1, 8, 8] and datasets["digits"]["n_samples"] == 1797
    assert len(datasets["digits"]["classes"]) == 10 and "UCI" in datasets["digits"]["source"]
    assert set(datasets) == set(BUILTIN_NAMES)
    assert datasets["sine"]["task"] == "regression" and datasets["sine"]["classes"] == []
    presets = {p["id"] for p in client.get("/api/presets").json()}
    assert presets == {p["id"] for p in PRESETS} and {"logreg_digits", "mlp_digits", "lenet_digits", "mlp_spiral",
                                                      "linreg_plane", "mlp_sine"} <= presets
    assert datasets["shakespeare_words"]["kind"] == "corpus" and datasets["shakespeare_words"]["n_samples"] > 180_000
    for preset in client.get("/api/presets").json():
        spec = preset["spec"]
        r = client.post("/api/networks/validate", json={k: spec[k] for k in ("dataset", "network", "training")})
        assert r.status_code == 200, preset["id"]
