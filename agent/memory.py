"""Session memory: every instruction, plan, result, score and stated preference, in chromadb.

:class:`SessionMemory` wraps one chromadb ``PersistentClient`` under ``SAMAUDIO_HOME``
(default ``~/.samaudio``; tests point it at a temporary folder), so memory survives a
restart and is shared by ``do`` and ``chat``. Entries are embedded with the packaged
all-MiniLM-L6-v2 (``samaudio_core.embeddings``) through our own embedding function:
chroma's default one downloads an ONNX model on first use and fails offline. Stated
preferences ("I prefer gentle noise removal", "always export mp3") are stored as their own
kind and turned into :class:`Preferences` that the loop applies to later plans.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.lc_tools import format_scores

from .home import samaudio_home
from .preferences import Preferences, detect_preference

log = logging.getLogger(__name__)

#: Kinds of memory entry; ``recall`` can filter on one.
KINDS = ("instruction", "plan", "result", "score", "preference", "reply")
COLLECTION = "samaudio_memory"
#: How much quieter a "gentle" removal leaves the target (dB), instead of removing it all.
GENTLE_REMOVAL_DB = -12.0


class MiniLMEmbedding:
    """chromadb embedding function on the packaged MiniLM; never downloads anything."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: list[str]) -> list:  # chromadb's protocol names the argument `input`
        from samaudio_core.embeddings import embed

        return list(embed(list(input)))

    def embed_query(self, input: list[str]) -> list:
        return self(input)

    @staticmethod
    def name() -> str:
        return "samaudio-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": "all-MiniLM-L6-v2", "dim": 384}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding()

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]

    def is_legacy(self) -> bool:
        return False


def _chroma_embedding_function():
    """Our embedding function as a registered chromadb subclass (built on first use, once)."""
    global _EF_CLASS
    if _EF_CLASS is None:
        from chromadb.api.types import EmbeddingFunction
        from chromadb.utils.embedding_functions import register_embedding_function

        class _Registered(MiniLMEmbedding, EmbeddingFunction):  # type: ignore[misc]
            pass

        _Registered.__name__ = "SamaudioMiniLMEmbedding"
        try:
            register_embedding_function(_Registered)
        except ValueError:  # already registered by an earlier import in this process
            pass
        _EF_CLASS = _Registered
    return _EF_CLASS()


_EF_CLASS: Any = None


@dataclass
class MemoryItem:
    """One remembered entry."""

    kind: str
    text: str
    session: str = ""
    time: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    distance: float | None = None

    def to_messages(self) -> list[dict[str, str]]:
        """As chat messages for a planner's context."""
        role = "user" if self.kind in ("instruction", "preference") else "assistant"
        return [{"role": role, "content": f"[{self.kind}] {self.text}"}]

    def snippet(self) -> str:
        return f"{self.kind}: {self.text}"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


class SessionMemory:
    """Persistent, searchable memory of what the user asked and what the agent did.

    Parameters
    ----------
    path : folder of the chromadb store; default ``samaudio_home() / "memory"``
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else samaudio_home() / "memory"
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings

            self.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(self.path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
            )
            self._collection = client.get_or_create_collection(
                COLLECTION, embedding_function=_chroma_embedding_function(), metadata={"hnsw:space": "cosine"}
            )
        return self._collection

    def add(self, text: str, kind: str = "instruction", session: str | None = None, **meta: Any) -> str:
        """Remember ``text`` as an entry of ``kind``; returns its id.

        The entry is appended to a journal and embedded on the next :meth:`recall` (or
        :meth:`flush`): loading the embedding model costs seconds, and a one-shot ``samaudio
        do`` should not pay it just to write its history.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown memory kind {kind!r} (one of {', '.join(KINDS)})")
        text = str(text).strip()
        if not text:
            raise ValueError("cannot remember an empty text")
        metadata: dict[str, Any] = {"kind": kind, "session": session or "", "time": _now()}
        for key, value in meta.items():  # chroma metadata holds scalars only
            if value is None:
                continue
            metadata[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        item_id = uuid.uuid4().hex
        self.path.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"id": item_id, "text": text, "meta": metadata}) + "\n"
        with self._locked():
            with open(self._journal, "a+b") as fh:
                # A process killed mid-append leaves a torn last line; start on a fresh line so
                # only that torn entry is skipped (``_pending``), not this one glued to it.
                if fh.tell() and (fh.seek(-1, os.SEEK_END), fh.read(1))[1] != b"\n":
                    line = "\n" + line
                fh.write(line.encode("utf-8"))
        return item_id

    @property
    def _journal(self) -> Path:
        return self.path / "pending.jsonl"

    def _locked(self):
        """An exclusive lock shared by every process using this memory folder."""
        return _FileLock(self.path / ".lock")

    def _pending(self) -> list[dict[str, Any]]:
        if not self._journal.is_file():
            return []
        rows = []
        for line in self._journal.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a torn last line from a crash: skip it
                continue
        return rows

    def flush(self) -> int:
        """Embed and store journaled entries; returns how many. Safe to run concurrently."""
        with self._locked():
            rows = self._pending()
            if rows:
                # upsert by id: a crash between storing and truncating never duplicates entries
                self.collection.upsert(
                    ids=[r["id"] for r in rows],
                    documents=[r["text"] for r in rows],
                    metadatas=[r["meta"] for r in rows],
                )
            if self._journal.exists():
                self._journal.unlink()
        return len(rows)

    def recall(
        self, query: str, k: int = 5, kind: str | None = None, session: str | None = None
    ) -> list[MemoryItem]:
        """The ``k`` entries nearest in meaning to ``query``, nearest first."""
        self.flush()
        n = self.collection.count()
        if n == 0 or not query.strip():
            return []
        where = _where(kind, session)
        res = self.collection.query(query_texts=[query], n_results=min(k, n), where=where)
        items = []
        for doc, md, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0]):
            items.append(_item(doc, md, dist))
        return items

    def entries(self, kind: str | None = None, session: str | None = None) -> list[MemoryItem]:
        """Every entry (optionally of one kind or session), oldest first; needs no embedding."""
        items = []
        if (self.path / "chroma.sqlite3").exists() and self.collection.count():
            res = self.collection.get(where=_where(kind, session))
            items = [_item(doc, md) for doc, md in zip(res["documents"], res["metadatas"])]
        seen = {(it.time, it.text) for it in items}
        for row in self._pending():
            md = row["meta"]
            if (kind and md.get("kind") != kind) or (session and md.get("session") != session):
                continue
            if (md.get("time"), row["text"]) not in seen:
                items.append(_item(row["text"], md))
        return sorted(items, key=lambda it: it.time)

    def preferences(self) -> Preferences:
        """The user's stated preferences, across all sessions."""
        return Preferences.from_statements([it.text for it in self.entries(kind="preference")])

    def add_result(self, result: Any, session: str) -> None:
        """Remember what one instruction did (an ``AgentResult``): the instruction, the plan,
        each separation's scores and the reply. Never raises: memory is a convenience, and an
        edit must not be lost over it."""
        try:
            self.add(result.instruction, kind="instruction", session=session, planner=result.planner)
            if result.recipe is not None:
                self.add(json.dumps(result.recipe), kind="plan", session=session)
            for r in result.steps:
                if r.op == "separate" and r.scores:
                    self.add(
                        f"{r.description}: {format_scores(r.scores)}",
                        kind="score",
                        session=session,
                        **r.scores,
                    )
            if result.reply:
                self.add(result.reply, kind="result", session=session, ok=result.ok)
        except Exception as exc:  # memory is a convenience: never lose an edit over it
            log.warning("could not write session memory: %s", exc)

    def remember_preference(self, text: str, session: str | None = None) -> bool:
        """Store ``text`` as a preference when it states one; returns whether it did."""
        stated = detect_preference(text)
        if stated:
            self.add(stated, kind="preference", session=session)
        return stated is not None


class _FileLock:
    """``fcntl.flock`` on a lock file, as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a")
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


def _where(kind: str | None, session: str | None) -> dict[str, Any] | None:
    conds = [{"kind": kind}] if kind else []
    if session:
        conds.append({"session": session})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def _item(doc: str, md: dict[str, Any], dist: float | None = None) -> MemoryItem:
    md = dict(md or {})
    kind, session, time = md.pop("kind", ""), md.pop("session", ""), md.pop("time", "")
    return MemoryItem(kind=kind, text=doc, session=session, time=time, meta=md, distance=dist)
