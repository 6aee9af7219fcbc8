"""Opening a video with PyAV: the one place that turns FFmpeg's failures into clear errors.

Shared by video analysis and re-muxing (``video.py``) and mask images/videos
(``mask_pixels.py``), which must not import each other.
"""

from __future__ import annotations

from .audio import check_input_file
from .errors import PromptError


def open_video(path: str):
    import av

    p = check_input_file(path, what="video file", error=PromptError)
    try:
        return av.open(str(p))
    except Exception as exc:  # FFmpeg reports unreadable containers in many ways
        raise PromptError(f"{path}: cannot read as a video ({failure_reason(exc)})") from exc


def failure_reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def video_stream(container, path: str):
    streams = [s for s in container.streams if s.type == "video"]
    if not streams:
        raise PromptError(f"{path}: the file has no video stream")
    stream = streams[0]
    if stream.codec_context is None:
        raise PromptError(f"{path}: the video codec is not supported by this FFmpeg build")
    return stream
