"""The SAM Audio adapter (engine ``sam-audio``, judge ``sam-audio-judge``) without SAM Audio.

The package is not installed on these machines, so the adapter's own logic is checked
against a stand-in with SAM Audio's documented interface (``SAMAudio.from_pretrained``,
``SAMAudioProcessor`` called with audios/descriptions/anchors/masked_videos, ``mask_videos``,
``model.separate(batch, predict_spans=..., reranking_candidates=...)`` returning lists of
48 kHz mono tensors padded to 1920-sample hops). The stand-in separates physically (target
= the content below 1 kHz) and, like the real model, invents a faint hiss where the target is
absent, so the tests can tell silence from invented audio. A last test runs the real model
and skips cleanly unless the package, weights and a GPU are present.
"""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from samaudio_core import load_engine, separate
from samaudio_core.audio import Audio
from samaudio_core.engines import engine_status
from samaudio_core.engines import sam_audio as sa
from samaudio_core.engines import sam_chunking as sc
from samaudio_core.errors import EngineUnavailableError, PromptError
from samaudio_core.metrics import si_sdr
from samaudio_core.prompts import MaskPrompt, Prompt

HOP = 1920
CUTOFF = 1000.0  # Hz: the stand-in's idea of "the target"


# --- a stand-in with SAM Audio's interface ----------------------------------------------------


def _lowpass(x: np.ndarray, sr: int = 48_000) -> np.ndarray:
    spec = np.fft.rfft(x)
    spec[np.fft.rfftfreq(len(x), 1 / sr) > CUTOFF] = 0
    return np.fft.irfft(spec, len(x)).astype(np.float32)


class FakeBatch:
    def __init__(self, audios, descriptions, anchors, masked_video):
        self.audios = audios  # (B, 1, n) at 48 kHz, like SAM's batch_audio
        self.descriptions = descriptions
        self.anchors = anchors
        self.masked_video = masked_video
        self.audio_pad_mask = torch.ones(audios.shape[0], -(-audios.shape[-1] // HOP), dtype=torch.bool)

    def to(self, device):
        return self

    def process_anchors(self, anchors):
        self.anchors = anchors


class FakeProcessor:
    audio_sampling_rate = 48_000

    @classmethod
    def from_pretrained(cls, path):
        return cls()

    def __call__(self, descriptions, audios, anchors=None, masked_videos=None):
        wavs = [a.mean(0) for a in audios]  # SAM mixes tensor inputs down to mono
        batch = FakeBatch(torch.stack(wavs)[:, None], descriptions, anchors, masked_videos)
        FakeModel.last.batches.append(batch)
        return batch

    def mask_videos(self, videos, masks):
        return [v * m.eq(0) for v, m in zip(videos, masks)]  # SAM's helper, polarity as shipped


class FakeModel:
    """Target = content below 1 kHz plus a faint invented hiss; padded with loud noise to hops."""

    last: FakeModel
    max_samples: int | None = None  # longer inputs raise CUDA out-of-memory
    gain_by_seed = False  # candidate quality depends on the seed (for reranking)

    def __init__(self, path, kwargs):
        self.path, self.load_kwargs = path, kwargs
        with open(os.path.join(path, "config.json")) as f:
            self.config = json.load(f)  # read at load, as SAM's loader does
        self.batches: list[FakeBatch] = []
        self.calls: list[dict] = []
        self.vision_encoder = SimpleNamespace(dim=8)
        if kwargs.get("span_predictor", "pe-a-frame-large") is not None:
            self.span_predictor = object()
        FakeModel.last = self

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        return cls(path, kwargs)

    def eval(self):
        return self

    def to(self, device):
        self.device = device
        return self

    def _get_audio_features(self, audios):
        return audios

    def predict_spans(self, batch, audio_features, audio_pad_mask):
        x = _lowpass(audio_features[0, 0].numpy())
        frames = x[: len(x) // HOP * HOP].reshape(-1, HOP)
        active = np.sqrt((frames**2).mean(1)) > 0.01
        spans, start = [], None
        for i, a in enumerate(np.append(active, False)):
            if a and start is None:
                start = i
            elif not a and start is not None:
                spans.append(["+", start * HOP / 48_000, i * HOP / 48_000])
                start = None
        batch.process_anchors([spans])
        return batch

    def separate(self, batch, predict_spans=False, reranking_candidates=1):
        x = batch.audios[0, 0].numpy()
        self.calls.append({"n": len(x), "predict_spans": predict_spans, "k": reranking_candidates})
        if self.max_samples and len(x) > self.max_samples:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        gen = torch.Generator().manual_seed(int(torch.randint(0, 2**31, (1,))))
        hiss = 0.003 * torch.randn(len(x), generator=gen).numpy()
        target = _lowpass(x) + hiss
        if self.gain_by_seed:
            target = target * (0.5 + float(torch.rand(1)))
        pad = -len(x) % HOP + HOP  # padded past the input, like SAM's hop rounding (and more)
        junk = 0.5 * np.ones(pad, np.float32)
        t = torch.from_numpy(np.concatenate([target, junk]).astype(np.float32))
        r = torch.from_numpy(np.concatenate([x - target, junk]).astype(np.float32))
        return SimpleNamespace(target=[t], residual=[r], noise=None)


API = SimpleNamespace(SAMAudio=FakeModel, SAMAudioProcessor=FakeProcessor)


@pytest.fixture
def weights(tmp_path, monkeypatch):
    """A weights folder as SAM's loader wants it; its text encoder and span predictor are
    local folders, so the offline preflight finds nothing to download."""
    folder = tmp_path / "sam-audio-tiny"
    (folder / "t5").mkdir(parents=True)
    (folder / "pe-a-frame").mkdir()
    config = {"text_encoder": {"name": str(folder / "t5")}, "span_predictor": str(folder / "pe-a-frame")}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "checkpoint.pt").write_bytes(b"")
    monkeypatch.setenv(sa.MODEL_ENV, str(folder))
    monkeypatch.setattr(FakeModel, "max_samples", None)
    monkeypatch.setattr(FakeModel, "gain_by_seed", False)
    return folder


def engine(**options) -> sa.SamAudioEngine:
    # No automatic span detector unless a test brings one: the built-in one is another module's.
    options.setdefault("span_detector", lambda audio, text: None)
    return sa.SamAudioEngine(device="cpu", api=API, **options)


def tone(freq: float, seconds: float, sr: int, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


# --- availability ---------------------------------------------------------------------------


@pytest.mark.skipif(sa.package_reason() is None, reason="sam_audio is installed here")
def test_without_the_package_engines_say_why_and_auto_falls_back(monkeypatch):
    monkeypatch.delenv(sa.MODEL_ENV, raising=False)
    row = next(r for r in engine_status() if r["name"] == "sam-audio")
    assert not row["usable"] and "sam_audio not installed" in row["reason"]
    with pytest.raises(EngineUnavailableError, match="not installed"):
        load_engine("sam-audio")
    assert load_engine("auto").name != "sam-audio"
    from samaudio_core import judge_sam

    assert "not installed" in judge_sam.status() and not judge_sam.judge_row()["usable"]


def test_status_names_the_missing_piece(tmp_path, monkeypatch):
    monkeypatch.setattr(sa, "package_reason", lambda: None)
    monkeypatch.delenv(sa.MODEL_ENV, raising=False)
    monkeypatch.delenv(sa.DEVICE_ENV, raising=False)
    assert sa.MODEL_ENV in sa.check()
    assert load_engine("auto").name != "sam-audio"  # no weights: auto falls back
    monkeypatch.setenv(sa.MODEL_ENV, str(tmp_path))
    assert "checkpoint.pt" in sa.check() and "config.json" in sa.check()
    monkeypatch.setenv(sa.MODEL_ENV, str(tmp_path / "nowhere" / "deeper" / "x"))
    assert "no such folder" in sa.check()
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "checkpoint.pt").write_bytes(b"")
    monkeypatch.setenv(sa.MODEL_ENV, str(tmp_path))
    if not torch.cuda.is_available():
        assert "no CUDA GPU" in sa.check()
    monkeypatch.setenv(sa.DEVICE_ENV, "cpu")
    assert sa.check() is None
    monkeypatch.setenv(sa.MODEL_ENV, "facebook/sam-audio-small")  # a hub id: accepted, not contacted
    assert sa.check() is None
    # The judge also needs its tokenizer files.
    assert "tokenizer" in sa.weights_reason(str(tmp_path), "J", tokenizer=True)


def test_missing_hub_dependency_is_an_error_with_the_fix(weights):
    cfg = {"text_encoder": {"name": "samaudio-test/no-such-text-encoder"}}
    (weights / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(EngineUnavailableError, match=f"no-such-text-encoder.*{sa.DOWNLOAD_ENV}"):
        engine().separate(Audio(tone(200, 1, 16000), 16000), Prompt(text="hum"))
    # The span predictor is named with the revision perception_models fetches.
    assert sa.missing_hub_dependencies({"text_encoder": {"name": str(weights)}}, True, False) == [
        "facebook/pe-a-frame-large --revision perception_models"
    ]
    # Allowed downloads go on to the loader.
    res = engine(allow_download=True).separate(Audio(tone(200, 1, 16000), 16000), Prompt(text="hum"))
    assert res.target.shape == (1, 16000)


def test_options_from_the_environment_and_unknown_ones(weights, monkeypatch):
    with pytest.raises(ValueError, match="reranking_candidates"):
        sa.SamAudioEngine(api=API, candidats=3)
    monkeypatch.setenv(
        sa.OPTIONS_ENV, "predict-spans=yes, reranking_candidates=4,chunk_seconds=12.5,seed=none"
    )
    opts = sa.SamAudioEngine(api=API, chunk_seconds=20).options
    assert opts.predict_spans is True and opts.reranking_candidates == 4 and opts.seed is None
    assert opts.chunk_seconds == 20  # explicit options win
    monkeypatch.setenv(sa.OPTIONS_ENV, "turbo=1")
    with pytest.raises(ValueError, match="turbo"):
        sa.SamAudioEngine(api=API)


def test_loader_clash_with_new_huggingface_hub_is_worked_around():
    class OldLoader:
        """SAM Audio's loader under huggingface_hub >= 1.0: the public entry point fails."""

        @classmethod
        def from_pretrained(cls, path, **kwargs):
            raise TypeError(
                "_from_pretrained() missing 2 required keyword-only arguments: 'proxies' and 'resume_download'"
            )

        @classmethod
        def _from_pretrained(
            cls,
            *,
            model_id,
            cache_dir,
            force_download,
            proxies,
            resume_download,
            local_files_only,
            token,
            **kw,
        ):
            return ("loaded", model_id, kw)

    assert sa.load_pretrained(OldLoader, "/w", span_predictor=None) == (
        "loaded",
        "/w",
        {"span_predictor": None},
    )

    class Broken:
        @classmethod
        def from_pretrained(cls, path, **kwargs):
            raise TypeError("something else")

    with pytest.raises(TypeError, match="something else"):
        sa.load_pretrained(Broken, "/w")


# --- rates, lengths, lean loading -----------------------------------------------------------


def test_mono_at_any_rate_is_resampled_trimmed_and_loaded_lean(weights):
    sr = 22_050
    low, high = tone(200, 2.3, sr), tone(3000, 2.3, sr)
    res = engine().separate(Audio(low + high, sr), Prompt(text="  Low Hum. "))
    assert res.target.shape == res.residual.shape == (1, len(low)) and res.sample_rate == sr
    assert si_sdr(res.target[0], low) > 20 and si_sdr(res.residual[0], high) > 20
    assert np.abs(res.target[0, -200:]).max() < 0.35  # the 0.5 hop padding was trimmed away
    model = FakeModel.last
    assert model.load_kwargs == {"text_ranker": None, "visual_ranker": None, "span_predictor": None}
    assert isinstance(model.vision_encoder, sa._NoVision)  # dropped: no visual prompt
    batch = model.batches[0]
    assert batch.descriptions == ["low hum"] and batch.anchors is None
    assert abs(batch.audios.shape[-1] - len(low) * 48_000 / sr) <= 1  # 48 kHz in
    # The loader got a config it can be lean with (the folder's config lacked those keys).
    assert model.path != str(weights) and model.config["span_predictor"] is None
    assert model.config["text_ranker"] is None and not os.path.exists(model.path)  # overlay cleaned up


def test_stereo_mid_mask_keeps_each_channel_and_reconstructs(weights):
    sr = 16_000
    left, right = tone(250, 2, sr), tone(2500, 2, sr)
    x = np.stack([left, right])
    res = engine().separate(Audio(x, sr), Prompt(text="hum"))
    assert len(FakeModel.last.calls) == 1  # one pass on the mid
    assert np.allclose(res.target + res.residual, x, atol=1e-5)
    assert si_sdr(res.target[0], left) > 15
    assert rms(res.target[1]) < 0.05 * rms(right)  # the high tone stays in the residual
    per = engine(stereo="per-channel").separate(Audio(x, sr), Prompt(text="hum"))
    assert len(FakeModel.last.calls) == 2 and per.target.shape == x.shape
    assert si_sdr(per.target[0], left) > 15 and rms(per.target[1]) < 0.05 * rms(right)


# --- chunks and crossfades ------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, chunk, overlap", [(10, 960_000, 96_000), (3_120_000, 480_000, 48_000), (500_001, 96_000, 9_600)]
)
def test_chunk_plan_covers_hop_aligned_and_blends_to_one(n, chunk, overlap):
    plan = sc.plan_chunks(n, chunk, overlap)
    assert plan[0].start == 0 and plan[-1].end == n
    assert all(c.start % HOP == 0 and c.length <= chunk for c in plan)
    assert all(b.start <= a.end - min(overlap, chunk // 2) + HOP for a, b in zip(plan, plan[1:]))
    ones = sc.stitch([np.ones(c.length) for c in plan], plan, n)
    assert np.allclose(ones, 1.0, atol=1e-6)


def test_long_file_is_chunked_and_stitched_without_steps(weights):
    sr = 8000
    seconds = 65
    x = tone(150, seconds, sr, amp=0.2) + tone(330, seconds, sr, amp=0.1)
    FakeModel.gain_by_seed = True  # every chunk gets another gain: a worst case of drift
    torch.manual_seed(1)
    res = engine(chunk_seconds=10, overlap_seconds=1, seed=None).separate(Audio(x, sr), Prompt(text="hum"))
    calls = FakeModel.last.calls
    assert len(calls) == res.info["chunks"] >= 7 and max(c["n"] for c in calls) <= 10 * 48_000
    assert res.target.shape == (1, len(x))
    # The gain envelope (target / input over 50 ms blocks) moves smoothly across chunk edges.
    blocks = res.target[0, : len(x) // 400 * 400].reshape(-1, 400)
    ref = x[: len(x) // 400 * 400].reshape(-1, 400)
    envelope = np.sqrt((blocks**2).mean(1) / (ref**2).mean(1))
    assert np.abs(np.diff(envelope)).max() < 0.1
    assert envelope.max() - envelope.min() > 0.2  # the chunks did differ


def test_out_of_memory_halves_the_chunk_then_explains(weights):
    FakeModel.max_samples = 6 * 48_000
    x = tone(200, 12, 8000)
    with pytest.warns(UserWarning, match="out of memory"):
        res = engine(chunk_seconds=20).separate(Audio(x, 8000), Prompt(text="hum"))
    assert res.info["oom_retries"] == 2 and res.info["chunk_seconds"] == 5
    assert si_sdr(res.target[0], x) > 15
    FakeModel.max_samples = 48_000
    with pytest.raises(EngineUnavailableError, match="memory.*sam-audio-small"):
        with pytest.warns(UserWarning):
            engine(chunk_seconds=20).separate(Audio(x, 8000), Prompt(text="hum"))


# --- anchors and silence --------------------------------------------------------------------


def test_anchors_are_built_per_chunk():
    assert sc.build_anchors([(12, 13)], [(25, 27)]) == [["+", 12.0, 13.0], ["-", 25.0, 27.0]]
    assert sc.build_anchors([(12, 13), (19, 22)], [(25, 27)], 10, 20) == [["+", 2.0, 3.0], ["+", 9.0, 10.0]]
    assert sc.build_anchors([(1, 2)], [], 10, 20) == []


def test_spans_reach_the_model_and_absent_spans_come_back_silent(weights):
    sr = 16_000
    x = tone(200, 4, sr) + tone(3000, 4, sr, amp=0.1)
    res = engine().separate(Audio(x, sr), Prompt(text="hum", spans=((0.5, 1.5),), absent=((2.0, 3.0),)))
    assert FakeModel.last.batches[0].anchors == [[["+", 0.5, 1.5], ["-", 2.0, 3.0]]]
    inside = slice(int(2.05 * sr), int(2.95 * sr))
    assert np.abs(res.target[0, inside]).max() == 0.0  # silence, not the model's hiss
    assert np.allclose(res.residual[0, inside], x[inside], atol=1e-6)
    assert rms(res.target[0, :sr]) > 0.1  # elsewhere the target is there


def test_chunks_without_the_target_are_silent_not_invented(weights):
    sr = 8000
    x = np.concatenate([tone(200, 10, sr), np.zeros(20 * sr, np.float32)]) + tone(3000, 30, sr, amp=0.05)
    quiet = slice(int(21 * sr), int(29 * sr))
    opts = {"chunk_seconds": 10, "overlap_seconds": 0}
    # SAM's own span predictor (run by us, so the spans surely reach the model).
    res = engine(predict_spans=True, **opts).separate(Audio(x, sr), Prompt(text="hum"))
    assert "span_predictor" not in FakeModel.last.load_kwargs
    assert res.info["silent_chunks"] and np.abs(res.target[0, quiet]).max() == 0.0
    assert rms(res.target[0, : 9 * sr]) > 0.15
    assert FakeModel.last.batches[0].anchors[0][0][0] == "+"
    # Without gating the model's invented hiss is what comes back there.
    raw = engine(gate="none", **opts).separate(Audio(x, sr), Prompt(text="hum"))
    assert rms(raw.target[0, quiet]) > 1e-3
    # An automatic span detector: chunks with no activity are not even sent to the model.
    det = engine(span_detector=lambda audio, text: [(0.0, 9.0)], **opts)
    res = det.separate(Audio(x, sr), Prompt(text="hum"))
    assert len(FakeModel.last.calls) == 1 and np.abs(res.target[0, quiet]).max() == 0.0
    # ... unless the user said the target is there.
    det.separate(Audio(x, sr), Prompt(text="hum", spans=((22.0, 23.0),)))
    assert len(FakeModel.last.calls) == 1 + 2
    # A detector that hears the target nowhere silences nothing (gate="auto"), all (gate="spans").
    deaf = {"span_detector": lambda audio, text: [], **opts}
    assert rms(engine(**deaf).separate(Audio(x, sr), Prompt(text="hum")).target) > 0.05
    assert np.abs(engine(gate="spans", **deaf).separate(Audio(x, sr), Prompt(text="hum")).target).max() == 0


class StubJudge:
    """Overall score = 1 + 4 x (share of the candidate's energy below 1 kHz) x loudness."""

    def __init__(self):
        self.calls = 0

    def score_48k(self, mixture, candidates, text):
        self.calls += 1
        out = []
        for c in candidates:
            level = min(1.0, rms(c) / 0.05)
            out.append({"overall": 1 + 4 * level * rms(_lowpass(c)) / max(rms(c), 1e-9)})
        return out


def test_judge_gate_and_lean_reranking(weights):
    sr = 8000
    x = np.concatenate([tone(200, 10, sr), np.zeros(10 * sr, np.float32)])
    judge = StubJudge()
    eng = engine(gate="judge", chunk_seconds=10, overlap_seconds=0, judge=judge)
    res = eng.separate(Audio(x, sr), Prompt(text="hum"))
    assert np.abs(res.target[0, 11 * sr :]).max() == 0.0 and rms(res.target[0, : 9 * sr]) > 0.15
    assert any("judge overall" in c[2] for c in res.info["silent_chunks"])
    # Reranking without SAM's rankers: k draws, the judge keeps the loudest clean one.
    FakeModel.gain_by_seed = True
    eng = engine(judge=StubJudge(), reranking_candidates=3)
    res = eng.separate(Audio(tone(200, 2, sr, amp=0.02), sr), Prompt(text="hum"))
    calls = FakeModel.last.calls
    assert len(calls) == 3 and all(c["k"] == 1 for c in calls)
    scores = res.info["candidate_scores"][0]
    assert len(scores) == 3 and len(set(scores)) == 3
    # Per call override, and the checkpoint's own rankers when asked for.
    engine(rankers=True).separate(Audio(x[:sr], sr), Prompt(text="hum"), candidates=4)
    assert FakeModel.last.calls[-1]["k"] == 4 and "text_ranker" not in FakeModel.last.load_kwargs


# --- visual prompts -------------------------------------------------------------------------


def _white_video(path, frames=10, w=64, h=48):
    import av

    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        for _ in range(frames):
            img = np.full((h, w, 3), 255, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


@pytest.mark.parametrize("polarity", ["processor", "paper"])
def test_box_prompt_becomes_frames_and_masks(weights, tmp_path, polarity):
    video = tmp_path / "clip.mp4"
    _white_video(video)
    mask = MaskPrompt(str(video), box=(0.5, 0.0, 1.0, 1.0))  # the right half
    res = engine(mask_polarity=polarity).separate(Audio(tone(200, 0.4, 16000), 16000), Prompt(mask=mask))
    model = FakeModel.last
    assert not isinstance(model.vision_encoder, sa._NoVision)  # kept for a visual prompt
    (frames,) = model.batches[0].masked_video
    assert frames.shape == (10, 3, 48, 64)
    left, right = frames[..., :30].float().mean(), frames[..., 34:].float().mean()
    if polarity == "processor":  # SAM's helper blacks out the object (issue #75)
        assert right == 0 and left > 200
    else:  # the paper's video * mask: only the object is left
        assert left == 0 and right > 200
    assert model.batches[0].descriptions == [""] and res.target.shape == (1, 6400)


def test_points_and_mask_image_regions(tmp_path):
    m = sc.object_masks(MaskPrompt("v.mp4", points=((0.25, 0.5),)), 3, 48, 64)
    assert m.shape == (3, 1, 48, 64) and m[0, 0, 24, 16] and not m[0, 0, 24, 50]
    box = sc.object_masks(MaskPrompt("v.mp4", box=(10, 5, 20, 15)), 1, 48, 64)  # pixels
    assert box[0, 0].sum() == 100
    with pytest.raises(PromptError, match="exactly one"):
        sc.object_masks(MaskPrompt("v.mp4"), 1, 48, 64)
    with pytest.raises(PromptError, match="cannot read"):
        sc.read_video(str(tmp_path / "missing.mp4"))


# --- the judge adapter ----------------------------------------------------------------------


class FakeJudgeProcessor:
    seen: dict = {}

    @classmethod
    def from_pretrained(cls, path):
        return cls()

    def __call__(self, text, input_audio, separated_audio, sampling_rate):
        FakeJudgeProcessor.seen = {
            "text": text,
            "mix": input_audio,
            "sep": separated_audio,
            "sr": sampling_rate,
        }
        return SimpleNamespace(to=lambda device: {"mix": input_audio, "sep": separated_audio})


class FakeJudgeModel:
    """Overall = 1 + 4 x the fraction of the mixture's energy that the separated output holds."""

    @classmethod
    def from_pretrained(cls, path):
        return cls()

    def eval(self):
        return self

    def to(self, device):
        return self

    def __call__(self, mix, sep):
        vals = torch.tensor(
            [[1 + 4 * min(1.0, float((s**2).sum() / (m**2).sum()))] for m, s in zip(mix, sep)]
        )
        return SimpleNamespace(overall=vals, recall=vals, precision=vals, faithfulness=vals)


def test_judge_adapter_feeds_48k_mono_and_returns_scores(tmp_path):
    from samaudio_core import judge_sam

    folder = tmp_path / "judge"
    folder.mkdir()
    for f in ("config.json", "checkpoint.pt", "tokenizer.json"):
        (folder / f).write_text("{}")
    api = SimpleNamespace(SAMAudioJudgeModel=FakeJudgeModel, SAMAudioJudgeProcessor=FakeJudgeProcessor)
    judge = judge_sam.SamAudioJudge(model=str(folder), device="cpu", api=api)
    sr = 44_100
    mix = np.stack([tone(200, 1, sr), tone(200, 1, sr)])
    good = judge.score(mix, mix * 0.9, "Dog Barking.", sample_rate=sr)
    bad = judge.score(mix, mix * 0.1, "dog barking", sample_rate=sr)
    seen = FakeJudgeProcessor.seen
    assert seen["text"] == ["dog barking"] and seen["sr"] == 48_000
    assert seen["mix"][0].shape == seen["sep"][0].shape == (1, 48_000)
    overall = lambda s: s["overall"] if isinstance(s, dict) else s.overall  # noqa: E731
    assert overall(good) > 4 > 1.2 > overall(bad) >= 1
    with pytest.raises(PromptError):
        judge.score(mix, mix, "", sample_rate=sr)
    missing = judge_sam.SamAudioJudge(model=str(tmp_path / "none"), api=api)
    with pytest.raises(EngineUnavailableError, match="no such folder"):
        missing.score(mix, mix, "dog", sample_rate=sr)


# --- the real model, where it exists --------------------------------------------------------


def _tiny_sam_audio(folder) -> None:
    """A randomly initialised SAM Audio checkpoint folder, small enough for a CPU: a 1-layer
    T5 with a word-level tokenizer, a 1-layer DiT, a narrow codec encoder (the decoder keeps
    its released width, which its watermark branch needs) and the smallest PE vision encoder."""
    from sam_audio import SAMAudio
    from sam_audio.model.config import SAMAudioConfig
    from tokenizers import Tokenizer, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

    t5 = folder / "t5-tiny"
    words = ["<pad>", "</s>", "<unk>", "low", "hum"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])  # as T5 does
    PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    ).save_pretrained(t5)
    T5EncoderModel(
        T5Config(vocab_size=len(words), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2)
    ).save_pretrained(t5)
    cd = 8
    cfg = {
        "in_channels": 6 * cd,
        "audio_codec": {
            "encoder_dim": 8,
            "latent_dim": 32,
            "n_codebooks": 2,
            "codebook_size": 16,
            "codebook_dim": cd,
        },
        "text_encoder": {"name": str(t5), "dim": 32},
        "vision_encoder": {"name": "PE-Core-T16-384", "dim": 512, "image_size": 384},
        "transformer": {
            "dim": 32,
            "n_heads": 2,
            "n_layers": 1,
            "out_channels": 2 * cd,
            "context_dim": 32,
            "frequency_embedding_dim": 32,
            "multiple_of": 16,
        },
        "anchor_embedding_dim": 8,
    }  # no span_predictor / ranker keys: the adapter must keep the loader lean anyway
    model = SAMAudio(SAMAudioConfig(**json.loads(json.dumps({**cfg, "span_predictor": None}))))
    (folder / "config.json").write_text(json.dumps(cfg))
    torch.save(model.state_dict(), folder / "checkpoint.pt")


@pytest.mark.slow
def test_real_sam_audio_code_with_a_tiny_random_checkpoint(tmp_path, monkeypatch):
    pytest.importorskip("sam_audio", reason="the sam_audio package is not installed")
    _tiny_sam_audio(tmp_path)
    monkeypatch.setenv(sa.MODEL_ENV, str(tmp_path))
    monkeypatch.setenv(sa.DEVICE_ENV, "cpu")
    assert sa.check() is None
    sr = 16_000
    x = np.stack([tone(220, 1.0, sr), tone(330, 1.0, sr)])
    eng = load_engine("sam-audio", chunk_seconds=0.6, overlap_seconds=0.1)
    res = eng.separate(Audio(x, sr), Prompt(text="Low hum.", spans=((0.1, 0.3),), absent=((0.6, 0.9),)))
    assert res.target.shape == res.residual.shape == x.shape and np.isfinite(res.target).all()
    assert np.allclose(res.target + res.residual, x, atol=1e-5)  # mid-mask keeps reconstruction
    assert np.abs(res.target[:, int(0.63 * sr) : int(0.87 * sr)]).max() == 0.0
    assert res.info["chunks"] == 2 and eng._model.text_ranker is None
    assert isinstance(eng._model.vision_encoder, sa._NoVision) and not hasattr(eng._model, "span_predictor")


@pytest.mark.requires_gpu
@pytest.mark.skipif(sa.check() is not None, reason=f"sam-audio not usable here: {sa.check()}")
def test_real_sam_audio_separates_a_synthetic_mix():
    sr = 16_000
    x = tone(220, 3, sr) + 0.05 * np.random.default_rng(0).standard_normal(3 * sr).astype(np.float32)
    res = separate(x[None], sample_rate=sr, text="humming tone", engine="sam-audio")
    assert res.target.shape == res.residual.shape == (1, len(x))
    assert np.isfinite(res.target).all() and rms(res.target) > 0
