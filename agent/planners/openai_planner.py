"""The ``openai`` planner: any OpenAI-compatible chat endpoint through langchain-openai.

Configured by ``SAMAUDIO_LLM_BASE_URL`` (OpenAI itself when unset; Ollama, vLLM and
llama.cpp servers all speak this API), ``SAMAUDIO_LLM_MODEL`` and ``OPENAI_API_KEY``.
The agent loop first uses the model with the tools bound (``tool_model``); where a server
does not do tool calling, :meth:`OpenAIPlanner.plan` asks for a recipe constrained by the
recipe's JSON schema instead: OpenAI's ``json_schema`` response format, else llama.cpp's
``json_object`` with a ``schema`` (what ``llama_cpp.server`` accepts), else plain JSON mode,
else no response format (``SAMAUDIO_LLM_JSON`` picks one of those four outright). Every answer is validated against the schema; an invalid one
is sent back with the validation error for repair (``retries`` times), and when it is still
invalid the ``rules`` planner answers. Timeouts are short and there are no silent retries:
an unreachable endpoint gives a clear :class:`PlannerUnavailableError`, never a hang.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from prompts import few_shot_messages, render
from tools.recipe import Recipe, RecipeError, parse_recipe

from ..errors import PlannerUnavailableError
from .contract import Planner
from .rules import RulesPlanner

log = logging.getLogger(__name__)

#: Seconds to wait for the endpoint before giving up (connect and read).
DEFAULT_TIMEOUT = 20.0
DEFAULT_MODEL = "gpt-4o-mini"
#: response formats tried in this order until the server accepts one (see OpenAIPlanner._ask)
JSON_MODES = ("json_schema", "json_object_schema", "json_object", "none")

Messages = list[tuple[str, str]]


@lru_cache(maxsize=1)
def recipe_schema() -> dict[str, Any]:
    """The JSON schema of recipe v1 (what constrained decoding enforces)."""
    return Recipe.model_json_schema()


def extract_json(text: str) -> Any:
    """The JSON object in a model's answer (code fences and chatter around it are ignored)."""
    s = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", s, re.DOTALL)
    if fenced:
        s = fenced.group(1).strip()
    start, end = s.find("{"), s.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the answer holds no JSON object")
    try:
        return json.loads(s[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})") from None


def planner_messages(instruction: str, duration: float | None, context: Any) -> Messages:
    """System prompt, few-shot examples and the instruction, as (role, content) pairs."""
    ctx = context
    system = render(
        "system",
        "planner",
        duration=duration if duration is not None else 0.0,
        input_is_video=bool(getattr(ctx, "input_is_video", False)),
        preferences=[f"{k}: {v}" for k, v in (getattr(ctx, "preferences", None) or {}).items()],
        memory=list(getattr(ctx, "memories", None) or []),
        last_recipe=ctx.last_recipe.to_json() if getattr(ctx, "last_recipe", None) is not None else "",
    )
    schema = json.dumps(recipe_schema(), separators=(",", ":"))
    messages: Messages = [("system", f"{system}\n\nJSON schema of the answer:\n{schema}")]
    messages += few_shot_messages()
    dur = f"{duration:g}" if duration is not None else "unknown"
    messages.append(("human", f"[duration {dur} s] {instruction}"))
    return messages


def plan_with_json(
    ask: Callable[[Messages], str],
    instruction: str,
    *,
    duration: float | None,
    context: Any,
    retries: int = 2,
    fallback: Planner | None = None,
) -> Recipe:
    """Ask for a recipe as JSON; validate, send errors back for repair, fall back to rules.

    ``ask(messages) -> text`` talks to the model; it raises PlannerUnavailableError when the
    model cannot be reached (that propagates: a fallback would hide a broken setup).
    ``fallback`` plans when the model gives no valid recipe (default: the rules planner).
    """
    messages = planner_messages(instruction, duration, context)
    last_error = ""
    for attempt in range(retries + 1):
        text = ask(messages)
        try:
            recipe = parse_recipe(extract_json(text))
        except (ValueError, RecipeError) as exc:
            last_error = str(exc)
            log.info("planner answer %d invalid: %s", attempt + 1, last_error)
            messages = [*messages, ("ai", text), ("human", render("system", "repair", error=last_error))]
            continue
        if duration is not None and recipe.steps:
            try:
                recipe.check_against(duration)
            except RecipeError as exc:  # a time past the end: the right answer is a refusal
                return Recipe(steps=[], error=str(exc))
        return recipe
    fallback = fallback or RulesPlanner()
    log.warning(
        "the LLM gave no valid recipe after %d tries (%s); using the %s planner",
        retries + 1,
        last_error,
        fallback.name,
    )
    recipe = fallback.plan(instruction, duration=duration, context=context)
    note = f"(the LLM's plan was invalid: {last_error}; planned by the {fallback.name} planner)"
    return recipe.model_copy(update={"reply": f"{recipe.reply} {note}".strip() if recipe.reply else note})


def classify_llm_error(exc: BaseException) -> tuple[str, str]:
    """(kind, message) for an error from a chat endpoint: unreachable, no_tools, or other."""
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai depends on it
        openai = None  # type: ignore[assignment]
    name = type(exc).__name__
    text = str(exc)
    if openai is not None:
        if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError)):
            return "unreachable", f"the LLM endpoint cannot be reached ({name}: {text})"
        if isinstance(exc, openai.AuthenticationError):
            return "unreachable", "the LLM endpoint refused the API key (check OPENAI_API_KEY)"
        if isinstance(exc, openai.NotFoundError):
            return "unreachable", f"the LLM endpoint does not know that model or path ({text})"
        if isinstance(exc, openai.BadRequestError) and re.search(r"tool|function", text, re.IGNORECASE):
            return "no_tools", f"the endpoint does not do tool calling ({text})"
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return "unreachable", f"the LLM endpoint cannot be reached ({name}: {text})"
    return "other", f"{name}: {text}"


class OpenAIPlanner:
    """Plans with a chat model behind an OpenAI-compatible endpoint.

    Parameters
    ----------
    model, base_url, api_key : override ``SAMAUDIO_LLM_MODEL``, ``SAMAUDIO_LLM_BASE_URL``, ``OPENAI_API_KEY``
    timeout : seconds per request (``SAMAUDIO_LLM_TIMEOUT``, default 20)
    retries : repair rounds for an invalid recipe before falling back to ``rules``
    tools : use tool calling in the agent loop (``SAMAUDIO_LLM_TOOLS=0`` turns it off)
    json_mode : one of JSON_MODES to use outright (``SAMAUDIO_LLM_JSON``); default: the first
        the server accepts
    fallback : the planner that answers when the model gives no valid recipe (default rules)
    llm : a ready LangChain chat model (tests pass a fake one)
    """

    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        retries: int = 2,
        tools: bool | None = None,
        json_mode: str | None = None,
        fallback: Planner | None = None,
        llm: Any = None,
    ) -> None:
        self.model = model or os.environ.get("SAMAUDIO_LLM_MODEL") or DEFAULT_MODEL
        self.base_url = base_url or os.environ.get("SAMAUDIO_LLM_BASE_URL") or None
        self.api_key = (
            api_key or os.environ.get("OPENAI_API_KEY") or ("not-needed" if self.base_url else None)
        )
        if llm is None and not self.api_key:
            raise PlannerUnavailableError(
                "the openai planner needs SAMAUDIO_LLM_BASE_URL (a local server) or OPENAI_API_KEY"
            )
        self.timeout = float(timeout or os.environ.get("SAMAUDIO_LLM_TIMEOUT") or DEFAULT_TIMEOUT)
        self.retries = retries
        self.use_tools = tools if tools is not None else os.environ.get("SAMAUDIO_LLM_TOOLS", "1") != "0"
        self._llm = llm
        self.fallback = fallback
        forced = json_mode or os.environ.get("SAMAUDIO_LLM_JSON") or None
        if forced is not None and forced not in JSON_MODES:
            raise PlannerUnavailableError(
                f"unknown JSON mode '{forced}' (SAMAUDIO_LLM_JSON: one of {', '.join(JSON_MODES)})"
            )
        self._forced_mode = forced
        self._json_mode: str | None = forced  # which response_format the server accepted

    @property
    def llm(self) -> Any:
        if self._llm is None:
            from langchain_openai import ChatOpenAI

            self._llm = ChatOpenAI(
                model=self.model,
                base_url=self.base_url,
                api_key=self.api_key,
                timeout=self.timeout,
                max_retries=0,  # no silent retry loops: an unreachable server answers at once
                temperature=0,
            )
        return self._llm

    def tool_model(self) -> Any:
        """The chat model for the agent loop's tool mode (None when tool calling is off)."""
        return self.llm if self.use_tools else None

    def plan(self, instruction: str, *, duration: float | None = None, context: Any = None) -> Recipe:
        return plan_with_json(
            self._ask,
            instruction,
            duration=duration,
            context=context,
            retries=self.retries,
            fallback=self.fallback,
        )

    def _ask(self, messages: Messages) -> str:
        # Prefer schema-constrained output; servers that reject it get plain JSON mode, then none.
        # llama_cpp.server rejects "json_schema" (a validation error, HTTP 500) but turns a
        # "schema" inside "json_object" into a grammar: without that mode a small local model
        # decodes unconstrained JSON.
        formats = {
            "json_schema": {
                "type": "json_schema",
                "json_schema": {"name": "recipe", "schema": recipe_schema()},
            },
            "json_object_schema": {"type": "json_object", "schema": recipe_schema()},
            "json_object": {"type": "json_object"},
            "none": None,
        }
        order = [self._json_mode] if self._json_mode else list(JSON_MODES)
        last: BaseException | None = None
        for mode in order:
            fmt = formats[mode]
            model = self.llm.bind(response_format=fmt) if fmt else self.llm
            try:
                answer = model.invoke(messages)
            except Exception as exc:
                kind, message = classify_llm_error(exc)
                if kind == "unreachable":
                    where = self.base_url or "api.openai.com"
                    raise PlannerUnavailableError(f"{message} [{where}, model {self.model}]") from None
                last = exc
                if self._forced_mode:  # asked for this format: its rejection is the answer
                    break
                continue
            self._json_mode = mode
            content = answer.content
            return content if isinstance(content, str) else json.dumps(content)
        if self._forced_mode:
            raise PlannerUnavailableError(
                f"the LLM endpoint rejected the response format {self._forced_mode} (SAMAUDIO_LLM_JSON): {last}"
            )
        raise PlannerUnavailableError(f"the LLM endpoint rejected every request format: {last}")
