"""Video decoding, regions, region activity and re-muxing, on clips generated with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from samaudio_core.audio import Audio, load_audio
from samaudio_core.errors import AudioLoadError, AudioSaveError, PromptError
from samaudio_core.prompts import MaskPrompt
from samaudio_core.video import (
    analyse_video,
    box_weights,
    image_weights,
    point_weights,
    region_activity,
    region_weights,
    remux,
    video_duration,
)

W, H, FPS = 160, 120, 30


def write_video(
    path: Path, frames: list[np.ndarray], audio: np.ndarray | None = None, sr: int = 16_000
) -> Path:
    """Grey uint8 frames (H, W) -> H.264 video, with a mono AAC track when ``audio`` is given."""
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "18"}
        if audio is not None:
            aus = out.add_stream("aac", rate=sr)
            aus.layout = "mono"
        for img in frames:
            out.mux(
                vs.encode(av.VideoFrame.from_ndarray(np.repeat(img[:, :, None], 3, axis=2), format="rgb24"))
            )
        out.mux(vs.encode(None))
        if audio is not None:
            for a in range(0, len(audio), 1024):
                fr = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(audio[None, a : a + 1024], np.float32), format="fltp", layout="mono"
                )
                fr.sample_rate, fr.pts = sr, a
                out.mux(aus.encode(fr))
            out.mux(aus.encode(None))
    return path


def write_png(path: Path, img: np.ndarray) -> Path:
    with av.open(str(path), "w", format="image2") as out:
        s = out.add_stream("png", rate=1)
        s.width, s.height, s.pix_fmt = img.shape[1], img.shape[0], "gray"
        out.mux(s.encode(av.VideoFrame.from_ndarray(img, format="gray")))
        out.mux(s.encode(None))
    return path


def moving_square_frames(seconds: float = 2.0, flicker: bool = True, seed: int = 0) -> list[np.ndarray]:
    """A square jittering in the left half during the first second only, on a noisy flickering
    background; a static bright square in the right half."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(70, 130, (H, W)).astype(np.float32)
    frames = []
    for i in range(int(seconds * FPS)):
        img = bg * (1 + (0.08 * np.sin(i) if flicker else 0)) + rng.normal(0, 3, bg.shape)
        dx, dy = rng.integers(-8, 9, 2) if i < FPS else (0, 0)
        img[40 + dy : 70 + dy, 30 + dx : 60 + dx] = 230
        img[40:70, 110:140] = 220
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
    return frames


@pytest.fixture(scope="module")
def square_clip(tmp_path_factory) -> Path:
    return write_video(tmp_path_factory.mktemp("vid") / "square.mp4", moving_square_frames())


def test_analyse_reduces_size_and_rate(square_clip):
    vm = analyse_video(square_clip, width=80, fps=10)
    assert (vm.width, vm.height) == (W, H)
    assert vm.analysis_size == (80, 60)
    assert vm.grid == (30, 40)
    # 2 s at 10 fps: ~20 frames kept, so ~19 frame differences, timestamps inside the clip.
    assert 17 <= len(vm.times) <= 20
    assert 0 < vm.times[0] < vm.times[-1] < 2.0
    assert vm.duration == pytest.approx(2.0, abs=0.1)
    assert video_duration(square_clip) == pytest.approx(2.0, abs=0.1)


def test_activity_follows_motion_not_flicker(square_clip):
    vm = analyse_video(square_clip)
    moving = region_activity(vm, box_weights(vm, (0.1, 0.2, 0.45, 0.7)))
    static = region_activity(vm, box_weights(vm, (0.6, 0.2, 0.95, 0.7)))
    first, second = vm.times < 0.95, vm.times > 1.1
    # The jittering square is active in the first second and quiet after it stops.
    assert moving[first].mean() > 5 * max(moving[second].mean(), 0.05)
    # The static square sees only noise and global flicker, which the normalisation removes.
    assert static.mean() < 0.2 * moving[first].mean()


def test_fractions_and_pixels_name_the_same_box(square_clip):
    vm = analyse_video(square_clip)
    frac = box_weights(vm, (0.25, 0.25, 0.5, 0.75))
    pix = box_weights(vm, (40, 30, 80, 90))
    np.testing.assert_allclose(frac, pix)
    assert frac.sum() == pytest.approx(vm.grid[0] * vm.grid[1] * 0.25 * 0.5, rel=0.02)


def test_points_select_a_disc_around_each_click(square_clip):
    vm = analyse_video(square_clip)
    w = point_weights(vm, [(45, 55)])
    rows, cols = np.nonzero(w)
    assert w.sum() > 0
    # All selected cells lie near the click (cell centres in video pixels).
    cy = (rows + 0.5) * H / vm.grid[0]
    cx = (cols + 0.5) * W / vm.grid[1]
    assert np.max(np.hypot(cx - 45, cy - 55)) <= 0.12 * H + 1e-6


def test_mask_image_and_mask_video(tmp_path, square_clip):
    vm = analyse_video(square_clip)
    img = np.zeros((H, W), np.uint8)
    img[:, : W // 2] = 1  # non-zero = inside, even when it is 1 rather than 255
    w = image_weights(vm, write_png(tmp_path / "left.png", img))
    np.testing.assert_allclose(w, box_weights(vm, (0, 0, 0.5, 1)))
    # A mask video: the left half for the first second, the right half after.
    masks = []
    for i in range(2 * FPS):
        m = np.zeros((H, W), np.uint8)
        if i < FPS:
            m[:, : W // 2] = 255
        else:
            m[:, W // 2 :] = 255
        masks.append(m)
    per_frame = image_weights(vm, write_video(tmp_path / "masks.mp4", masks))
    assert per_frame.shape == (len(vm.times), *vm.grid)
    early, late = per_frame[vm.times < 0.8], per_frame[vm.times > 1.2]
    assert early[:, :, : vm.grid[1] // 2 - 1].min() == 1 and early[:, :, vm.grid[1] // 2 + 1 :].max() == 0
    assert late[:, :, vm.grid[1] // 2 + 1 :].min() == 1


@pytest.mark.parametrize(
    "mask, message",
    [
        (dict(box=(1.5, 0.2, 2.0, 0.8)), "outside"),
        (dict(box=(200, 10, 300, 50)), "outside"),
        (dict(box=(0.5, 0.2, 0.4, 0.8)), "must exceed"),
        (dict(box=(0.1, 0.2, 0.4)), "four numbers"),
        (dict(points=((500, 10),)), "outside"),
        (dict(), "needs a box"),
        (dict(box=(0, 0, 1, 1), points=((1, 1),)), "only one"),
    ],
)
def test_bad_regions_are_refused(square_clip, mask, message):
    vm = analyse_video(square_clip)
    with pytest.raises(PromptError, match=message):
        region_weights(vm, MaskPrompt(str(square_clip), **mask))


def test_empty_mask_image_is_refused(tmp_path, square_clip):
    vm = analyse_video(square_clip)
    with pytest.raises(PromptError, match="empty"):
        image_weights(vm, write_png(tmp_path / "empty.png", np.zeros((H, W), np.uint8)))
    with pytest.raises(PromptError, match="aspect"):
        image_weights(vm, write_png(tmp_path / "tall.png", np.full((200, 50), 255, np.uint8)))


def test_unreadable_videos_are_refused(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(PromptError, match="cannot read as a video"):
        analyse_video(junk)
    wav = tmp_path / "sound.wav"
    import soundfile as sf

    sf.write(wav, np.zeros(8000, np.float32), 8000)
    with pytest.raises(PromptError, match="no video stream"):
        analyse_video(wav)
    with pytest.raises(PromptError, match="no such"):
        analyse_video(tmp_path / "missing.mp4")


def test_video_without_audio_has_a_clear_error(square_clip):
    with pytest.raises(AudioLoadError, match="no audio track"):
        load_audio(square_clip)


@pytest.mark.parametrize("ext", [".mp4", ".webm", ".mkv", ".mov"])
def test_remux_writes_video_with_new_audio(tmp_path, square_clip, ext):
    sr = 16_000
    t = np.arange(2 * sr) / sr
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = remux(square_clip, Audio(tone, sr), tmp_path / f"out{ext}")
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == [f"out{ext}"]
    with av.open(str(out)) as c:
        kinds = sorted(s.type for s in c.streams)
    assert kinds == ["audio", "video"]
    back = load_audio(out, channels=1)  # at the file's own rate (Opus in WebM is 48 kHz)
    assert back.duration == pytest.approx(2.0, abs=0.1)
    # The tone survives the lossy codec: over one second (bins 1 Hz apart) the peak is at 440 Hz.
    spec = np.abs(np.fft.rfft(back.samples[0, : back.sample_rate]))
    assert abs(int(np.argmax(spec)) - 440) < 5
    assert analyse_video(out).times.size > 10  # the picture is still there


def test_remux_failure_leaves_nothing(tmp_path, square_clip):
    audio = Audio(np.zeros((1, 16000), np.float32), 16000)
    with pytest.raises(AudioSaveError, match="cannot write video"):
        remux(square_clip, audio, tmp_path / "out.avi")
    with pytest.raises(AudioSaveError, match="does not exist"):
        remux(square_clip, audio, tmp_path / "nowhere" / "out.mp4")
    with pytest.raises(PromptError):
        remux(tmp_path / "missing.mp4", audio, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []
