"""Train the mask network (samaudio_core.masknet) that refines the built-in engine's masks.

Two stages, both resumable:

``--build N`` renders N training mixtures from the corpus's "train" packages and a fixed
validation set from its "val" packages (data/corpus/, built by build_corpus.py; the dev set's
packages and the held-out packages are in neither). Each mixture is 8 s at 16 kHz: a target
of one label (labels drawn uniformly, so rare classes count as much as speech; short clips as
1-6 events, long ones as a stretch, sometimes gated on and off) over 1-3 interferers of other
categories and, half the time, a music bed, at a target-to-rest SNR in [-5, +10] dB — the dev
set's recipe. A noise-like target never gets noise-like interferers. Every source is augmented
(gain, a smooth random EQ, band-limiting, room reverberation). Half the examples prompt text
only (the engine then finds its own spans where it would), half add the 1-2 spans a user would
mark (``devset_lib.pick_given_spans``). The built-in engine then runs on each mixture exactly as
at inference, and what the network sees (``MaskRefiner.features``) is stored with the true
target and rest in the same mel bands: ``data/masknet/{train,val}_*.npz``.

``--minutes M`` trains (Adam, 4 s crops, batches of 16) on a loss that is the mel-domain
signal-to-distortion ratio of both stems, in dB, so every example counts like one SI-SDR
figure. Validation every ``--val-every`` steps on the fixed validation set; checkpoints and a
JSON-lines log under data/masknet/run/. ``--export STEP`` copies a checkpoint's weights into
samaudio_core/masknet/weights/ with the configuration, the corpus manifest's sha256 and the
``prefer_for`` table, which is filled from the separation benchmark (bench_separation.py),
never from the training loss.

    nice python benchmarks/train_masknet.py --build 12000 --workers 1       # ~12 examples/s
    nice -n 19 python benchmarks/train_masknet.py --minutes 40 &
    nice python benchmarks/bench_separation.py --split select --json bench_out/masknet_select.json \
        --methods classic_text,masknet_text,classic_spans,masknet_spans
    python benchmarks/train_masknet.py --export 6000 --prefer-from bench_out/masknet_select.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import devset_lib as lib
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]

CORPUS = ROOT / "data" / "corpus"
OUT = ROOT / "data" / "masknet"
WEIGHTS = ROOT / "samaudio_core" / "masknet" / "weights"
SR = 16000
SECONDS = 8.0
NOISE_KINDS = {"stationary_noise", "wind", "hum", "texture"}
SHARD = 50  # examples per stored file


# ----------------------------------------------------------------------------- mixing


class Corpus:
    """Clips of one split of the corpus, by label, read on demand."""

    def __init__(self, split: str, corpus: Path = CORPUS):
        manifest = json.loads((corpus / "manifest.json").read_text())
        self.root = corpus
        clips = [c for c in manifest["clips"] if c["split"] == split]
        self.by_label: dict[str, list[dict]] = {}
        for c in clips:
            if c["role"] == "target" and c["prompts"]:
                self.by_label.setdefault(c["label"], []).append(c)
        self.beds = [c for c in clips if c["role"] == "bed"] or [
            c for c in manifest["clips"] if c["role"] == "bed"
        ]
        self.labels = sorted(self.by_label)

    def read(self, clip: dict) -> np.ndarray:
        x, sr = sf.read(self.root / clip["file"], dtype="float32", always_2d=True)
        assert sr == SR, f"corpus clips are {SR} Hz"
        return x.mean(axis=1)[None, :]


def _augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth random EQ (+-8 dB), sometimes band-limiting and room reverberation."""
    n = x.shape[-1]
    spec = np.fft.rfft(x, axis=-1)
    f = np.fft.rfftfreq(n, 1 / SR)
    knots = rng.uniform(-8, 8, size=6)
    eq_db = np.interp(np.log2(np.maximum(f, 30)), np.linspace(np.log2(30), np.log2(SR / 2), 6), knots)
    gain = 10 ** (eq_db / 20)
    if rng.random() < 0.25:
        cut = float(rng.uniform(2500, 7000))
        gain = gain * np.clip(1 - (f - cut) / 500, 0.0, 1.0)
    y = np.fft.irfft(spec * gain, n=n, axis=-1).astype(np.float32)
    if rng.random() < 0.3:
        from scipy.signal import fftconvolve

        rt60 = float(rng.uniform(0.2, 0.9))
        t = np.arange(int(rt60 * SR)) / SR
        ir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
        ir[0] = 1.0
        wet = fftconvolve(y, ir[None, :] / np.sqrt(np.sum(ir**2)), axes=-1)[:, :n]
        mix = float(rng.uniform(0.2, 0.6))
        y = ((1 - mix) * y + mix * wet).astype(np.float32)
    return y


def _render(corpus: Corpus, label: str, n: int, rng: np.random.Generator, cover: float) -> np.ndarray:
    """One source track of ``n`` samples from clips of ``label``."""
    pool = corpus.by_label[label]
    first = pool[int(rng.integers(len(pool)))]
    if first["duration"] >= 3.0:
        x = corpus.read(first)
        if x.shape[-1] > n:
            start = int(rng.integers(0, x.shape[-1] - n))
            x = x[:, start : start + n]
        x = lib.loop_to_length(x, n, SR)
        if rng.random() < 0.6:
            x = lib.gate(x, SR, rng)
    else:
        picks = [first] + [pool[int(i)] for i in rng.integers(len(pool), size=int(rng.integers(0, 5)))]
        x, _ = lib.place_events([corpus.read(c) for c in picks], n, SR, rng, cover)
    return _augment(x, rng)


def make_mixture(corpus: Corpus, rng: np.random.Generator) -> dict:
    """Target, rest, prompt text, label and kind of one random training mixture."""
    n = int(SECONDS * SR)
    label = corpus.labels[int(rng.integers(len(corpus.labels)))]
    clip = corpus.by_label[label][0]
    kind, category = clip["kind"], clip["category"]
    target = _render(corpus, label, n, rng, cover=float(rng.uniform(0.3, 0.7)))
    noise_like = kind in NOISE_KINDS or category == "noise"
    others = [
        lb
        for lb in corpus.labels
        if corpus.by_label[lb][0]["category"] != category
        and not (noise_like and (corpus.by_label[lb][0]["kind"] in NOISE_KINDS or corpus.by_label[lb][0]["category"] == "noise"))
    ]
    rest = np.zeros_like(target)
    for lb in rng.choice(others, size=min(len(others), int(rng.integers(1, 4))), replace=False):
        x = _render(corpus, str(lb), n, rng, cover=float(rng.uniform(0.2, 0.5)))
        rest += x / (np.sqrt(np.mean(x**2)) + 1e-9) * 0.1 * 10 ** (rng.uniform(-6, 6) / 20)
    if category != "music" and rng.random() < 0.5:
        bed = corpus.beds[int(rng.integers(len(corpus.beds)))]
        x = _augment(lib.loop_to_length(corpus.read(bed), n, SR), rng)
        rest += x / (np.sqrt(np.mean(x**2)) + 1e-9) * 0.1 * 10 ** (rng.uniform(-10, 0) / 20)
    if not np.any(target) or not np.any(rest):
        raise ValueError("silent source")
    target = lib.scale_to_snr(target, rest, float(rng.uniform(-5, 10)))
    peak = max(float(np.abs(target + rest).max()), 1e-9)
    g = float(rng.uniform(0.3, 0.9)) / peak
    text = str(rng.choice(clip["prompts"]))
    return {"target": target * g, "rest": rest * g, "text": text, "label": label, "kind": kind}


def featurize(ex: dict, with_spans: bool, rng: np.random.Generator) -> dict:
    """Run the built-in engine on the mixture as at inference; return the network's inputs
    and the true stems in its mel bands."""
    from samaudio_core.audio import Audio
    from samaudio_core.builtin import dsp
    from samaudio_core.builtin.engine import BuiltinEngine
    from samaudio_core.masknet.model import MaskNetConfig
    from samaudio_core.masknet.refiner import mel_bands, network_inputs, pool_to_bands
    from samaudio_core.prompts import Prompt

    target, rest = ex["target"], ex["rest"]
    mix = target + rest
    spans: tuple = ()
    if with_spans:
        active = lib.active_spans(target, SR)
        spans = tuple(lib.pick_given_spans(target, rest, SR, active, count=1 if rng.random() < 0.7 else 2))
    engine = BuiltinEngine(mask_net=False)
    audio = Audio(mix, SR)
    prompt = Prompt(ex["text"], spans)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prompt, _ = engine._auto_spans(audio, prompt)
        plan, info = engine.plan(prompt, SR, audio.duration, lambda a, b: mix[:, int(a * SR) : int(b * SR)],
                                 user_spans=with_spans)
    if plan.hum is not None:
        raise ValueError("hum is removed by notches, not masks")
    spec, cfg, p, mask = plan.classic_mask(mix, 0)
    net_cfg = MaskNetConfig()
    mel_p, mel_mask = pool_to_bands(p, mask, cfg.sample_rate, cfg.n_fft, net_cfg)
    feats = network_inputs(mel_p, mel_mask, cfg.sample_rate, cfg.hop, 0.0, tuple(prompt.spans), net_cfg)
    fb, _ = mel_bands(cfg.sample_rate, cfg.n_fft, net_cfg)
    n = feats["log_mel"].shape[1]
    out = {
        "log_mel": feats["log_mel"],
        "classic": feats["classic"],
        "spans": feats["spans"],
        "has_spans": float(bool(prompt.spans)),
    }
    for name, x in (("target", target), ("rest", rest)):
        mel = fb @ dsp.power(dsp.stft(x, cfg))
        out[f"log_{name}"] = np.log10(mel[:, :n] + 1e-10)
    out.update(text=ex["text"], label=ex["label"], kind=ex["kind"], mode="spans" if with_spans else "text",
               method=info.get("method"))
    return out


def _build_shard(args: tuple[str, int, int, str]) -> str:
    split, shard, count, out = args
    import torch

    torch.set_num_threads(1)
    path = Path(out) / f"{split}_{shard:03d}.npz"
    if path.exists():
        return f"{path.name} (kept)"
    corpus = Corpus(split)
    rng = np.random.default_rng([7, shard, 0 if split == "train" else 1])
    rows: list[dict] = []
    while len(rows) < count:
        try:
            ex = make_mixture(corpus, rng)
            rows.append(featurize(ex, with_spans=bool(rng.random() < 0.5), rng=rng))
        except ValueError:
            continue
    frames = [r["log_mel"].shape[1] for r in rows]
    t = min(frames)
    arrays = {k: np.stack([r[k][..., :t] for r in rows]).astype(np.float16)
              for k in ("log_mel", "classic", "log_target", "log_rest")}
    arrays["spans"] = np.stack([r["spans"][:t] for r in rows]).astype(np.float16)
    arrays["has_spans"] = np.array([r["has_spans"] for r in rows], np.float32)
    meta = [{k: r[k] for k in ("text", "label", "kind", "mode", "method")} for r in rows]
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, meta=json.dumps(meta), **arrays)
    tmp.replace(path)
    return path.name


def build(n_train: int, n_val: int, workers: int, out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    jobs = [("train", i, SHARD, str(out)) for i in range(int(np.ceil(n_train / SHARD)))]
    jobs += [("val", i, SHARD, str(out)) for i in range(int(np.ceil(n_val / SHARD)))]
    t0 = time.time()
    # One BLAS/OpenMP thread per worker (set before the spawned workers import numpy): with
    # the default thread pools two workers on two cores ran ~8x slower than one.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        for name in pool.map(_build_shard, jobs):
            print(f"  {name}  ({time.time() - t0:.0f} s)", flush=True)


# ----------------------------------------------------------------------------- training


def load_split(split: str, out: Path = OUT) -> tuple[dict, list[dict]]:
    parts, meta = [], []
    for f in sorted(out.glob(f"{split}_*.npz")):
        if f.name.endswith(".tmp.npz"):
            continue
        with np.load(f) as z:
            parts.append({k: z[k] for k in z.files if k != "meta"})
            meta += json.loads(str(z["meta"]))
    if not parts:
        raise SystemExit(f"no {split} data under {out}: run --build first")
    t = min(p["log_mel"].shape[-1] for p in parts)
    data = {k: np.concatenate([p[k][..., :t] if p[k].ndim > 1 else p[k] for p in parts]) for k in parts[0]}
    return data, meta


def sdr_loss(est_mask, log_mix, log_t, log_r):
    """Mean over examples of the negative mel-domain SDR (dB) of both stems.

    The mixture's mel magnitude times the mask estimates the target's; the error against the
    true target's mel magnitude, and the complement's against the rest's, are taken in power."""
    import torch

    mix = torch.sqrt(10.0**log_mix)
    t = torch.sqrt(10.0**log_t)
    r = torch.sqrt(10.0**log_r)
    err_t = ((est_mask * mix - t) ** 2).sum(dim=(1, 2))
    err_r = (((1 - est_mask) * mix - r) ** 2).sum(dim=(1, 2))
    sdr_t = 10 * torch.log10((t**2).sum(dim=(1, 2)) / (err_t + 1e-8) + 1e-8)
    sdr_r = 10 * torch.log10((r**2).sum(dim=(1, 2)) / (err_r + 1e-8) + 1e-8)
    return -(sdr_t + sdr_r).mean() / 2, sdr_t, sdr_r


def _tensors(data: dict, idx, start: int, frames: int, embeds: np.ndarray):
    import torch

    sl = slice(start, start + frames)

    def t(name):
        return torch.from_numpy(np.ascontiguousarray(data[name][idx][..., sl], dtype=np.float32))

    return (t("log_mel"), t("classic"), t("spans"),
            torch.from_numpy(data["has_spans"][idx]), torch.from_numpy(embeds[idx]),
            t("log_target"), t("log_rest"))


def evaluate(model, data: dict, embeds: np.ndarray, batch: int = 32) -> dict:
    """Mean mel SDR (both stems) of the network and of the classic mask, on every example."""
    import torch

    model.eval()
    net, classic = [], []
    with torch.no_grad():
        for a in range(0, len(data["has_spans"]), batch):
            idx = np.arange(a, min(a + batch, len(data["has_spans"])))
            lm, cl, sp, hs, pe, lt, lr = _tensors(data, idx, 0, data["log_mel"].shape[-1], embeds)
            _, st, sr_ = sdr_loss(model(lm, cl, sp, hs, pe), lm, lt, lr)
            net.append(((st + sr_) / 2).numpy())
            _, st, sr_ = sdr_loss(cl, lm, lt, lr)
            classic.append(((st + sr_) / 2).numpy())
    model.train()
    net_a, cl_a = np.concatenate(net), np.concatenate(classic)
    return {"net_sdr": float(net_a.mean()), "classic_sdr": float(cl_a.mean()),
            "gain_median": float(np.median(net_a - cl_a)), "better": float(np.mean(net_a > cl_a))}


def train(minutes: float, batch: int, lr: float, frames: int, val_every: int, threads: int, out: Path = OUT,
          run_name: str = "run", dropout: float = 0.0, weight_decay: float = 0.0, channels: int = 192) -> None:
    import torch

    from samaudio_core.embeddings import embed
    from samaudio_core.masknet.model import MaskNet, MaskNetConfig

    torch.set_num_threads(threads)
    run = out / run_name
    run.mkdir(parents=True, exist_ok=True)
    data, meta = load_split("train", out)
    val, val_meta = load_split("val", out)
    texts = sorted({m["text"] for m in meta} | {m["text"] for m in val_meta})
    table = dict(zip(texts, embed(texts)))
    emb = np.stack([table[m["text"]] for m in meta]).astype(np.float32)
    val_emb = np.stack([table[m["text"]] for m in val_meta]).astype(np.float32)
    cfg = MaskNetConfig(dropout=dropout, channels=channels)
    model = MaskNet(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    step, rng = 0, np.random.default_rng(1)
    ckpt = run / "last.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, rng = state["step"], state["rng"]
        print(f"resumed at step {step}")
    n, total = len(data["has_spans"]), data["log_mel"].shape[-1]
    print(f"{n} training / {len(val['has_spans'])} validation examples, {sum(p.numel() for p in model.parameters())} parameters")
    deadline = time.time() + minutes * 60
    log = (run / "log.jsonl").open("a")
    losses = []
    while time.time() < deadline:
        idx = rng.choice(n, size=batch, replace=False)
        start = int(rng.integers(0, max(1, total - frames)))
        lm, cl, sp, hs, pe, lt, lr_ = _tensors(data, idx, start, frames, emb)
        # Gain augmentation: the network must not care about the absolute level.
        shift = torch.from_numpy(rng.uniform(-2, 2, size=(batch, 1, 1)).astype(np.float32))
        loss, _, _ = sdr_loss(model(lm + shift, cl, sp, hs, pe), lm + shift, lt + shift, lr_ + shift)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        losses.append(float(loss.detach()))
        if step % val_every == 0:
            res = evaluate(model, val, val_emb)
            rec = {"step": step, "train_loss": float(np.mean(losses)), **res, "time": time.time()}
            losses = []
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            torch.save(model.state_dict(), run / f"step_{step:06d}.pt")
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "rng": rng,
                        "config": cfg.to_dict()}, ckpt)


def choose_preferences(bench_json: Path, split: str = "select", min_n: int = 2) -> tuple[dict, dict]:
    """Where the mask network wins, from a bench_separation.py run with the classic_* and
    masknet_* methods: per prompt mode and engine sound kind, on ``split`` only, the network
    is preferred when its mean and median SI-SDRi gain over the classic engine are both
    positive on at least ``min_n`` mixtures. Returns (prefer_for, evidence)."""
    rows = json.loads(Path(bench_json).read_text())["rows"]
    scored = {(r["method"], r["id"]): r for r in rows if "si_sdri" in r and r["split"] == split}
    prefer: dict = {"text": [], "spans": []}
    evidence: dict = {"text": {}, "spans": {}}
    for mode in ("text", "spans"):
        gains: dict[str, list[float]] = {}
        for (method, item), r in scored.items():
            if method != f"classic_{mode}" or (f"masknet_{mode}", item) not in scored:
                continue
            kind = r["info"].get("kind") or "none"
            gains.setdefault(kind, []).append(scored[(f"masknet_{mode}", item)]["si_sdri"] - r["si_sdri"])
        for kind, g in sorted(gains.items()):
            mean, median = float(np.mean(g)), float(np.median(g))
            evidence[mode][kind] = {"n": len(g), "mean_gain_db": round(mean, 2), "median_gain_db": round(median, 2)}
            if len(g) >= min_n and mean > 0 and median > 0:
                prefer[mode].append(kind)
    return prefer, evidence


def export(step: int, prefer_from: Path | None, apply: str, out: Path = OUT, run_name: str = "run",
           modes: tuple[str, ...] = ("text", "spans"), note: str = "") -> None:
    """Copy one checkpoint into the package with its configuration and ``prefer_for`` table."""
    import shutil

    import torch

    from samaudio_core.masknet.model import MaskNetConfig

    run = out / run_name
    src = run / f"step_{step:06d}.pt"
    state = torch.load(src, weights_only=True)
    config = torch.load(run / "last.pt", weights_only=False)["config"]
    WEIGHTS.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.half() for k, v in state.items()}, WEIGHTS / "masknet.pt")
    manifest = (CORPUS / "manifest.json").read_text()
    prefer: dict = {"text": [], "spans": []}
    evidence: dict = {}
    if prefer_from is not None:
        prefer, evidence = choose_preferences(prefer_from)
        prefer = {mode: (kinds if mode in modes else []) for mode, kinds in prefer.items()}
    meta = {
        "config": MaskNetConfig.from_dict({**config, "dropout": 0.0}).to_dict(),
        "step": step,
        "apply": apply,
        "corpus_manifest_sha256": hashlib.sha256(manifest.encode()).hexdigest(),
        "prefer_for": prefer,
        "evidence": evidence,
        "selected_by": "the select split of the dev set (bench_separation.py --split select); report was only reported",
        "modes_shipped": list(modes),
        "note": note,
    }
    (WEIGHTS / "config.json").write_text(json.dumps(meta, indent=1) + "\n")
    shutil.copy(run / "log.jsonl", WEIGHTS / "train_log.jsonl")
    print(f"exported step {step} to {WEIGHTS}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=int, metavar="N", help="render N training mixtures (+ --val validation)")
    ap.add_argument("--val", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--minutes", type=float, help="train for this long (resumes from the last checkpoint)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--frames", type=int, default=250, help="crop length (16 ms frames)")
    ap.add_argument("--val-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--run", default="run", help="run folder name under --out")
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--channels", type=int, default=192)
    ap.add_argument("--export", type=int, metavar="STEP", help="ship this checkpoint")
    ap.add_argument("--prefer-from", type=Path,
                    help="bench_separation.py --json output with the classic_* and masknet_* methods")
    ap.add_argument("--apply", choices=("ratio", "replace"), default="ratio")
    ap.add_argument("--modes", default="text,spans", help="prompt modes the network may be preferred for")
    ap.add_argument("--note", default="", help="why, recorded in the shipped config")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if args.build:
        build(args.build, args.val, args.workers, args.out)
    if args.minutes:
        train(args.minutes, args.batch, args.lr, args.frames, args.val_every, args.threads, args.out,
              args.run, args.dropout, args.weight_decay, args.channels)
    if args.export is not None:
        modes = tuple(m for m in args.modes.split(",") if m)
        export(args.export, args.prefer_from, args.apply, args.out, args.run, modes, args.note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
