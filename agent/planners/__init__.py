"""Planners: words -> recipe (schema v1). ``get_planner()`` picks one; ``rules`` is always there."""

from __future__ import annotations

from .base import PlanContext, Planner, PlannerError, available_planners, default_planner_name, get_planner
from .rules import RulesPlanner, extract_preferences

__all__ = [
    "PlanContext",
    "Planner",
    "PlannerError",
    "RulesPlanner",
    "available_planners",
    "default_planner_name",
    "extract_preferences",
    "get_planner",
]
