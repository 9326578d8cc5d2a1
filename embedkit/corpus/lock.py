"""One indexing run per folder at a time: a lock file (``INDEX/.lock``) that names its owner.

The lock is an ``flock`` on the file, so the kernel releases it when its process ends, however it ends: a lock file
left by a killed run is stale by construction and simply taken over (the pid it names is only for the message).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from embedkit.errors import EmbedkitError

__all__ = ["LOCK_FILE", "FolderLock", "IndexBusy"]

LOCK_FILE = ".lock"


class IndexBusy(EmbedkitError):
    """Another process is writing the index folder."""


class FolderLock:
    """``with FolderLock(folder):`` holds the folder's lock or raises :class:`IndexBusy` at once (never waits)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = _owner(fd)
                os.close(fd)
                raise IndexBusy(
                    f"{self.path.parent} is being written by another run ({owner}); wait for it to finish"
                ) from None
            try:  # the file we locked may have been removed and replaced by the run that just finished
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        self._fd = fd

    def release(self, *, remove: bool = True) -> None:
        if self._fd is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)  # closing releases the flock
        self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release(remove=self.path.parent.exists())


def _owner(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"process {int(info['pid'])} on {str(info['host'])[:60]}, started {str(info['started'])[:20]}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that is starting"
