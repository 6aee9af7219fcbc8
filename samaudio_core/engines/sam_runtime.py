"""SAM Audio's runtime, shared by the ``sam-audio`` engine and SAM Audio Judge.

Everything both need before and around the model: importing the optional ``sam_audio``
package (with the fix when it is missing or broken), finding weights (a local folder or a
Hugging Face id the user named; nothing is downloaded unless asked), what a checkpoint would
fetch from the hub, choosing the device, loading across a huggingface_hub version clash, and
the text form SAM Audio was trained on. The checks are cheap: no model import, no network.
Used by :mod:`samaudio_core.engines.sam_audio` and :mod:`samaudio_core.judge_sam`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
from pathlib import Path
from typing import Any

from ..errors import EngineUnavailableError

log = logging.getLogger(__name__)

#: Environment variables: weights (folder or hub id), device override, permission to download
#: what the checkpoint needs from the hub (text encoder, span predictor, rankers).
MODEL_ENV = "SAMAUDIO_SAM_MODEL"
DEVICE_ENV = "SAMAUDIO_SAM_DEVICE"
DOWNLOAD_ENV = "SAMAUDIO_SAM_ALLOW_DOWNLOAD"
DOCS = "docs/sam-audio.md"
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


# --- status checks ---------------------------------------------------------------------------


def package_reason() -> str | None:
    """None when the ``sam_audio`` package is importable, else how to install it."""
    if importlib.util.find_spec("sam_audio") is None:
        return (
            "package sam_audio not installed "
            f"(pip install it from github.com/facebookresearch/sam-audio; see {DOCS})"
        )
    return None


def import_api() -> Any:
    """Import ``sam_audio``; a missing dependency becomes an error naming it and the fix."""
    reason = package_reason()
    if reason:
        raise EngineUnavailableError(reason)
    try:
        return importlib.import_module("sam_audio")
    except ImportError as exc:
        raise EngineUnavailableError(
            f"sam_audio is installed but fails to import ({exc}); install its dependencies "
            f"(pip install from its repository pulls them; see {DOCS})"
        ) from exc


def weights_reason(name: str | None, env: str = MODEL_ENV, tokenizer: bool = False) -> str | None:
    """None when ``name`` is a complete weights folder or looks like a hub id, else why not.

    A hub id is accepted without contacting the hub: it is only fetched, on first use,
    because the user named it."""
    if not name:
        return (
            f"no weights: set {env} to a folder holding config.json and checkpoint.pt, "
            "or to a Hugging Face id you have access to"
        )
    path = Path(name).expanduser()
    if path.is_dir():
        missing = [f for f in ("config.json", "checkpoint.pt") if not (path / f).is_file()]
        if tokenizer and not any((path / f).is_file() for f in ("tokenizer.json", "tokenizer_config.json")):
            missing.append("tokenizer files (tokenizer.json)")
        return f"{env}={name}: the folder lacks {', '.join(missing)}" if missing else None
    if path.exists():
        return f"{env}={name} is a file; it must name a folder holding config.json and checkpoint.pt"
    if _HUB_ID.fullmatch(name) and not name.startswith((".", "~")):
        return None
    return f"{env}={name}: no such folder (and not a Hugging Face id such as facebook/sam-audio-small)"


def device_reason() -> str | None:
    """None when there is a CUDA GPU (or the user forced a device), else the reason."""
    if os.environ.get(DEVICE_ENV):
        return None
    import torch

    if torch.cuda.is_available():
        return None
    return f"no CUDA GPU found (set {DEVICE_ENV}=cpu to run on the CPU anyway, very slowly)"


def pick_device(device: str | None) -> str:
    if device:
        return device
    if os.environ.get(DEVICE_ENV):
        return os.environ[DEVICE_ENV]
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def describe_text(text: str | None) -> str:
    """SAM Audio was trained on short lowercase noun/verb phrases ("dog barking"), so the
    description is lowercased and stripped of sentence punctuation; "" for span/mask-only."""
    return re.sub(r"\s+", " ", str(text or "")).strip().strip(".!?;:").strip().lower()


def allow_download(option: bool | None) -> bool:
    """The engine option if set, else ``$SAMAUDIO_SAM_ALLOW_DOWNLOAD``."""
    if option is not None:
        return option
    return os.environ.get(DOWNLOAD_ENV, "").lower() in ("1", "true", "yes")


def _in_hub_cache(repo_id: str, revision: str | None = None) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    # transformers resolves the old short names ("t5-base") to "google-t5/t5-base".
    for rid in (repo_id, f"google-t5/{repo_id}") if "/" not in repo_id else (repo_id,):
        try:
            if isinstance(try_to_load_from_cache(rid, "config.json", revision=revision), str):
                return True
        except Exception:  # malformed ids are simply "not cached"
            continue
    return False


def missing_hub_dependencies(config: dict[str, Any], predict_spans: bool, rankers: bool) -> list[str]:
    """What a checkpoint folder's config would fetch from the hub at load and is neither a
    local folder nor in the Hugging Face cache, as ``hf download`` arguments. SAM Audio pulls
    its T5 text encoder (and, when asked, the PEA-Frame span predictor and the rankers) from
    the hub while loading: offline, that is where users see a hang or a long retry."""
    wanted: list[tuple[str, str | None]] = [
        (str((config.get("text_encoder") or {}).get("name", "t5-base")), None)
    ]
    if predict_spans:
        sp = config.get("span_predictor", "pe-a-frame-large")
        if sp:
            # perception_models fetches "facebook/<name>" at its "perception_models" revision.
            wanted.append(
                (sp, None) if "/" in sp or Path(sp).is_dir() else (f"facebook/{sp}", "perception_models")
            )
    if rankers:
        for key in ("text_ranker", "visual_ranker"):
            rk = config.get(key) or {}
            ref = rk.get("checkpoint_or_model_id") if isinstance(rk, dict) else None
            if ref:
                wanted.append((str(ref), "sam_audio" if str(rk.get("kind")) == "judge" else None))
    return [
        repo + (f" --revision {rev}" if rev else "")
        for repo, rev in wanted
        if not Path(repo).expanduser().is_dir() and not _in_hub_cache(repo, rev)
    ]


def load_pretrained(cls: Any, path: str, **kwargs: Any) -> Any:
    """``cls.from_pretrained(path, **kwargs)``, working around a version clash: SAM Audio's
    ``_from_pretrained`` requires the ``proxies`` and ``resume_download`` arguments, which
    huggingface_hub >= 1.0 (the one transformers 5 brings) no longer passes, so the public
    loader fails with a TypeError. Then the loader is called with those arguments itself."""
    try:
        return cls.from_pretrained(path, **kwargs)
    except TypeError as exc:
        if not ("proxies" in str(exc) or "resume_download" in str(exc)) or not hasattr(
            cls, "_from_pretrained"
        ):
            raise
        log.info("sam-audio: calling _from_pretrained directly (%s)", exc)
        return cls._from_pretrained(
            model_id=path,
            cache_dir=None,
            force_download=False,
            proxies=None,
            resume_download=None,
            local_files_only=False,
            token=None,
            **kwargs,
        )
