"""The ``llama-cpp`` planner: a local GGUF model in-process, with schema-constrained output.

An optional extra (``pip install 'samaudio[llama-cpp]'``; llama-cpp-python has no wheel on
PyPI and compiles from source, which needs gcc and cmake). The model file comes from
``model_path`` or ``$SAMAUDIO_LLAMA_MODEL``. Decoding is constrained by the recipe's JSON
schema (llama.cpp turns it into a grammar), which made a 0.5B instruct model right on most
simple instructions where free tool calling was not (STACK.md). Validation, repair and the
fall-back to ``rules`` are shared with the ``openai`` planner.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tools.recipe import Recipe

from ..errors import PlannerUnavailableError
from .openai_planner import Messages, plan_with_json, recipe_schema

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppPlanner:
    """Plans with a local GGUF model through llama-cpp-python.

    Parameters
    ----------
    model_path : a .gguf file (default ``$SAMAUDIO_LLAMA_MODEL``)
    n_ctx : context window in tokens; retries : repair rounds before falling back to rules
    llm : a ready ``llama_cpp.Llama`` (or anything with ``create_chat_completion``)
    """

    name = "llama-cpp"

    def __init__(
        self, model_path: str | None = None, n_ctx: int = 4096, retries: int = 1, llm: Any = None
    ) -> None:
        self.retries = retries
        if llm is not None:
            self.llm = llm
            return
        try:
            import llama_cpp
        except ImportError:
            raise PlannerUnavailableError(
                "the llama-cpp planner needs llama-cpp-python: pip install 'samaudio[llama-cpp]' "
                "(it compiles from source: gcc and cmake required)"
            ) from None
        path = model_path or os.environ.get("SAMAUDIO_LLAMA_MODEL")
        if not path:
            raise PlannerUnavailableError(
                "the llama-cpp planner needs a GGUF model: set SAMAUDIO_LLAMA_MODEL"
            )
        if not Path(path).is_file():
            raise PlannerUnavailableError(f"GGUF model not found: {path}")
        self.llm = llama_cpp.Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=os.cpu_count() or 2, verbose=False
        )

    def plan(self, instruction: str, *, duration: float | None = None, context: Any = None) -> Recipe:
        return plan_with_json(
            self._ask, instruction, duration=duration, context=context, retries=self.retries
        )

    def _ask(self, messages: Messages) -> str:
        out = self.llm.create_chat_completion(
            messages=[{"role": _ROLES.get(role, role), "content": content} for role, content in messages],
            response_format={"type": "json_object", "schema": recipe_schema()},
            temperature=0.0,
            max_tokens=512,
        )
        return out["choices"][0]["message"]["content"] or ""
