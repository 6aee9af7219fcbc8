"""The page in a real browser: Playwright for Python driving Debian's chromium (never a
downloaded browser). Upload, drag a span, instruct, wait for the reply, A/B, undo, export;
the screenshot in the README is taken here: SAMAUDIO_SCREENSHOT=docs/web.png pytest tests/test_web_browser.py."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from web_helpers import burst_wav, tiny_video

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)  # fmt: skip

import uvicorn  # noqa: E402
from playwright import sync_api  # noqa: E402

from agent.web.app import create_app  # noqa: E402
from agent.web.state import Config  # noqa: E402

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # a fake microphone (a beep) for the speech test, granted without a prompt
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]  # fmt: skip
# The README's picture: written only when asked (SAMAUDIO_SCREENSHOT=docs/web.png), so a test
# run never modifies the checkout; otherwise the screenshot goes to the test's temp folder.
SCREENSHOT_ENV = "SAMAUDIO_SCREENSHOT"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(root: Path, **kw):
    """The app served on a free loopback port, in a thread, while the block runs: its URL."""
    port = free_port()
    app = create_app(Config(root, planner="rules", engine="dummy", memory=False, **kw))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    t0 = time.time()
    while not srv.started:
        assert time.time() - t0 < 20, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("webws")
    burst_wav(root / "mix.wav", seconds=6.0, bursts=((1.0, 2.0), (4.0, 4.8)))
    tiny_video(root / "clip.mp4")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAMAUDIO_HOME", str(root / "home"))
    with running(root) as url:
        yield url, root
    mp.undo()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


def x_at(page, seconds: float, duration: float) -> float:
    box = page.locator("#waveform").bounding_box()
    return box["x"] + box["width"] * seconds / duration


def test_upload_span_instruct_ab_undo_export(server, page, tmp_path):
    url, root = server
    page.goto(url + "/")
    page.set_input_files("#upload", str(root / "mix.wav"))
    page.wait_for_function("() => typeof S !== 'undefined' && S.ws && S.ws.getDuration() > 5.9")
    assert page.locator("#title").inner_text().startswith("mix.wav · 0:06.0")

    # drag a "+" span over the first burst: it shows in the instruction box as times
    box = page.locator("#waveform").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(x_at(page, 1.2, 6.0), y)
    page.mouse.down()
    page.mouse.move(x_at(page, 1.5, 6.0), y, steps=5)
    page.mouse.move(x_at(page, 1.8, 6.0), y, steps=5)
    page.mouse.up()
    marks = page.locator("#marks-text").inner_text()
    m = re.fullmatch(r"\+ spans \(clearly audible\): ([\d.]+)-([\d.]+) s", marks)
    assert m and abs(float(m.group(1)) - 1.2) < 0.1 and abs(float(m.group(2)) - 1.8) < 0.1, marks

    page.fill("#instruction", "keep only the beep")
    page.click("#send-btn")
    page.wait_for_selector(".msg.agent, .msg.error", timeout=30_000)
    assert page.locator(".msg.error").count() == 0, page.locator("#log").inner_text()
    reply = page.locator(".msg.agent").first
    assert reply.inner_text().startswith("Isolated the beep: judge overall")
    assert "attempts: " in reply.inner_text()
    page.wait_for_function("() => S.session.current === 1")
    assert page.locator("#versions li.current").inner_text().startswith("v1 isolate beep (spans 1.2")
    assert page.locator("#versions li.current .scores").inner_text().startswith("judge ")
    assert page.locator("#stems").is_visible()
    page.wait_for_function("() => S.ws.getDuration() > 5.9")

    # A/B at the same playhead: play, switch to the original, the time carries over
    page.click("#play-btn")
    page.wait_for_function("() => S.ws.getCurrentTime() > 0.3", timeout=10_000)
    page.click("#ab-btn")
    page.wait_for_function("() => S.ab === 'A' && S.ws.getMediaElement().src.includes('/media/0')")
    page.wait_for_function("() => S.ws.getCurrentTime() > 0.3")  # not back at 0
    assert page.locator("#ab-btn").inner_text() == "A/B: original"
    page.click("#ab-btn")
    page.wait_for_function("() => S.ab === 'B' && S.ws.getMediaElement().src.includes('/media/1')")
    page.click("#play-btn")
    page.evaluate("() => S.ws.pause()")
    shot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "web.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000  # a real rendered page, not an empty image

    # the stems' sliders: target -6 dB, "Apply mix" commits a remix step
    page.locator("#gain-target").fill("-6")
    assert page.locator("#gain-target-v").inner_text() == "-6 dB"
    page.click("#apply-btn")
    page.wait_for_function("() => S.session.current === 2")
    assert page.locator(".msg.agent").last.inner_text() == "remixed version 1: target -6 dB, rest +0 dB (version 2)"
    assert page.locator("#versions li.current").inner_text().startswith("v2 remix of v1: target -6 dB, rest 0 dB")

    # undo twice, then export the original as mp3: the browser downloads it
    page.click("#undo-btn")
    page.wait_for_function("() => S.session.current === 1")
    page.click("#undo-btn")
    page.wait_for_function("() => S.session.current === 0")
    with page.expect_download() as dl:
        page.click("#export-bar button[data-fmt=mp3]")
    assert dl.value.suggested_filename == "mix-v0.mp3"
    assert Path(dl.value.path()).stat().st_size > 1000
    assert page.errors == []


def test_video_box_becomes_a_mask_prompt(server, page):
    url, root = server
    page.goto(url + "/")
    page.select_option("#file-list", "clip.mp4")
    page.click("#open-btn")
    page.wait_for_function("() => S.session && S.session.is_video && S.ws && S.ws.getDuration() > 1.5")
    page.wait_for_function("() => document.getElementById('frame').naturalWidth === 64")
    c = page.locator("#frame-draw").bounding_box()
    page.mouse.move(c["x"] + 0.1 * c["width"], c["y"] + 0.2 * c["height"])
    page.mouse.down()
    page.mouse.move(c["x"] + 0.5 * c["width"], c["y"] + 0.8 * c["height"], steps=4)
    page.mouse.up()
    text = page.locator("#marks-text").inner_text()
    assert text.startswith("video box "), text
    assert [float(v) for v in text.removeprefix("video box ").split(",")] == pytest.approx([0.1, 0.2, 0.5, 0.8], abs=0.03)
    page.fill("#instruction", "keep only the tone")
    page.click("#send-btn")
    page.wait_for_selector(".msg.agent, .msg.error", timeout=30_000)
    assert page.locator(".msg.error").count() == 0, page.locator("#log").inner_text()
    page.wait_for_function("() => S.session.current >= 1")  # refinement may keep a later rung
    step = page.evaluate("() => S.session.versions[S.session.current].step")
    assert step["mask"]["box"][0] == pytest.approx(0.1, abs=0.02)
    assert page.errors == []


def test_microphone_is_transcribed_and_shown_before_acting(server, page):
    """Chromium's fake microphone plays a beep, not words: Whisper's answer (text, or "no speech
    recognised") must come back to the page, and nothing may run until Send is pressed."""
    url, root = server
    page.goto(url + "/")
    page.select_option("#file-list", "mix.wav")
    page.click("#open-btn")
    page.wait_for_function("() => S.session && S.ws && S.ws.getDuration() > 5.9")
    versions = page.evaluate("() => S.session.versions.length")
    page.click("#mic-btn")
    page.wait_for_function("() => document.getElementById('mic-btn').textContent.includes('Stop')")
    page.wait_for_timeout(1500)
    page.click("#mic-btn")
    page.wait_for_function(
        "() => document.getElementById('phase').textContent.startsWith('heard:') "
        "|| document.querySelector('.msg.error')", timeout=60_000,
    )  # fmt: skip
    if page.locator(".msg.error").count():
        assert page.locator(".msg.error").inner_text() == "the recording: no speech recognised"
    else:
        heard = page.input_value("#instruction")
        assert heard and page.locator("#phase").inner_text() == f'heard: "{heard}" — press Send to run it'
    assert page.evaluate("() => S.session.versions.length") == versions  # nothing was acted on
    assert page.locator(".msg.user").count() == 0
    assert page.errors == []


def test_a_token_protected_server_works_from_the_printed_url(tmp_path, page, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    burst_wav(tmp_path / "mix.wav", seconds=2.0, bursts=((0.5, 1.0),))
    with running(tmp_path, token="t0ken") as url:
        refused = page.goto(url + "/")  # no token: not even the page is served
        assert refused.status == 401 and refused.json() == {"error": "missing or wrong token"}
        page.goto(url + "/?token=t0ken")
        page.select_option("#file-list", "mix.wav")
        page.click("#open-btn")
        page.wait_for_function("() => S.ws && S.ws.getDuration() > 1.9")  # peaks, media with the token
        page.click("#play-btn")
        page.wait_for_function("() => S.ws.getCurrentTime() > 0.2", timeout=10_000)
        assert page.errors == []
