"""Separation engines behind one interface, looked up by name."""

from .base import Engine, EngineSpec, SeparationResult, check_result
from .registry import available_engines, engine_status, load_engine, register_engine

__all__ = [
    "Engine",
    "EngineSpec",
    "SeparationResult",
    "available_engines",
    "check_result",
    "engine_status",
    "load_engine",
    "register_engine",
]
