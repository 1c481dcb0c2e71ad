"""A throwaway ``redis-server`` for tests and benchmarks: loopback, a free port, a directory.

Tests never use a Redis the machine happens to run: each test session starts its own
(``make test`` installs ``redis-server`` when it is missing) and stops it by PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process.

    Args:
        directory: Where it keeps its files (AOF, RDB).
        appendonly: Whether writes go to an append-only file (``appendfsync always``).
        port: The port (default: a free one).
    """

    def __init__(self, directory: str, *, appendonly: bool = False,
                 port: int | None = None) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def queue_url(self, stream: str = "test") -> str:
        return f"{self.url}?stream={stream}"

    def start(self, timeout: float = 10.0) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make test` (it installs "
                               "it) or `apt-get install -y redis-server`")
        os.makedirs(self.directory, exist_ok=True)
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                self.directory, "--save", "", "--daemonize", "no", "--protected-mode", "yes",
                "--loglevel", "warning", "--logfile", os.path.join(self.directory, "log")]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}; see "
                                   f"{self.directory}/log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {timeout} s")

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)

    def shutdown(self) -> None:
        """A graceful ``SHUTDOWN`` (the AOF is flushed), then wait for the process."""
        if self.process is None:
            return
        try:
            self.client().shutdown(nosave=not self.appendonly)
        except Exception:  # the connection drops as the server exits
            pass
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """Stop the process by PID (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None
