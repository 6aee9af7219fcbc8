"""Batch apply (tools.batch): inputs, the process pool against the sequential run, a corrupt
file among good ones, results.jsonl, resuming after kill -9, --force, --keep-versions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import RECIPE, SR, make_tree, outputs, records, tone, write_recipe

from agent.cli import main
from samaudio_core.audio import load_audio, save_audio
from tools.batch import BatchError, ResultsLog, expand_inputs, finished_inputs, recipe_hash, run_batch
from tools.batch_worker import Task, Worker, WorkerConfig
from tools.recipe import parse_recipe

ROOT = Path(__file__).resolve().parents[1]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def test_inputs_are_files_folders_and_lists(tmp_path):
    folder = make_tree(tmp_path, n=4)
    single = save_audio(tmp_path / "f00.mp3", tone(7), sample_rate=SR)  # same stem as in/f00.wav
    (tmp_path / "lists").mkdir()
    listing = tmp_path / "lists" / "batch.txt"
    listing.write_text("# inputs\n\n../in/f01.flac\n../missing.wav\n")
    out = folder / "out"  # an output folder inside an input folder is never scanned
    out.mkdir()
    save_audio(out / "f00.wav", tone(1), sample_rate=SR)
    tasks = expand_inputs([str(folder), str(single), f"@{listing}"], exclude=out)
    assert [(Path(t.input).relative_to(tmp_path).as_posix(), t.key) for t in tasks] == [
        ("in/f00.wav", "f00"),
        ("in/f01.flac", "f01"),
        ("in/f03.flac", "f03"),
        ("in/sub/f02.wav", "sub/f02"),  # the tree keeps its shape in the output folder
        ("f00.mp3", "f00-2"),  # two inputs named f00: the second gets -2
        ("missing.wav", "missing"),  # kept, so it is reported (the list's f01 was a duplicate)
    ]
    with pytest.raises(BatchError, match=r"nope.txt: no such input list"):
        expand_inputs([f"@{tmp_path / 'nope.txt'}"])


def test_pool_gives_the_sequential_outputs_and_a_corrupt_file_fails_alone(tmp_path):
    folder = make_tree(tmp_path, n=6, corrupt=True)
    recipe = parse_recipe(RECIPE)
    seq = run_batch(recipe, [str(folder)], tmp_path / "seq", workers=1, engine="dummy", progress=False)
    pool = run_batch(recipe, [str(folder)], tmp_path / "pool", workers=2, engine="dummy", progress=False)
    assert (seq.executor, pool.executor, pool.workers) == ("sequential", "processes", 2)
    for s in (seq, pool):
        assert (s.total, s.done, s.failed, s.skipped, s.retried) == (7, 6, 1, 0, 1)
    a, b = outputs(tmp_path / "seq"), outputs(tmp_path / "pool")
    assert sorted(a) == ["f00.wav", "f01.wav", "f03.wav", "f04.wav", "sub/f02.wav", "sub/f05.wav"]
    assert a == b  # bit-identical: the same worker code in another process
    # Physically right: silence where the dummy engine removed 0.2-0.6 s, the rest 3 dB down.
    y, x = load_audio(tmp_path / "pool" / "f03.wav").samples, tone(3)
    assert np.max(np.abs(y[:, int(0.3 * SR) : int(0.5 * SR)])) < 1e-4
    assert _rms(y[:, int(0.7 * SR) :]) / _rms(x[:, int(0.7 * SR) :]) == pytest.approx(10 ** (-3 / 20), rel=0.01)

    recs = {Path(r["input"]).name: r for r in records(tmp_path / "pool")}
    assert len(recs) == 7  # one line a file, the retried one included once
    bad = recs["broken.wav"]
    assert bad["status"] == "failed" and bad["attempts"] == 2 and bad["outputs"] == []
    assert "not a readable audio file" in bad["error"] and "not a readable audio file" in bad["first_error"]
    good = recs["f03.flac"]
    assert good["status"] == "done" and good["error"] is None and good["attempts"] == 1
    assert good["outputs"] == [str(tmp_path / "pool" / "f03.wav")]
    assert good["recipe_hash"] == recipe_hash(recipe) and good["engine"] == "dummy"
    assert good["seconds"] > 0 and good["peak_rss_mb"] > 0 and good["bytes_written"] > 0
    (judged,) = good["judge"]  # one separation, scored by the judge
    assert judged["step"] == 1 and set(judged["scores"]) >= {"overall", "recall", "precision", "faithfulness"}
    assert judged["passed"] == (judged["scores"]["overall"] >= 3.0) and good["judge_failed"] == (not judged["passed"])
    pids = {r["pid"] for r in recs.values() if "pid" in r}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2  # the pool's processes did the work
    # No per-version WAVs and no scratch left behind: only the outputs and the results file.
    assert not (tmp_path / "pool" / "versions").exists()
    assert sorted(p.name for p in (tmp_path / "pool").iterdir()) == [
        "f00.wav", "f01.wav", "f03.wav", "f04.wav", "results.jsonl", "sub",
    ]  # fmt: skip


def test_cli_apply_exit_status_summary_and_json(tmp_path, capsys):
    folder = make_tree(tmp_path, n=2, corrupt=True)
    recipe = write_recipe(tmp_path / "r.json")
    argv = ["apply", str(recipe), str(folder), "--out-dir", str(tmp_path / "o"), "--engine", "dummy"]
    rc = main([*argv, "--workers", "1", "--no-progress", "--json", "--no-judge"])
    cap = capsys.readouterr()
    assert rc == 1  # a file failed
    lines = [json.loads(x) for x in cap.out.splitlines()]
    assert sorted(r["status"] for r in lines) == ["done", "done", "failed"]
    assert all(r["judge"] == [] for r in lines)  # --no-judge
    assert f"Skipping {folder / 'broken.wav'}: not a readable audio file" in cap.err
    assert "2 of 3 file(s) done, 1 failed, 0 judge failure(s)" in cap.err
    # The rerun skips the done ones and tries only the broken file again.
    assert main([*argv, "--workers", "1", "--no-progress"]) == 1
    assert "2 of 3 file(s) done (2 skipped: already done with this recipe), 1 failed" in capsys.readouterr().err


def test_rerun_skips_done_files_and_force_or_a_new_recipe_redoes_them(tmp_path):
    folder = make_tree(tmp_path, n=3)
    out = tmp_path / "o"
    recipe = parse_recipe(RECIPE)
    first = run_batch(recipe, [str(folder)], out, workers=1, engine="dummy", judge=False, progress=False)
    assert (first.done, first.skipped) == (3, 0)
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*.wav")}
    again = run_batch(recipe, [str(folder)], out, workers=1, engine="dummy", judge=False, progress=False)
    assert (again.done, again.skipped) == (0, 3) and len(records(out)) == 3
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.wav")} == stamp  # nothing rewritten
    (out / "f01.wav").unlink()  # an output that went missing is made again
    missing = run_batch(recipe, [str(folder)], out, workers=1, engine="dummy", judge=False, progress=False)
    assert (missing.done, missing.skipped) == (1, 2)
    forced = run_batch(recipe, [str(folder)], out, workers=1, engine="dummy", judge=False, force=True, progress=False)
    assert (forced.done, forced.skipped) == (3, 0)
    louder = parse_recipe({"steps": [{"op": "gain", "db": 2}]})
    changed = run_batch(louder, [str(folder)], out, workers=1, engine="dummy", judge=False, progress=False)
    assert (changed.done, changed.skipped) == (3, 0)  # another recipe hash: nothing counts as done
    assert finished_inputs(records(out), recipe_hash(louder)) == {str(folder / n) for n in ("f00.wav", "f01.flac", "sub/f02.wav")}


def test_resume_after_kill_9_redoes_no_finished_file(tmp_path):
    n = 16
    folder = make_tree(tmp_path, n=n)
    recipe = write_recipe(tmp_path / "r.json")
    out = tmp_path / "o"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "agent.cli", "apply", str(recipe), str(folder), "--out-dir", str(out)]
    argv += ["--engine", "dummy", "--workers", "2", "--no-progress", "--no-judge"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 60
    while not (results.exists() and results.read_bytes().count(b"\n") >= 1):
        assert proc.poll() is None and time.monotonic() < deadline, "apply ended before writing a result"
        time.sleep(0.01)
    workers = _children(proc.pid)  # the pool's processes (and multiprocessing's tracker)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = records(out)
    assert 1 <= len(before) < n, len(before)  # killed mid-run
    assert {r["pid"] for r in before} <= workers and len(workers) >= 2
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers):  # orphaned pool workers notice and exit
        assert time.monotonic() < deadline, "pool workers outlived the killed driver"
        time.sleep(0.1)
    with open(results, "ab") as fh:  # and as if the kill had cut a line in half
        fh.write(b'{"input": "/half')
    finished = {r["input"]: Path(r["outputs"][0]).stat().st_mtime_ns for r in before}
    assert not [p for p in out.rglob("*") if ".part" in p.name]  # no partial file left under any name

    assert main([*argv[3:-4], "--workers", "1", "--no-progress", "--no-judge"]) == 0  # resumed here
    after = records(out, cut=1)
    assert len(after) == n  # the cut line is skipped; every file has exactly one record
    assert {r["input"] for r in after} == {str(p) for p in folder.rglob("f*.*")}
    assert [r["input"] for r in after[: len(before)]] == list(finished)
    for inp, mtime in finished.items():  # the files done before the kill were not redone
        assert Path(next(r for r in after if r["input"] == inp)["outputs"][0]).stat().st_mtime_ns == mtime
    assert all(r["status"] == "done" for r in after)
    assert results.read_bytes().endswith(b"\n")


def _children(pid: int) -> set[int]:
    """The pids whose parent is ``pid``."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_keep_versions_and_the_default_keeps_none(tmp_path):
    folder = make_tree(tmp_path, n=1)
    recipe = parse_recipe(RECIPE)
    run_batch(recipe, [str(folder)], tmp_path / "o", workers=1, engine="dummy", judge=False, keep_versions=True, progress=False)
    kept = tmp_path / "o" / "versions" / "f00"
    assert sorted(p.name for p in (kept / "versions").iterdir()) == ["v0001.wav", "v0002.wav"]
    assert json.loads((kept / "manifest.json").read_text())["stack"] == [0, 1, 2]


def test_exports_are_named_after_the_input_and_the_input_is_never_overwritten(tmp_path):
    folder = make_tree(tmp_path, n=1)
    recipe = parse_recipe(
        {"steps": [{"op": "export", "format": "flac"}, {"op": "gain", "db": -6}, {"op": "export", "format": "flac"}]}
    )
    run_batch(recipe, [str(folder)], tmp_path / "o", workers=1, engine="dummy", progress=False)
    first, second = (load_audio(tmp_path / "o" / n).samples for n in ("f00.flac", "f00-2.flac"))
    assert _rms(second) / _rms(first) == pytest.approx(0.5, rel=0.01)
    wav = parse_recipe({"steps": [{"op": "gain", "db": -6}]})
    with pytest.raises(BatchError, match=r"would overwrite the input .*f00\.wav: originals are never modified"):
        run_batch(wav, [str(folder)], folder, workers=1, engine="dummy", progress=False)


def test_one_batch_at_a_time_in_a_folder(tmp_path):
    (tmp_path / "o").mkdir()
    with ResultsLog(tmp_path / "o" / "results.jsonl"):
        with pytest.raises(BatchError, match="another samaudio apply is writing to this folder"):
            with ResultsLog(tmp_path / "o" / "results.jsonl"):
                pass


def test_bad_worker_setup_stops_the_batch_with_one_message(tmp_path):
    folder = make_tree(tmp_path, n=1)
    with pytest.raises(BatchError, match=r"unknown engine 'nope' \(available: .*dummy"):
        run_batch(parse_recipe(RECIPE), [str(folder)], tmp_path / "o", workers=1, engine="nope", progress=False)
    # An actor that cannot see the output folder (Ray on several nodes without shared storage).
    cfg = WorkerConfig(recipe_json=json.dumps(RECIPE), out_dir=str(tmp_path), engine="dummy",
                       shared_check=(str(tmp_path / "token"), "abc"))  # fmt: skip
    worker = Worker(cfg)
    assert "is not shared storage" in worker.ready() and "same path on every node" in worker.ready()
    rec = worker.run(Task(str(folder / "f00.wav"), "f00"))
    assert rec["status"] == "failed" and "is not shared storage" in rec["error"]
