"""Error hierarchy of the toolkit.

Every error a user can cause (a bad file, a bad prompt, a missing engine) is a
:class:`SamaudioError`; the CLI turns these into one clean line and never a traceback.
Programmer errors (wrong types from our own code) stay ordinary Python exceptions.
"""

from __future__ import annotations


class SamaudioError(Exception):
    """Base class for every error that should reach the user as a one-line message."""


class AudioLoadError(SamaudioError):
    """A file could not be read as audio (missing, directory, not audio, empty, corrupt, NaN)."""


class AudioSaveError(SamaudioError):
    """Audio could not be written (unknown format, unwritable path)."""


class PromptError(SamaudioError):
    """A prompt (text, spans, mask) is malformed or out of range."""


class EngineUnavailableError(SamaudioError):
    """A named engine exists but cannot run here (missing package, weights or GPU)."""


class UnknownEngineError(SamaudioError):
    """No engine is registered under that name."""


class WorkspaceError(SamaudioError):
    """A workspace operation is refused (path escapes the output folder, nothing to undo, ...)."""


class DamagedAudioWarning(UserWarning):
    """A file was read only in part (cut short or corrupt); the message says how much was read."""
