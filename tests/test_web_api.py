"""The web API (``samaudio serve``) through FastAPI's test client: every endpoint, bad input,
and paths that try to leave the workspace. Audio is made here; the engine is the dummy one."""

from __future__ import annotations

import io
import os
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient  # noqa: E402
from web_helpers import SR, burst_wav, tiny_video

from agent.web.app import create_app  # noqa: E402
from agent.web.state import Config  # noqa: E402
from samaudio_core.mediascan import downsample_peaks, scan  # noqa: E402
from tools.recipe import Recipe  # noqa: E402


def client(root: Path, **kw) -> TestClient:
    cfg = Config(root, planner=kw.pop("planner", "rules"), engine="dummy", memory=False, **kw)
    return TestClient(create_app(cfg), raise_server_exceptions=False)


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    root = tmp_path / "ws"
    root.mkdir()
    burst_wav(root / "mix.wav")
    return root


def wait(c: TestClient, job: dict, timeout: float = 60) -> dict:
    t0 = time.time()
    while True:
        j = c.get(f"/api/jobs/{job['id']}").json()
        if j["state"] not in ("queued", "running"):
            return j
        assert time.time() - t0 < timeout, j
        time.sleep(0.05)


def opened(c: TestClient, path: str = "mix.wav") -> dict:
    r = c.post("/api/open", json={"path": path})
    assert r.status_code == 200, r.json()
    return r.json()


def chat(c, name, text, **pointed):
    r = c.post(f"/api/sessions/{name}/chat", json={"instruction": text, "pointed": pointed})
    assert r.status_code == 200, r.json()
    return wait(c, r.json())


def test_files_lists_media_only_and_hides_sessions(ws):
    (ws / "notes.txt").write_text("x")
    (ws / "sub").mkdir()
    burst_wav(ws / "sub" / "b.wav", seconds=1)
    c = client(ws)
    opened(c)
    paths = [f["path"] for f in c.get("/api/files").json()["files"]]
    assert paths == ["mix.wav", "sub/b.wav"]  # no txt, nothing under .sessions
    assert c.get("/api/health").json() == {"ok": True}


def test_open_gives_format_and_peaks_where_the_sound_is(ws):
    c = client(ws)
    s = opened(c)
    assert (s["duration"], s["sample_rate"], s["channels"], s["current"]) == (4.0, SR, 1, 0)
    assert s["versions"][0]["step"] is None and not s["is_video"]
    p = c.get(f"/api/sessions/{s['name']}/peaks/0?n=40").json()
    assert p["duration"] == 4.0 and len(p["peaks"]) == 40
    peaks = np.array(p["peaks"])  # bucket i covers 0.1 s; the burst is 1-2 s
    assert peaks[11:19].min() > 0.4 and peaks[:9].max() < 0.06 and peaks[21:].max() < 0.06
    assert c.get("/api/sessions").json()["sessions"][0]["name"] == s["name"]


@pytest.mark.parametrize("bad", ["../outside.wav", "/etc/passwd", "sub/../../outside.wav", "link.wav"])
def test_paths_never_leave_the_workspace(ws, tmp_path, bad):
    burst_wav(tmp_path / "outside.wav", seconds=1)
    os.symlink(tmp_path / "outside.wav", ws / "link.wav")
    c = client(ws)
    r = c.post("/api/open", json={"path": bad})
    assert r.status_code == 403
    assert r.json() == {"error": f"refusing '{bad}': it is outside the workspace"}


def test_bad_open_and_unknown_things_are_json_errors(ws):
    c = client(ws)
    assert c.post("/api/open", json={"path": "nope.wav"}).json() == {
        "error": "'nope.wav': no such file in the workspace"
    }
    r = c.post("/api/open", json={})
    assert r.status_code == 422 and r.json()["error"].startswith("bad request: path: ")
    assert c.get("/api/sessions/nobody").json() == {"error": "no session named 'nobody'"}
    assert c.get("/api/sessions/..%2F..%2Fetc").status_code == 404
    assert c.get("/api/jobs/j999").json() == {"error": "no job 'j999'"}
    s = opened(c)
    assert c.get(f"/api/sessions/{s['name']}/peaks/7").json() == {"error": "no version 7 (versions 0-0)"}


def test_upload_checks_by_decoding_and_limits_size(ws):
    c = client(ws, upload_limit=200_000)
    data = (ws / "mix.wav").read_bytes()
    r = c.post("/api/upload?name=../../evil%20name.WAV", content=data)
    assert r.status_code == 200, r.json()
    assert (ws / "uploads" / "evil_name.wav").read_bytes() == data  # stays in uploads/, plain name
    assert r.json()["duration"] == 4.0
    r = c.post("/api/upload?name=fake.wav", content=b"RIFF but not really audio" * 10)
    assert r.status_code == 422 and r.json()["error"].startswith("fake.wav: not a readable audio file")
    assert "/" not in r.json()["error"].split("(")[0]
    r = c.post("/api/upload?name=big.wav", content=b"\0" * 200_001)
    assert r.status_code == 413 and r.json() == {"error": "upload is 200001 bytes; the limit is 200000 bytes"}
    r = c.post("/api/upload?name=script.sh", content=b"rm -rf /")
    assert r.status_code == 422 and r.json()["error"].startswith("'script.sh': not an audio or video file name")
    assert c.post("/api/upload?name=empty.wav", content=b"").json() == {"error": "'empty.wav': the upload is empty"}
    assert sorted(p.name for p in (ws / "uploads").iterdir()) == ["evil_name.wav"]


def test_media_is_served_with_range_requests(ws):
    c = client(ws)
    s = opened(c)
    original = (ws / ".sessions" / s["name"] / "original" / "mix.wav").read_bytes()
    r = c.get(f"/api/sessions/{s['name']}/media/0", headers={"Range": "bytes=1000-1999"})
    assert r.status_code == 206 and r.content == original[1000:2000]
    assert r.headers["content-range"] == f"bytes 1000-1999/{len(original)}"
    full = c.get(f"/api/sessions/{s['name']}/media/original")
    assert full.status_code == 200 and full.content == original and full.headers["accept-ranges"] == "bytes"


def test_chat_runs_the_agent_with_the_pointed_spans(ws):
    c = client(ws)
    s = opened(c)
    j = chat(c, s["name"], "remove the beep", spans=[[1.2, 1.8]], absent=[[3.0, 3.5]])
    assert j["state"] == "done", j
    agent = j["result"]["agent"]
    assert agent["recipe"]["steps"] == [
        {"op": "separate", "target": "beep", "action": "remove", "spans": [[1.2, 1.8]], "absent": [[3.0, 3.5]]}
    ]
    assert agent["attempts"] >= 1 and set(agent["steps"][0]["scores"]) >= {"overall", "recall", "precision", "faithfulness"}
    assert j["result"]["reply"].startswith("Removed the beep: judge overall")
    assert j["result"]["reply"].endswith(f"Output: .sessions/{s['name']}/out/mix-v1.wav")  # no server path
    state = j["result"]["session"]
    assert state["current"] == 1 and state["versions"][1]["scores"] == agent["steps"][0]["scores"]
    assert j["progress"] == 1.0 and j["planned_steps"] == 1
    # range limits the edit: the recipe carries it
    j = chat(c, s["name"], "make the beep 6 dB louder", range=[[1.0, 2.0]])
    assert j["result"]["agent"]["recipe"]["steps"][0]["range"] == [[1.0, 2.0]]


def test_chat_bad_input(ws):
    c = client(ws)
    s = opened(c)
    r = c.post(f"/api/sessions/{s['name']}/chat", json={"instruction": ""})
    assert r.status_code == 422 and "instruction" in r.json()["error"]
    r = c.post(f"/api/sessions/{s['name']}/chat", json={"instruction": "remove it", "pointed": {"box": [0, 0, 1, 1]}})
    assert r.json() == {"error": "a box or point prompt needs a video input; this session's input is audio"}
    r = c.post(f"/api/sessions/{s['name']}/chat", json={"instruction": "x", "pointed": {"spans": [[1]]}})
    assert r.status_code == 422
    j = chat(c, s["name"], "rm -rf / ; remove the hum")
    assert j["state"] == "done" and j["result"]["agent"]["refused"] and j["result"]["session"]["current"] == 0


def test_stems_sum_to_the_parent_and_apply_makes_a_remix_step(ws):
    c = client(ws)
    s = opened(c)
    name = s["name"]
    chat(c, name, "keep only the beep", spans=[[1.2, 1.8]])
    read = lambda url: sf.read(io.BytesIO(c.get(url).content), dtype="float32")[0]  # noqa: E731
    target = read(f"/api/sessions/{name}/stems/1/target")
    residual = read(f"/api/sessions/{name}/stems/1/residual")
    parent, _ = sf.read(ws / "mix.wav", dtype="float32")
    np.testing.assert_allclose(target + residual, parent, atol=1e-6)
    np.testing.assert_allclose(target, read(f"/api/sessions/{name}/media/1"), atol=1e-7)
    r = c.post(f"/api/sessions/{name}/remix", json={"version": 1, "target_db": -6.0206, "residual_db": 0})
    assert r.status_code == 200, r.json()
    state = r.json()["session"]
    assert state["current"] == 2
    assert state["versions"][2]["step"] == {"op": "remix", "of": 1, "gains_db": {"target": -6.0206, "residual": 0.0}}
    np.testing.assert_allclose(read(f"/api/sessions/{name}/media/2"), residual + 0.5 * target, atol=1e-4)
    # the sliders belong to version 1; version 2 is current now
    r = c.post(f"/api/sessions/{name}/remix", json={"version": 1, "target_db": 0})
    assert r.status_code == 400 and "the current version is 2" in r.json()["error"]
    assert c.get(f"/api/sessions/{name}/stems/0/target").json() == {
        "error": "version 0 is not a separation: it has no stems"
    }
    assert c.get(f"/api/sessions/{name}/stems/1/drums").status_code == 404


def test_undo_reset_and_versions(ws):
    c = client(ws)
    s = opened(c)
    name = s["name"]
    assert c.post(f"/api/sessions/{name}/undo").json() == {"error": "nothing to undo: this is the original"}
    chat(c, name, "make it 6 dB quieter")
    r = c.post(f"/api/sessions/{name}/reset").json()
    assert r["message"] == "back to the original" and r["session"]["current"] == 0 and r["session"]["stack"] == [0, 1, 0]
    r = c.post(f"/api/sessions/{name}/undo").json()
    assert r["session"]["current"] == 1
    quieter = sf.read(io.BytesIO(c.get(f"/api/sessions/{name}/media/1").content))[0]
    assert np.max(np.abs(quieter)) == pytest.approx(0.45 / 2, rel=0.02)  # -6 dB of a 0.45 peak


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "ogg"])
def test_export_downloads_a_decodable_file(ws, fmt):
    c = client(ws)
    s = opened(c)
    r = c.post(f"/api/sessions/{s['name']}/export", json={"format": fmt})
    assert r.status_code == 200, r.json()
    assert r.json()["url"] == f"/api/sessions/{s['name']}/exports/mix-v0.{fmt}"
    d = c.get(r.json()["url"])
    assert d.status_code == 200 and d.headers["content-disposition"] == f'attachment; filename="mix-v0.{fmt}"'
    (ws / f"dl.{fmt}").write_bytes(d.content)
    info = scan(ws / f"dl.{fmt}")
    assert abs(info.duration - 4.0) < 0.1


def test_export_bad_format_and_download_outside(ws):
    c = client(ws)
    s = opened(c)
    r = c.post(f"/api/sessions/{s['name']}/export", json={"format": "exe"})
    assert r.json() == {"error": "cannot export as 'exe' (choose one of wav, flac, mp3, ogg)"}
    assert c.get(f"/api/sessions/{s['name']}/exports/..%2Fmanifest.json").status_code in (403, 404)
    assert c.get(f"/api/sessions/{s['name']}/exports/none.wav").json() == {"error": "no export named 'none.wav'"}


def test_spectrogram_is_a_png_with_the_tone_where_it_plays(ws):
    c = client(ws)
    s = opened(c)
    r = c.get(f"/api/sessions/{s['name']}/spectrogram/0?width=40&height=64")
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(r.content)))
    assert img.shape == (64, 40)
    burst, quiet = img[:, 10:20].astype(float), img[:, 25:40].astype(float)
    assert burst.max() > quiet.max() + 20  # the 1.1 kHz burst is brighter than the hum alone


def test_video_frames_and_box_prompt(ws):
    tiny_video(ws / "clip.mp4")
    c = client(ws)
    s = opened(c, "clip.mp4")
    assert s["is_video"] and abs(s["duration"] - 2.0) < 0.1
    r = c.get(f"/api/sessions/{s['name']}/frame?t=1.0")
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(r.content)).convert("L"))
    assert img.shape == (48, 64) and img[20, 15] > 180 and img[40, 60] < 80  # the square is on the left
    media = c.get(f"/api/sessions/{s['name']}/media/0")  # a video plays as a wav copy of its soundtrack
    assert media.headers["content-type"] == "audio/wav"
    assert abs(len(sf.read(io.BytesIO(media.content))[0]) / SR - 2.0) < 0.1
    j = chat(c, s["name"], "keep only the tone", box=[0.0, 0.1, 0.5, 0.7])
    assert j["result"]["agent"]["recipe"]["steps"][0]["mask"] == {"box": [0.0, 0.1, 0.5, 0.7]}
    j = chat(c, s["name"], "remove the tone", points=[[0.25, 0.4]])
    assert j["result"]["agent"]["recipe"]["steps"][0]["mask"] == {"points": [[0.25, 0.4]]}
    audio_only = opened(c)
    assert c.get(f"/api/sessions/{audio_only['name']}/frame").json() == {"error": "mix.wav is not a video"}


def test_token_and_host_checks(ws):
    c = client(ws, token="s3cret")
    assert c.get("/api/files").status_code == 401
    assert c.get("/api/files").json() == {"error": "missing or wrong token"}
    assert c.get("/api/files", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/files", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert c.get("/api/files?token=s3cret").status_code == 200
    c.cookies.clear()
    assert c.get("/").status_code == 401
    page = c.get("/?token=s3cret")  # the printed URL: a cookie carries the token to the page's files
    assert page.status_code == 200 and "samaudio_token=s3cret" in page.headers["set-cookie"]
    assert "httponly" in page.headers["set-cookie"].lower()
    assert c.get("/static/app.js").status_code == 200  # with the cookie
    c.cookies.clear()
    assert c.get("/static/app.js").status_code == 401
    # another site's page in the same browser cannot post here, token or not
    evil = {"Origin": "http://evil.example", "Authorization": "Bearer s3cret"}
    assert c.post("/api/upload?name=a.wav", content=b"x", headers=evil).json() == {"error": "cross-site request refused"}
    assert c.post("/api/open", json={"path": "mix.wav"}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    same = {"Origin": "http://testserver", "Authorization": "Bearer s3cret"}
    assert c.post("/api/open", json={"path": "mix.wav"}, headers=same).status_code == 200
    h = client(ws, allowed_hosts=("127.0.0.1",))
    assert h.get("/api/health").json() == {"error": "host 'testserver' is not served here"}


def test_page_and_vendored_library_are_served(ws):
    c = client(ws)
    page = c.get("/")
    assert page.status_code == 200 and "wavesurfer.min.js" in page.text
    for f in ("wavesurfer.min.js", "regions.min.js", "timeline.min.js", "spectrogram.min.js", "LICENSE"):
        assert c.get(f"/static/vendor/wavesurfer/{f}").status_code == 200
    assert c.get("/static/../state.py").status_code == 404
    assert c.get("/static/%2e%2e/state.py").status_code == 404


class BlockingPlanner:
    """Plans 'make it quieter' only once the test lets it: a job that can be cancelled mid-way."""

    name = "blocking"

    def __init__(self):
        self.entered, self.release = threading.Event(), threading.Event()

    def plan(self, instruction, *, duration=None, context=None):
        self.entered.set()
        self.release.wait(10)
        return Recipe.model_validate({"steps": [{"op": "gain", "db": -6}]})


def test_cancel_a_running_job_leaves_the_session_as_it_was(ws):
    planner = BlockingPlanner()
    c = client(ws, planner=planner)
    s = opened(c)
    job = c.post(f"/api/sessions/{s['name']}/chat", json={"instruction": "quieter"}).json()
    assert planner.entered.wait(10)
    busy = c.post(f"/api/sessions/{s['name']}/undo")  # no edit interleaves with a running job
    assert busy.status_code == 409 and "busy" in busy.json()["error"]
    assert c.post(f"/api/jobs/{job['id']}/cancel").json()["phase"] == "cancelling"
    planner.release.set()
    j = wait(c, job)
    assert j["state"] == "cancelled" and j["result"] is None
    assert c.get(f"/api/sessions/{s['name']}").json()["stack"] == [0]


def test_internal_errors_are_json_without_traceback(ws, monkeypatch):
    import agent.web.api_files as api_files

    def boom(path):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_files, "scan", boom)
    r = client(ws).post("/api/open", json={"path": "mix.wav"})
    assert r.status_code == 500 and r.json() == {"error": "internal error: RuntimeError: boom"}


def test_transcribe_refuses_empty_and_non_speech(ws):
    c = client(ws)
    r = c.post("/api/transcribe", files={"file": ("speech.webm", b"", "audio/webm")})
    assert r.json() == {"error": "the recording is empty"}
    assert not any((ws / ".speech").iterdir())  # nothing kept


def test_transcribe_uses_the_cli_whisper_path(ws, monkeypatch):
    import agent.speech

    seen = []

    def fake(path, model=None):
        seen.append(Path(path).read_bytes())
        return agent.speech.Transcript("remove the hum", "Remove the hum.", str(path), 0.1)

    monkeypatch.setattr(agent.speech, "transcribe", fake)
    r = client(ws).post("/api/transcribe", files={"file": ("speech.webm", b"opus bytes", "audio/webm")})
    assert r.json() == {"text": "remove the hum", "raw": "Remove the hum.", "seconds": 0.1}
    assert seen == [b"opus bytes"]


def test_scan_holds_one_block_not_the_file(tmp_path):
    """Ten minutes at 16 kHz are 38 MB of float32; the scan's peak allocation stays under 4 MB."""
    path = tmp_path / "long.wav"
    with sf.SoundFile(path, "w", SR, 1, subtype="PCM_16") as f:
        t = np.arange(SR * 10) / SR
        for i in range(60):
            f.write((0.1 + 0.8 * (i == 30)) * np.sin(2 * np.pi * 220 * t))
    tracemalloc.start()
    found = scan(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4e6, peak
    assert found.duration == 600.0 and found.peaks_max.size == 60_000
    peaks = downsample_peaks(found.peaks_min, found.peaks_max, 60)
    assert peaks.argmax() == 30 and peaks[30] > 0.85 and peaks[0] < 0.11


def test_serve_requires_a_token_beyond_loopback(ws, monkeypatch, capsys):
    import uvicorn

    from agent.cli import main
    from agent.commands.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level: served.update(app=app, host=host))
    monkeypatch.delenv("SAMAUDIO_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123", "--workspace", str(ws)]) == 0
    err = capsys.readouterr().err
    token = err.split("token (required on every request): ")[1].split()[0]
    c = TestClient(served["app"])
    assert c.get("/api/health").status_code == 401
    assert c.get("/api/health", headers={"Authorization": f"Bearer {token}"}).json() == {"ok": True}
    # loopback: no token, but only loopback Host names are answered
    assert main(["serve", "--workspace", str(ws)]) == 0
    c = TestClient(served["app"], base_url="http://127.0.0.1:8000")
    assert c.get("/api/health").json() == {"ok": True}
    assert TestClient(served["app"], base_url="http://evil.example").get("/api/health").status_code == 403
    monkeypatch.setenv("SAMAUDIO_TOKEN", "fixed")
    assert main(["serve", "--workspace", str(ws)]) == 0
    assert TestClient(served["app"], base_url="http://localhost").get("/api/health?token=fixed").status_code == 200
    assert main(["serve", "--workspace", str(ws / "missing")]) == 2
    assert "error: --workspace" in capsys.readouterr().err


class SlowBlockEngine:
    """Separates block by block through the toolkit's block runner, slowly: a long job."""

    name = "slow-blocks"

    def __init__(self):
        self.blocks_run = 0

    def separate(self, audio, prompt, *, progress=False):
        from samaudio_core.blocks import plan_blocks, run_blocks
        from samaudio_core.engines.base import SeparationResult

        def fn(seg, b):
            self.blocks_run += 1
            time.sleep(0.05)
            return seg * 0.5

        x = audio.samples
        target = run_blocks(x, fn, plan_blocks(x.shape[-1], 1600, 160), desc="slow")
        return SeparationResult(target, x - target, audio.sample_rate, {"engine": self.name})


def test_cancel_stops_a_separation_between_blocks(ws):
    engine = SlowBlockEngine()
    c = TestClient(create_app(Config(ws, planner="rules", engine=engine, memory=False, judge=False)))
    s = opened(c)
    job = c.post(f"/api/sessions/{s['name']}/chat", json={"instruction": "remove the beep"}).json()
    t0 = time.time()
    while not c.get(f"/api/jobs/{job['id']}").json()["detail"].startswith("slow "):
        assert time.time() - t0 < 20
        time.sleep(0.02)
    j = c.get(f"/api/jobs/{job['id']}").json()
    assert j["state"] == "running" and 0 <= j["progress"] < 1
    c.post(f"/api/jobs/{job['id']}/cancel")
    j = wait(c, job)
    assert j["state"] == "cancelled" and engine.blocks_run < 30  # 4 s / 0.1 s blocks: ~45 without cancel
    assert c.get(f"/api/sessions/{s['name']}").json()["stack"] == [0]
