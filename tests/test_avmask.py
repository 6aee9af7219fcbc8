"""Visual-prompt separation on a generated clip: the sound of what moves in the box ends up in the target.

The clip (3 s, 160x120, 30 fps, H.264 + AAC): a square in the left half jitters while a
harmonic 660 Hz tone sounds; a square in the right half drifts on its own all the time (a
distractor); a second, lower sound (220 Hz harmonics) plays on its own schedule with nothing on
screen; the background is noisy.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from samaudio_core.audio import Audio, load_audio
from samaudio_core.avmask import separate_masked
from samaudio_core.engines.base import SeparationResult
from samaudio_core.errors import PromptError
from samaudio_core.metrics import si_sdr, si_sdr_improvement
from samaudio_core.prompts import MaskPrompt, Prompt

SR, FPS, W, H, SECONDS = 16_000, 30, 160, 120, 3.0
TONE_SPANS = [(0.2, 0.7), (1.2, 1.5), (2.1, 2.6)]
OTHER_SPANS = [(0.5, 1.0), (1.6, 2.0), (2.4, 2.9)]
LEFT_BOX = (0.0, 0.0, 0.5, 1.0)
RIGHT_BOX = (0.5, 0.0, 1.0, 1.0)


def _bursts(spans, f0: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(SECONDS * SR)) / SR
    gate = np.zeros_like(t)
    for a, b in spans:
        gate[(t >= a) & (t < b)] = 1.0
    gate = np.convolve(gate, np.hanning(161) / np.hanning(161).sum(), mode="same")  # 10 ms ramps
    wave = sum(np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6)) / k for k in (1, 2, 3))
    return (0.2 * gate * wave).astype(np.float32)


def _active(spans, t: float) -> bool:
    return any(a <= t < b for a, b in spans)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """(video path, mixture, tone stem, other stem)."""
    rng = np.random.default_rng(1)
    tone = _bursts(TONE_SPANS, 660.0, 2)
    other = _bursts(OTHER_SPANS, 220.0, 3)
    mix = tone + other + 0.003 * rng.standard_normal(tone.size).astype(np.float32)
    path = tmp_path_factory.mktemp("av") / "clip.mp4"
    bg = rng.integers(60, 140, (H, W)).astype(np.float32)
    walk = np.cumsum(rng.normal(0, 2.0, (int(SECONDS * FPS), 2)), axis=0)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "18"}
        aus = out.add_stream("aac", rate=SR)
        aus.layout = "mono"
        for i in range(int(SECONDS * FPS)):
            img = bg + rng.normal(0, 3, bg.shape)
            # While the tone sounds the square shakes by 7 px in a random direction each frame.
            angle = rng.uniform(0, 2 * np.pi)
            dx, dy = (
                (round(7 * np.cos(angle)), round(7 * np.sin(angle)))
                if _active(TONE_SPANS, i / FPS)
                else (0, 0)
            )
            img[45 + dy : 75 + dy, 25 + dx : 55 + dx] = 235
            wx, wy = np.clip(walk[i], -20, 20).astype(int)
            img[45 + wy : 75 + wy, 110 + wx : 130 + wx] = 20
            frame = av.VideoFrame.from_ndarray(
                np.repeat(np.clip(img, 0, 255).astype(np.uint8)[:, :, None], 3, 2), "rgb24"
            )
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        for a in range(0, mix.size, 1024):
            fr = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(mix[None, a : a + 1024]), format="fltp", layout="mono"
            )
            fr.sample_rate, fr.pts = SR, a
            out.mux(aus.encode(fr))
        out.mux(aus.encode(None))
    return path, mix, tone, other


def _prompt(path: Path, **kwargs) -> Prompt:
    spans = kwargs.pop("spans", ())
    absent = kwargs.pop("absent", ())
    text = kwargs.pop("text", None)
    return Prompt(text=text, spans=spans, absent=absent, mask=MaskPrompt(str(path), **kwargs))


def test_sound_of_the_moving_object_goes_to_the_target(clip):
    path, mix, tone, other = clip
    audio = load_audio(path)  # the video's own sound track, as the CLI reads it
    n = min(audio.num_samples, mix.size)
    res = separate_masked(audio, _prompt(path, box=LEFT_BOX))
    assert isinstance(res, SeparationResult)
    assert res.target.shape == res.residual.shape == audio.samples.shape
    np.testing.assert_allclose(res.target + res.residual, audio.samples, atol=1e-4)
    target = res.target[0, :n]
    # The tone is recovered: a large SI-SDR improvement over the mixture ...
    assert si_sdr_improvement(target, tone[:n], audio.samples[0, :n]) > 8.0
    # ... the second sound mostly stays in the residual ...
    assert si_sdr(res.residual[0, :n], other[:n]) > 5.0
    # ... and the region's activity is reported as spans around the tone bursts.
    spans = res.info["visual_spans"]
    assert spans and all(any(a - 0.2 <= s and e <= b + 0.2 for a, b in TONE_SPANS) for s, e in spans)
    covered = sum(min(e, b) - max(s, a) for s, e in spans for a, b in TONE_SPANS if min(e, b) > max(s, a))
    assert covered > 0.7 * sum(b - a for a, b in TONE_SPANS)


def test_points_and_pixel_boxes_work_like_the_box(clip):
    path, mix, tone, _ = clip
    audio = Audio(mix, SR)
    for prompt in (_prompt(path, points=((40, 60),)), _prompt(path, box=(0, 0, 80, 120))):
        res = separate_masked(audio, prompt)
        assert si_sdr_improvement(res.target[0], tone, mix) > 8.0


def test_the_distractor_region_does_not_take_the_tone(clip):
    path, mix, tone, _ = clip
    audio = Audio(mix, SR)
    right = separate_masked(audio, _prompt(path, box=RIGHT_BOX)).target[0]
    left = separate_masked(audio, _prompt(path, box=LEFT_BOX)).target[0]

    # Tone energy captured: projection of each target onto the tone.
    def captured(x: np.ndarray) -> float:
        return float(np.dot(x, tone) / np.dot(tone, tone))

    assert captured(left) > 0.6
    assert captured(right) < 0.5 * captured(left)


def test_stereo_input_keeps_its_shape(clip):
    path, mix, tone, _ = clip
    stereo = Audio(np.stack([mix, 0.5 * mix]), SR)
    res = separate_masked(stereo, _prompt(path, box=LEFT_BOX))
    assert res.target.shape == (2, mix.size)
    assert si_sdr_improvement(res.target[1], 0.5 * tone, 0.5 * mix) > 8.0


def test_absent_span_removes_that_part_of_the_target(clip):
    path, mix, tone, _ = clip
    res = separate_masked(Audio(mix, SR), _prompt(path, box=LEFT_BOX, absent=((0.1, 0.8),)))
    first = slice(int(0.25 * SR), int(0.65 * SR))
    later = slice(int(1.25 * SR), int(1.45 * SR))
    energy = lambda x: float(np.mean(x**2))  # noqa: E731
    assert energy(res.target[0, first]) < 0.2 * energy(tone[first])
    assert energy(res.target[0, later]) > 0.4 * energy(tone[later])


class _SilentTextEngine:
    """Separates by text into silence, and records the prompts it got."""

    name = "silent-text"

    def __init__(self) -> None:
        self.prompts: list[Prompt] = []

    def separate(self, audio: Audio, prompt: Prompt, *, progress: bool = False) -> SeparationResult:
        self.prompts.append(prompt)
        zeros = np.zeros_like(audio.samples)
        return SeparationResult(zeros, audio.samples.copy(), audio.sample_rate, {})


def test_text_prompt_is_combined_through_the_engine(clip):
    path, mix, _, _ = clip
    engine = _SilentTextEngine()
    res = separate_masked(Audio(mix, SR), _prompt(path, box=LEFT_BOX, text="beeping"), engine=engine)
    # The engine saw the words without the mask (no recursion back into the visual path) ...
    assert [p.text for p in engine.prompts] == ["beeping"] and engine.prompts[0].mask is None
    # ... and a text separation that finds nothing vetoes the visual one.
    assert res.info["text_combined"] and float(np.abs(res.target).max()) < 1e-3


def test_audio_of_another_length_is_refused(clip):
    path, mix, _, _ = clip
    longer = Audio(np.concatenate([mix, mix]), SR)
    with pytest.raises(PromptError, match="lasts"):
        separate_masked(longer, _prompt(path, box=LEFT_BOX))
    with pytest.raises(PromptError, match="visual mask"):
        separate_masked(Audio(mix, SR), Prompt(text="tone"))


def test_top_level_separate_routes_masks_through_the_builtin_engine(clip):
    from samaudio_core.separate import separate

    path, mix, tone, _ = clip
    res = separate(Audio(mix, SR), mask=MaskPrompt(str(path), box=LEFT_BOX), engine="builtin")
    assert res.info["engine"] == "builtin" and res.info["visual_spans"]
    assert si_sdr_improvement(res.target[0], tone, mix) > 7.0


def test_a_still_region_gives_a_warning_and_a_quiet_target(clip):
    path, mix, tone, _ = clip
    with pytest.warns(UserWarning, match="hardly anything moves"):
        res = separate_masked(Audio(mix, SR), _prompt(path, box=(0.75, 0.0, 1.0, 0.3)))
    assert res.info["warnings"]
    moving = separate_masked(Audio(mix, SR), _prompt(path, box=LEFT_BOX))
    assert float(np.mean(res.target**2)) < 0.25 * float(np.mean(moving.target**2))


def test_cli_separates_a_box_and_remuxes_the_video(clip, tmp_path):
    from agent.cli import main

    path, mix, tone, _ = clip
    out = tmp_path / "left.mp4"
    residual = tmp_path / "rest.wav"
    box = ",".join(str(v) for v in LEFT_BOX)
    assert main(["separate", str(path), "--box", box, "-o", str(out), "--residual", str(residual)]) == 0
    with av.open(str(out)) as c:
        kinds = sorted(s.type for s in c.streams)
    assert kinds == ["audio", "video"]
    target = load_audio(out).samples[0]
    n = min(target.size, tone.size, load_audio(path).num_samples)
    assert si_sdr_improvement(target[:n], tone[:n], mix[:n]) > 6.0
    assert load_audio(residual).num_samples == load_audio(path).num_samples


def test_cli_refuses_a_video_output_without_a_video(tmp_path, capsys):
    from agent.cli import main
    from samaudio_core.audio import save_audio

    wav = save_audio(tmp_path / "a.wav", np.zeros((1, SR), np.float32) + 0.01, sample_rate=SR)
    assert main(["separate", str(wav), "--text", "hum", "-o", str(tmp_path / "x.mp4")]) == 2
    assert "needs a video input" in capsys.readouterr().err
    assert not (tmp_path / "x.mp4").exists()


def test_recipe_mask_field_runs_through_apply_on_a_video(clip, tmp_path):
    """The recipe's ``mask`` (no video named: the input video is used) isolates the box's sound."""
    import json

    from agent.cli import main

    path, mix, tone, _ = clip
    recipe = tmp_path / "r.json"
    step = {"op": "separate", "target": "the square", "action": "isolate", "mask": {"box": list(LEFT_BOX)}}
    recipe.write_text(json.dumps({"version": 1, "steps": [step, {"op": "export", "format": "wav"}]}))
    out = tmp_path / "out"
    assert main(["apply", str(recipe), str(path), "--out-dir", str(out), "--no-judge", "--no-progress"]) == 0
    (wav,) = out.glob("*.wav")
    target = load_audio(wav).samples[0]
    n = min(target.size, tone.size)
    assert si_sdr_improvement(target[:n], tone[:n], mix[:n]) > 6.0
