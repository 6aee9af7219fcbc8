"""Span-prompt NMF: both fits (contrast-split and plain supervised) find a tone from one span."""

import numpy as np
import pytest

from samaudio_core.builtin import dsp
from samaudio_core.builtin.span_nmf import SpanModel
from samaudio_core.metrics import si_sdr

SR = 16000


def _tone_in_noise():
    rng = np.random.default_rng(0)
    t = np.arange(8 * SR) / SR
    tone = np.zeros_like(t)
    for a, b in [(1, 2), (4, 5.5), (6.5, 7)]:
        on = (t >= a) & (t < b)
        tone[on] = 0.3 * np.sin(2 * np.pi * 880 * t[on]) * np.hanning(on.sum())
    mix = (tone + 0.1 * rng.standard_normal(t.size))[None].astype(np.float32)
    return mix, tone


@pytest.mark.parametrize("fit", [SpanModel.fit, SpanModel.fit_supervised])
def test_one_span_finds_the_tone_everywhere(fit):
    mix, tone = _tone_in_noise()
    cfg = dsp.StftConfig.for_rate(SR)
    model = fit(lambda a, b: mix[:, int(a * SR) : int(b * SR)], 8.0, cfg, [(1.2, 1.8)])
    spec = dsp.stft(mix, cfg)
    out = dsp.apply_mask(spec, model.mask(dsp.power(spec)), cfg, mix.shape[1])
    assert out.shape == mix.shape
    # The tone also sounds at 4-5.5 s and 6.5-7 s, outside the one marked span.
    assert si_sdr(out[0], tone) - si_sdr(mix[0], tone) > 8.0
    assert 0.0 <= model.contrast <= 1.0


def test_supervised_fit_refuses_spans_that_leave_no_background():
    mix, _ = _tone_in_noise()
    cfg = dsp.StftConfig.for_rate(SR)
    with pytest.raises(ValueError, match="background"):
        SpanModel.fit_supervised(lambda a, b: mix[:, int(a * SR) : int(b * SR)], 8.0, cfg, [(0.0, 8.0)])
