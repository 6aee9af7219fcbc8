"""Inputs shorter than one analysis frame: every text kind returns stems of the input's shape."""

import warnings

import numpy as np
import pytest

from samaudio_core import separate
from samaudio_core.audio import Audio


@pytest.mark.parametrize("n", [1, 7, 441, 1500])
@pytest.mark.parametrize("text", ["dog barking", "speech", "wind", "mains hum", "guitar"])
def test_tiny_inputs_keep_their_shape_and_sum(n, text):
    rng = np.random.default_rng(n)
    x = (0.1 * rng.standard_normal((2, n))).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no mains hum found" and the like are fine here
        res = separate(Audio(x, 44100), text=text, engine="builtin")
    assert res.target.shape == x.shape and res.residual.shape == x.shape
    assert np.all(np.isfinite(res.target))
    np.testing.assert_allclose(res.target + res.residual, x, atol=1e-6)

