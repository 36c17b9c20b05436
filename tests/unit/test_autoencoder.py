"""The autoencoder on digits: reconstruction loss, streamed codes, and clustering against PCA."""

import pytest
import torch
from torch.nn import functional as F

from nnplay.probes.latent import bottleneck_index, kmeans_ari
from nnplay.protocol import encode
from nnplay.spec import JobSpec
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from nnplay.train.loop import objective


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # see tests/conftest.py


def test_reconstruction_loss_is_mse_against_the_input():
    x, out = torch.randn(4, 1, 8, 8), torch.randn(4, 64)
    assert torch.allclose(objective("mse", True, out, x, torch.zeros(4)), F.mse_loss(out, x.reshape(4, 64)))


def test_bottleneck_is_the_narrowest_layer_but_the_last():
    assert bottleneck_index([(64,), (32,), (32,), (2,), (32,), (64,)]) == 3
    assert bottleneck_index([(64,), (8,), (8,), (1,)]) == 1


def test_kmeans_ari_is_1_for_separated_classes_and_near_0_for_noise():
    labels = torch.arange(3).repeat_interleave(30).numpy()
    centres = torch.tensor([[0.0, 0], [10, 0], [0, 10]])
    codes = (centres[labels] + 0.1 * torch.randn(90, 2, generator=torch.Generator().manual_seed(0))).numpy()
    assert kmeans_ari(codes, labels, 3) == pytest.approx(1.0)
    noise = torch.randn(90, 2, generator=torch.Generator().manual_seed(1)).numpy()
    assert abs(kmeans_ari(noise, labels, 3)) < 0.1


def test_2d_autoencoder_clusters_digits_at_least_as_well_as_pca():
    """The preset's autoencoder, 20 epochs (seeded): k-means (k = 10) on its 2-D codes of the 360 test
    digits agrees with the labels (adjusted Rand index) at least as well as on PCA's 2-D projection."""
    spec = next(p["spec"] for p in PRESETS if p["id"] == "autoencoder_digits").model_copy(deep=True)
    spec.training.epochs, spec.training.probe_every = 20, 10_000
    events = []
    result = train(JobSpec.model_validate(spec.model_dump()), events.append)
    assert result.status == "completed"
    for e in events:
        encode("job", 1, e)
    codes = {e["method"]: e for e in events if e["type"] == "latent_codes" and e["step"] in (0, result.final["steps"])}
    pca, ae = codes["pca"]["ari"], codes["autoencoder"]["ari"]
    print(f"k-means ARI on digits (test set, 360): autoencoder 2-D {ae:.3f}, PCA 2-D {pca:.3f}")
    assert codes["autoencoder"]["width"] == 2 and len(codes["autoencoder"]["x"]) == 360
    assert ae >= pca > 0.2
    frames = [e for e in events if e["type"] == "reconstructions"]
    assert frames[-1]["originals"]["shape"] == [8, 8, 8] == frames[-1]["reconstructions"]["shape"]
    assert result.final["test_loss"] < 0.35 and result.final["test_accuracy"] is None
