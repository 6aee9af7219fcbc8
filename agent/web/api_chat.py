"""The chat: an instruction (typed, or spoken and transcribed first) becomes a job that runs
the session's :class:`agent.loop.Agent`, the same agent ``samaudio chat`` drives."""

from __future__ import annotations

import os
import uuid

from fastapi import APIRouter, Request, UploadFile
from pydantic import BaseModel, Field

from agent.errors import SpeechError
from samaudio_core.errors import PromptError
from samaudio_core.progress import Cancelled

from .jobs import Job
from .pointed import Pointed, PointedPlanner
from .state import Session, State, TooLarge
from .views import session_view

router = APIRouter()
#: A spoken instruction is seconds long; 20 MB is minutes of opus.
SPEECH_LIMIT = 20 * 1024 * 1024


def web(request: Request) -> State:
    return request.app.state.web


class ChatBody(BaseModel):
    instruction: str = Field(..., min_length=1, max_length=2000)
    pointed: Pointed = Field(default_factory=Pointed)


def agent_for(state: State, session: Session):
    """The session's agent (made once, so "again" and memory carry over between turns)."""
    if session.agent is None:
        from agent.loop import Agent
        from agent.planners.base import resolve_planner

        cfg = state.config
        session.agent = Agent(
            session.ws, planner=PointedPlanner(resolve_planner(cfg.planner)), engine=cfg.engine,
            judge=cfg.judge, memory=None if cfg.memory else False,
        )  # fmt: skip
    return session.agent


@router.post("/sessions/{name}/chat")
def chat(name: str, body: ChatBody, request: Request):
    state = web(request)
    session = state.get(name)
    if (body.pointed.box or body.pointed.points) and not session.is_video:
        raise PromptError("a box or point prompt needs a video input; this session's input is audio")
    agent = agent_for(state, session)
    jobs = request.app.state.jobs

    def work(job: Job) -> dict:
        planner: PointedPlanner = agent.planner
        planner.pointed = body.pointed

        def planned(recipe):
            if job.cancel_requested:
                raise Cancelled("cancelled")
            job.planned_steps = sum(1 for s in recipe.steps if s.op not in ("undo", "reset"))
            job.phase = f"running {len(recipe.steps)} step(s)" if recipe.steps else "answering"

        planner.on_plan = planned
        text = " ".join(body.instruction.split())
        if planner.tool_model() is not None and not body.pointed.empty:
            text = f"{text} {body.pointed.sentence()}"  # a chat model reads the pointed prompts as words
        try:
            result = agent.run(None, text)
        finally:
            planner.pointed, planner.on_plan = None, None
        # Paths in the reply are shown relative to the workspace: a page needs no server paths.
        reply = result.reply.replace(f"{state.root}{os.sep}", "")
        return {"reply": reply, "agent": result.to_dict(), "session": session_view(session)}

    job = jobs.submit(session, "chat", work)
    return job.to_dict()


@router.get("/jobs/{job_id}")
def job_status(job_id: str, request: Request):
    return request.app.state.jobs.get(job_id).to_dict()


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: str, request: Request):
    return request.app.state.jobs.cancel(job_id).to_dict()


@router.post("/transcribe")
def transcribe(file: UploadFile, request: Request):
    """A spoken instruction recorded in the browser, transcribed with the CLI's Whisper path.
    The text comes back to the page, which shows it before anything acts on it."""
    from agent.speech import transcribe as whisper

    state = web(request)
    folder = state.root / ".speech"
    folder.mkdir(exist_ok=True)
    suffix = os.path.splitext(file.filename or "")[1].lower()
    path = folder / f"{uuid.uuid4().hex}{suffix if suffix in ('.webm', '.ogg', '.wav', '.mp4', '.m4a') else '.webm'}"
    try:
        size = 0
        with open(path, "wb") as f:
            while chunk := file.file.read(1 << 16):
                size += len(chunk)
                if size > SPEECH_LIMIT:
                    raise TooLarge(f"a spoken instruction is limited to {SPEECH_LIMIT} bytes")
                f.write(chunk)
        if size == 0:
            raise SpeechError("the recording is empty")
        t = whisper(path)
        return {"text": t.text, "raw": t.raw, "seconds": t.seconds}
    except SpeechError as exc:  # name no server path in the message
        raise SpeechError(str(exc).replace(str(path), "the recording")) from None
    finally:
        path.unlink(missing_ok=True)
