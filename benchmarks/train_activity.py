"""Train the prompt-conditioned activity detector on data/corpus/ (built by build_corpus.py).

Mixtures with known activity are made on the fly in the mel *power* domain (adding power
spectrograms of independent sources is what their mixture's spectrogram is on average), which
keeps a CPU step cheap: each example places a target of one label (short clips as 1-6 events,
long ones as a stretch, sometimes gated) over 1-3 interferers of other engine kinds and, half the
time, a music bed, at a target-to-rest SNR in [-8, +12] dB. Every source is augmented: gain, a
smooth random EQ, band-limiting (low-rate sources), reverberation (a per-band exponential tail),
time stretch and a small mel-band pitch shift. A quarter of the examples prompt a label that is
absent (all-zero target), so the prompt must matter. The target is active in a frame when its
energy is within 35 dB of its loudest frame, gaps under 0.25 s bridged: the dev set's definition.
The prompt is a random wording of the label, embedded with the packaged MiniLM.

Validation is a fixed-seed set of mixtures built only from the corpus's "val" packages (never
trained on). Runs are resumable (``--resume``): the checkpoint holds the model, optimiser, step
and RNG state; the log is JSON lines. The best checkpoint by validation frame F1 is exported
with ``--export`` to samaudio_core/activity/weights/.

    nice -n 19 python benchmarks/train_activity.py --minutes 45 &      # 1 thread
    python benchmarks/train_activity.py --export                       # copy best weights
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torch.nn.functional as F
from scipy.signal import lfilter

from samaudio_core.activity.model import ActivityConfig, ActivityNet, MelFrontend

ROOT = Path(__file__).resolve().parents[1]

CORPUS = ROOT / "data" / "corpus"
RUNS = ROOT / "data" / "activity_runs"
WEIGHTS = ROOT / "samaudio_core" / "activity" / "weights"
FRAMES = 250  # 8 s examples at 32 ms per frame
ACTIVE_DB = -35.0
BRIDGE_FRAMES = 8  # 0.25 s


def load_corpus(cfg: ActivityConfig, corpus: Path = CORPUS) -> tuple[dict, list[dict], list[np.ndarray], str]:
    """Manifest, clip records, mel power per clip (float16, (frames, mels)) and the manifest sha256."""
    text = (corpus / "manifest.json").read_text()
    sha = hashlib.sha256(text.encode()).hexdigest()
    manifest = json.loads(text)
    clips = manifest["clips"]
    cache = corpus / f"mel_{sha[:12]}.npz"
    if cache.exists():
        with np.load(cache) as z:
            offsets = z["offsets"]
            flat = z["mels"]
        mels = [flat[offsets[i] : offsets[i + 1]] for i in range(len(clips))]
        return manifest, clips, mels, sha
    front = MelFrontend(cfg)
    mels = []
    with torch.no_grad():
        for rec in clips:
            x, sr = sf.read(corpus / rec["file"], dtype="float32")
            assert sr == cfg.sample_rate
            m = front(torch.from_numpy(x)[None])[0].numpy()
            mels.append(m.astype(np.float16))
    offsets = np.cumsum([0] + [len(m) for m in mels])
    np.savez(cache, offsets=offsets, mels=np.concatenate(mels))
    return manifest, clips, mels, sha


class MixtureMaker:
    """Random training mixtures (mel power, prompt index, per-frame target) from one split."""

    def __init__(self, clips: list[dict], mels: list[np.ndarray], split: str, prompts: list[str]):
        self.mels = mels
        self.clips = clips
        idx = [i for i, c in enumerate(clips) if c["split"] == split]
        self.by_label: dict[str, list[int]] = {}
        for i in idx:
            self.by_label.setdefault(clips[i]["label"], []).append(i)
        self.beds = self.by_label.pop("music_bed", [])
        self.labels = sorted(self.by_label)
        self.kind = {c["label"]: c["kind"] for c in clips}
        self.category = {c["label"]: c["category"] for c in clips}
        self.prompt_ids = {
            c["label"]: [prompts.index(p) for p in c["prompts"]] for c in clips if c["prompts"]
        }

    # -- augmentation in the mel power domain
    def augment(self, m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        m = m.astype(np.float32)
        n_mels = m.shape[1]
        if rng.random() < 0.3:  # time stretch
            rate = float(rng.uniform(0.8, 1.25))
            pos = np.arange(0, len(m) - 1, rate)
            if len(pos) > 2:
                i0 = pos.astype(int)
                w = (pos - i0)[:, None].astype(np.float32)
                m = m[i0] * (1 - w) + m[i0 + 1] * w
        if rng.random() < 0.3:  # pitch shift by whole mel bands
            s = int(rng.integers(-2, 3))
            m = np.roll(m, s, axis=1)
            if s > 0:
                m[:, :s] = m[:, s : s + 1]
            elif s < 0:
                m[:, s:] = m[:, s - 1 : s]
        # EQ: a smooth random curve of +-8 dB across the bands.
        knots = rng.uniform(-8, 8, size=5)
        eq_db = np.interp(np.linspace(0, 4, n_mels), np.arange(5), knots)
        m = m * (10 ** (eq_db / 10))[None, :]
        if rng.random() < 0.25:  # band-limit: an 8-22 kHz source upsampled
            cut = int(rng.integers(34, 58))
            m[:, cut:] *= 10 ** (-float(rng.uniform(30, 60)) / 10)
        if rng.random() < 0.3:  # reverberation: exponential tail per band
            rt = float(rng.uniform(0.2, 1.5))  # seconds to -60 dB
            decay = 10 ** (-6 * 0.032 / rt)
            wet = float(rng.uniform(0.1, 0.6))
            tail = lfilter([1.0 - decay], [1.0, -decay], m, axis=0)
            m = m + wet * tail.astype(np.float32)
        return m

    def _place(self, label: str, rng: np.random.Generator) -> np.ndarray:
        """(FRAMES, mels) power of one source of ``label`` laid out over the example."""
        pool = self.by_label[label]
        n_mels = self.mels[pool[0]].shape[1]
        out = np.zeros((FRAMES, n_mels), np.float32)
        first = self.mels[pool[int(rng.integers(len(pool)))]]
        if len(first) >= FRAMES * 0.5:  # a long recording: a stretch, sometimes gated
            m = self.augment(first, rng)
            if len(m) < FRAMES:
                m = np.concatenate([m] * int(np.ceil(FRAMES / len(m))))
            a = int(rng.integers(0, len(m) - FRAMES + 1))
            out[:] = m[a : a + FRAMES]
            if rng.random() < 0.5:
                gate = np.zeros(FRAMES, np.float32)
                for _ in range(int(rng.integers(1, 3))):
                    s = int(rng.integers(0, FRAMES - 20))
                    gate[s : s + int(rng.integers(20, FRAMES // 2))] = 1.0
                ramp = np.convolve(gate, np.ones(3) / 3, mode="same")
                out *= ramp[:, None]
            return out
        for _ in range(int(rng.integers(1, 7))):
            m = self.augment(self.mels[pool[int(rng.integers(len(pool)))]], rng)[:FRAMES]
            a = int(rng.integers(-len(m) // 3, FRAMES - len(m) // 2))
            lo, hi = max(0, a), min(FRAMES, a + len(m))
            out[lo:hi] += m[lo - a : hi - a] * 10 ** (float(rng.uniform(-6, 3)) / 10)
        return out

    def example(self, rng: np.random.Generator) -> tuple[np.ndarray, int, np.ndarray]:
        label = self.labels[int(rng.integers(len(self.labels)))]
        target = self._place(label, rng)
        kind = self.kind[label]
        others = [lab for lab in self.labels if self.kind[lab] != kind]
        rest = np.zeros_like(target)
        for lab in rng.choice(others, size=min(len(others), int(rng.integers(1, 4))), replace=False):
            rest += self._place(str(lab), rng) * 10 ** (float(rng.uniform(-6, 6)) / 10)
        if self.beds and self.category[label] != "music" and rng.random() < 0.5:
            bed = self.augment(self.mels[self.beds[int(rng.integers(len(self.beds)))]], rng)
            bed = np.concatenate([bed] * int(np.ceil(FRAMES / max(1, len(bed)))))
            a = int(rng.integers(0, len(bed) - FRAMES + 1))
            rest += bed[a : a + FRAMES] * 10 ** (float(rng.uniform(-10, 3)) / 10)
        energy = target.sum(axis=1)
        active = _activity(energy)
        # SNR on the target's active frames against the rest over the whole example.
        p_t = energy[active].mean() if active.any() else 1e-12
        p_r = rest.sum(axis=1).mean() + 1e-12
        snr = float(rng.uniform(-8, 12))
        target = target * (p_r / max(p_t, 1e-12)) * 10 ** (snr / 10)
        floor = 10 ** (float(rng.uniform(-70, -45)) / 10) * (target.sum(axis=1).max() + p_r)
        mix = target + rest + floor / target.shape[1]
        mix *= 10 ** (float(rng.uniform(-30, 10)) / 10)
        absent = [lab for lab in others if lab in self.prompt_ids]
        if absent and rng.random() < 0.25:  # prompt something that is not there
            lab = str(rng.choice(absent))
            ids = self.prompt_ids[lab]
            return mix.astype(np.float32), ids[int(rng.integers(len(ids)))], np.zeros(FRAMES, np.float32)
        ids = self.prompt_ids[label]
        return mix.astype(np.float32), ids[int(rng.integers(len(ids)))], active.astype(np.float32)

    def batch(self, n: int, rng: np.random.Generator):
        xs, ps, ys = zip(*(self.example(rng) for _ in range(n)))
        return torch.from_numpy(np.stack(xs)), torch.tensor(ps), torch.from_numpy(np.stack(ys))


def _activity(energy: np.ndarray) -> np.ndarray:
    """Frames within ACTIVE_DB of the loudest, gaps under BRIDGE_FRAMES bridged."""
    if energy.max() <= 0:
        return np.zeros(len(energy), bool)
    on = 10 * np.log10(energy / energy.max() + 1e-20) > ACTIVE_DB
    idx = np.flatnonzero(on)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= BRIDGE_FRAMES:
            on[a:b] = True
    return on


def frame_f1(probs: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> float:
    pred = probs >= threshold
    tp = float((pred & (truth > 0.5)).sum())
    fp = float((pred & (truth <= 0.5)).sum())
    fn = float((~pred & (truth > 0.5)).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="main")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--minutes", type=float, default=45.0, help="wall-clock training budget")
    ap.add_argument(
        "--max-steps",
        type=int,
        default=0,
        help="stop after this many steps (the LR schedule then runs on steps)",
    )
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--val-every", type=int, default=150)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--export", action="store_true", help="copy the run's best checkpoint into the package")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkpoint", default="best.pt", help="with --export: which checkpoint of the run")
    ap.add_argument("--threshold", type=float, default=0.5, help="with --export: the default span threshold")
    ap.add_argument(
        "--prefer-kinds",
        default="",
        help="with --export: comma-separated engine kinds where the benchmark shows the detector beats the "
        "engine's own method (recorded in config.json for find_spans)",
    )
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    run = RUNS / args.run
    run.mkdir(parents=True, exist_ok=True)

    if args.export:
        best = torch.load(run / args.checkpoint, weights_only=False)
        WEIGHTS.mkdir(parents=True, exist_ok=True)
        state = {k: v.half() if v.is_floating_point() else v for k, v in best["model"].items()}
        torch.save(state, WEIGHTS / "activity.pt")
        meta = {
            **best["meta"],
            "threshold": args.threshold,
            "prefer_for_kinds": [k for k in args.prefer_kinds.split(",") if k],
        }
        (WEIGHTS / "config.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(f"exported step {best['meta']['step']} (val F1 {best['meta']['val_f1']:.3f}) to {WEIGHTS}")
        return 0

    cfg = ActivityConfig()
    manifest, clips, mels, sha = load_corpus(cfg, args.corpus)
    prompts = sorted({p for c in clips for p in c["prompts"]})
    from samaudio_core.embeddings import embed

    emb = torch.from_numpy(embed(prompts))
    train = MixtureMaker(clips, mels, "train", prompts)
    val = MixtureMaker(clips, mels, "val", prompts)
    vrng = np.random.default_rng(12345)
    val_batches = [val.batch(32, vrng) for _ in range(8)]  # fixed-seed validation set
    print(f"train labels {train.labels}\nval labels {val.labels}", flush=True)

    torch.manual_seed(args.seed)
    model = ActivityNet(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    step, best_f1, spent = 0, -1.0, 0.0
    rng = np.random.default_rng(args.seed)
    ckpt = run / "last.pt"
    if args.resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, best_f1, spent = state["step"], state["best_f1"], state["spent"]
        rng.bit_generator.state = state["rng"]
        print(f"resumed at step {step}", flush=True)
    budget = args.minutes * 60
    meta = {
        "config": cfg.to_dict(),
        "corpus_manifest_sha256": sha,
        "prompts_trained": prompts,
        "train_labels": train.labels,
        "val_labels": val.labels,
        "train": {
            "batch": args.batch,
            "lr": args.lr,
            "frames": FRAMES,
            "active_db": ACTIVE_DB,
            "seed": args.seed,
            "threads": args.threads,
        },
    }
    log = (run / "log.jsonl").open("a")
    t0 = time.time() - spent
    while time.time() - t0 < budget and not (args.max_steps and step >= args.max_steps):
        model.train()
        x, p, y = train.batch(args.batch, rng)
        # Cosine decay over the time budget (the step count is unknown on a shared CPU).
        frac = min(1.0, step / args.max_steps if args.max_steps else (time.time() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * frac)))
        logits = model(x, emb[p])
        loss = F.binary_cross_entropy_with_logits(logits, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            log.write(
                json.dumps({"step": step, "loss": round(loss.item(), 4), "t": round(time.time() - t0)}) + "\n"
            )
            log.flush()
        if step % args.val_every == 0 or time.time() - t0 >= budget or step == args.max_steps:
            model.eval()
            with torch.no_grad():
                probs = [torch.sigmoid(model(vx, emb[vp])).numpy() for vx, vp, _ in val_batches]
            truth = np.concatenate([vy.numpy().ravel() for _, _, vy in val_batches])
            f1 = frame_f1(np.concatenate([q.ravel() for q in probs]), truth)
            print(f"step {step} loss {loss.item():.3f} val F1 {f1:.3f} ({time.time() - t0:.0f}s)", flush=True)
            log.write(json.dumps({"step": step, "val_f1": round(f1, 4), "t": round(time.time() - t0)}) + "\n")
            log.flush()
            state = {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "step": step,
                "best_f1": max(best_f1, f1),
                "spent": time.time() - t0,
                "rng": rng.bit_generator.state,
            }
            if f1 > best_f1:
                best_f1 = f1
                torch.save(
                    {"model": model.state_dict(), "meta": {**meta, "step": step, "val_f1": f1}},
                    run / "best.pt",
                )
            torch.save(state, run / "tmp.pt")
            shutil.move(run / "tmp.pt", ckpt)
    print(f"done: {step} steps, best val F1 {best_f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
