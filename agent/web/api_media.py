"""Media a page draws and plays: audio with range requests, peaks, a spectrogram, video frames.

Nothing here holds a whole file: audio is served from disk in ranges (Starlette's
``FileResponse`` answers ``Range``), peaks and spectrograms come from one streamed pass
(:mod:`samaudio_core.mediascan`) and are cached in the session's ``web/`` folder. An original
a browser may not play (a video's soundtrack, m4a, aiff ...) gets a 16-bit wav copy, decoded
block by block.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from samaudio_core.errors import PromptError
from samaudio_core.mediascan import downsample_peaks, scan, spectrogram, write_pcm16
from samaudio_core.video_io import failure_reason, open_video, video_stream

from .api_session import version_of
from .state import NotFound, Session, State

router = APIRouter()
#: Originals a browser's <audio> plays as they are.
PLAYABLE = {".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


def web(request: Request) -> State:
    return request.app.state.web


def playable(session: Session, vid: int):
    """(path, media type) of a version as a browser plays it."""
    v = session.ws.versions[vid]
    path = session.ws.path_of(v)
    kind = PLAYABLE.get(path.suffix.lower())
    if kind:
        return path, kind
    copy = session.cache(f"play-v{vid}.wav")
    if not copy.exists():
        write_pcm16(path, copy)
    return copy, "audio/wav"


@router.get("/sessions/{name}/media/{version}")
def media(name: str, version: str, request: Request):
    session = web(request).get(name)
    path, kind = playable(session, version_of(session, version))
    return FileResponse(path, media_type=kind)


def peaks_of(session: Session, vid: int) -> tuple[np.ndarray, np.ndarray]:
    cache = session.cache(f"peaks-v{vid}.npz")
    if not cache.exists():
        found = scan(session.ws.path_of(session.ws.versions[vid]))
        np.savez(cache, min=found.peaks_min, max=found.peaks_max)
    with np.load(cache) as data:
        return data["min"], data["max"]


@router.get("/sessions/{name}/peaks/{version}")
def peaks(name: str, version: str, request: Request, n: int = Query(4000, ge=10, le=200_000)):
    """``n`` signed peaks (mono) of a version, and its duration: what the waveform draws."""
    session = web(request).get(name)
    vid = version_of(session, version)
    lo, hi = peaks_of(session, vid)
    v = session.ws.versions[vid]
    duration = float(session.ws.audio_info(v)["duration"])
    values = downsample_peaks(lo, hi, n)
    return {"version": vid, "duration": duration, "peaks": [round(float(x), 4) for x in values]}


def png(gray: np.ndarray) -> bytes:
    """A grayscale image as PNG bytes (a colour map is the page's business: CSS filters)."""
    h, w = gray.shape
    raw = b"".join(b"\x00" + gray[i].tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


@router.get("/sessions/{name}/spectrogram/{version}")
def spectrogram_png(
    name: str, version: str, request: Request,
    width: int = Query(1200, ge=16, le=8000), height: int = Query(128, ge=16, le=512),
):  # fmt: skip
    session = web(request).get(name)
    vid = version_of(session, version)
    cache = session.cache(f"spec-v{vid}-{width}x{height}.png")
    if not cache.exists():
        v = session.ws.versions[vid]
        duration = float(session.ws.audio_info(v)["duration"])
        image = spectrogram(session.ws.path_of(v), width, height, duration=duration)
        cache.write_bytes(png(image))
    return FileResponse(cache, media_type="image/png")


def _original_video(session: Session) -> str:
    if not session.is_video:
        raise PromptError(f"{session.ws.original.path.rsplit('/', 1)[-1]} is not a video")
    return str(session.ws.path_of(session.ws.original))


@router.get("/sessions/{name}/frame")
def frame(name: str, request: Request, t: float = Query(0.0, ge=0.0), width: int = Query(640, ge=32, le=1920)):
    """The video frame at ``t`` seconds, as a JPEG (the page draws a box or clicks a point on it)."""
    session = web(request).get(name)
    path = _original_video(session)
    with open_video(path) as container:
        stream = video_stream(container, path)
        try:
            if t > 0 and stream.time_base:
                container.seek(int(t / stream.time_base), stream=stream, backward=True, any_frame=False)
            picked = None
            for fr in container.decode(stream):
                picked = fr
                if fr.time is None or fr.time + 1e-3 >= t:
                    break
        except Exception as exc:  # FFmpeg errors on a damaged file
            raise PromptError(f"cannot read a frame at {t:g} s: {failure_reason(exc)}") from None
    if picked is None:
        raise NotFound(f"no video frame at {t:g} s")
    image = picked.to_image()
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return Response(buf.getvalue(), media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})
