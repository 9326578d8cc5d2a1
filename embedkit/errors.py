"""Errors a user can cause and fix: each message names the problem in plain words."""

from __future__ import annotations

__all__ = ["EmbedkitError", "ModelLoadError", "UnsafeFileError", "VectorsFileError"]


class EmbedkitError(ValueError):
    """Bad user input: empty text, an unknown option, a file that cannot be used."""


class VectorsFileError(EmbedkitError):
    """A static-vectors file is missing, corrupt, too large or of an unknown format."""


class UnsafeFileError(VectorsFileError):
    """A file that could only be read by unpickling it, which would run code from the file."""


class ModelLoadError(EmbedkitError):
    """A contextual model id or folder that cannot be loaded."""
