"""One runner per queue: an exclusive lock on a file next to the queue.

The lock is an OS advisory lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``QUEUE.lock``, not the mere existence of the file, so a runner killed with ``kill -9`` never
leaves a stale lock behind: the OS releases it with the process. The file holds the owner's pid,
which the error message quotes.

``QUEUE`` is the queue's real path (symlinks resolved), and a second lock is keyed by the queue
file's device and inode (in the temp directory), so neither a symlink nor a hard link to a
queue another runner holds gets around the lock.
"""

from __future__ import annotations

import os
import tempfile
from typing import IO, Any

__all__ = ["QueueLock", "QueueLockedError", "lock_path", "inode_lock_path"]

try:  # pragma: no cover - the platform decides
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class QueueLockedError(RuntimeError):
    """Another runner holds the queue's lock.

    Attributes:
        queue_path: The queue file.
        pid: The pid recorded by the holder, when readable.
    """

    def __init__(self, queue_path: str, lock_file: str, pid: int | None) -> None:
        owner = f" (pid {pid})" if pid else ""
        super().__init__(f"queue {queue_path!r} is in use by another runner{owner}; wait for "
                         f"it to finish or pass another --queue (lock file {lock_file!r})")
        self.queue_path = queue_path
        self.pid = pid


def lock_path(queue_path: str) -> str:
    """The lock file of the queue at ``queue_path``: beside its real path."""
    return os.path.realpath(os.fspath(queue_path)) + ".lock"


def inode_lock_path(queue_path: str) -> str:
    """The lock file keyed by the (existing) queue file's device and inode."""
    info = os.stat(queue_path)
    return os.path.join(tempfile.gettempdir(), "cdp-framework-locks",
                        f"{info.st_dev}-{info.st_ino}.lock")


class QueueLock:
    """An exclusive, non-blocking lock for one queue file; a context manager.

    Args:
        queue_path: The queue file to protect (``:memory:`` queues need no lock and get a
            no-op one).

    Raises:
        QueueLockedError: From :meth:`acquire` when another process holds the lock.
    """

    def __init__(self, queue_path: str | os.PathLike[str]) -> None:
        self.queue_path = os.fspath(queue_path)
        self.path = lock_path(self.queue_path)
        self._handle: IO[Any] | None = None
        self._inode_handle: IO[Any] | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._handle is not None

    def acquire(self) -> "QueueLock":
        """Take the lock or raise :class:`QueueLockedError` at once."""
        if self._handle is not None or self.queue_path == ":memory:":
            return self
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        self._handle = _take(self.path, self.queue_path)
        try:
            real = os.path.realpath(self.queue_path)
            with open(real, "ab"):  # SQLite opens an empty file as a new database
                pass
            inode_path = inode_lock_path(real)
            os.makedirs(os.path.dirname(inode_path), exist_ok=True)
            self._inode_handle = _take(inode_path, self.queue_path)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        """Give the lock up (the files stay; their presence means nothing)."""
        for name in ("_inode_handle", "_handle"):
            handle = getattr(self, name)
            setattr(self, name, None)
            if handle is not None:
                try:
                    handle.seek(0)
                    handle.truncate()
                    _unlock(handle)
                finally:
                    handle.close()

    def __enter__(self) -> "QueueLock":
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _take(path: str, queue_path: str) -> IO[Any]:
    """Lock ``path`` and write our pid into it, or raise :class:`QueueLockedError`."""
    handle = open(path, "a+")
    try:
        _lock(handle)
    except OSError:
        handle.seek(0)
        text = handle.read().strip()
        handle.close()
        raise QueueLockedError(queue_path, path, int(text) if text.isdigit() else None) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _lock(handle: IO[Any]) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:  # pragma: no cover
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)


def _unlock(handle: IO[Any]) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    else:  # pragma: no cover
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
