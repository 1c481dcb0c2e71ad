"""``make chaos``: the long fault runs of ``framework send``, one line per scenario.

    python -m bench.chaos [SCENARIO ...] [--n 5000] [--json]

Every scenario runs the real command (``python -m framework.cli send webhooks``) in its own
process against a loopback endpoint that misbehaves (the sink with a share of error statuses,
or :class:`framework.testing.faultserver.FaultServer`), resumes it until the queue is finished
when the scenario interrupted it, and then accounts for every message by its ``messageId``:

    sent        messages in the input
    delivered   distinct messageIds the endpoint accepted
    duplicates  accepted deliveries beyond the first of each messageId (at-least-once)
    dead        dead letters in the queue
    pending     messages left queued on purpose (the credentials stop)
    lost        sent - delivered - dead - pending (must be 0)

and the wall time of the whole scenario. It exits 1 when any scenario lost a message. Only
127.0.0.1 is ever contacted; each run is bounded (a timeout per command).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from framework.runner import SQLiteQueue
from framework.sink import Sink
from framework.testing.faultserver import FaultServer, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 600.0


@dataclass
class Result:
    """One scenario's accounting."""

    name: str
    sent: int
    delivered: int
    duplicates: int
    dead: int
    pending: int
    seconds: float
    note: str = ""

    @property
    def lost(self) -> int:
        return self.sent - self.delivered - self.dead - self.pending

    def line(self) -> str:
        return (f"{self.name:<26} sent {self.sent:>6}  delivered {self.delivered:>6}  "
                f"duplicates {self.duplicates:>5}  dead {self.dead:>6}  pending "
                f"{self.pending:>5}  lost {self.lost:>3}  {self.seconds:>7.1f} s  {self.note}")

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.name, "sent": self.sent, "delivered": self.delivered,
                "duplicates": self.duplicates, "dead_letters": self.dead,
                "pending": self.pending, "lost": self.lost, "seconds": round(self.seconds, 1),
                "note": self.note}


class Workdir:
    """A temporary folder with an input file and a queue path."""

    def __init__(self, base: str | None = None) -> None:
        self.path = tempfile.mkdtemp(prefix="chaos-", dir=base)
        self.queue = os.path.join(self.path, "q.sqlite3")

    def write_input(self, n: int, name: str = "in.ndjson") -> str:
        path = os.path.join(self.path, name)
        with open(path, "w") as out:
            for i in range(n):
                out.write(json.dumps({"type": "track", "event": "Chaos", "userId": f"u{i}",
                                      "messageId": f"c{i}", "properties": {"n": i}}) + "\n")
        return path

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def command(source: str | None, url: str, queue: str, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "framework.cli", "send", "webhooks"]
    if source:
        args.append(source)
    return [*args, "--settings", json.dumps({"hooks": [url]}), "--queue", queue,
            "--no-progress", "--json", *extra]


def run(args: list[str], timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def resume_until_done(url: str, queue: str, *extra: str, tries: int = 10) -> int:
    """``--resume`` until the queue holds no unfinished work; returns the last exit code."""
    code = 0
    for _ in range(tries):
        with SQLiteQueue(queue) as q:
            unfinished = q.stats().pending or any(not o.done for o in q.input_offsets().values())
        if not unfinished:
            return code
        code = run(command(None, url, queue, "--resume", *extra)).returncode
    return code


def queue_counts(queue: str) -> tuple[int, int]:
    """(dead letters, pending) of the queue file."""
    with SQLiteQueue(queue) as q:
        stats = q.stats()
    return stats.dead, stats.pending


def sink_result(name: str, sink: Sink, sent: int, queue: str, started: float,
                note: str = "") -> Result:
    stats = sink.stats()
    dead, pending = queue_counts(queue)
    return Result(name, sent, stats["accepted_unique_message_ids"],
                  stats["accepted_duplicates"], dead, pending, time.monotonic() - started, note)


def fault_result(name: str, server: FaultServer, sent: int, queue: str, started: float,
                 note: str = "") -> Result:
    ids = server.accepted_ids
    dead, pending = queue_counts(queue)
    return Result(name, sent, len(set(ids)), len(ids) - len(set(ids)), dead, pending,
                  time.monotonic() - started, note)


# -- scenarios ------------------------------------------------------------------------------

def faults(rate: float, statuses: str = "500,429") -> Callable[[int], Result]:
    def scenario(n: int) -> Result:
        work = Workdir()
        source = work.write_input(n)
        started = time.monotonic()
        with Sink(fail_rate=rate, statuses=[int(s) for s in statuses.split(",")],
                  seed=7) as sink:
            done = run(command(source, sink.url + "/hook", work.queue, "--concurrency", "16",
                               "--retry-delay", "0.02", "--max-attempts", "16"))
            result = sink_result(f"faults {rate:.0%} {statuses}", sink, n, work.queue, started,
                                 f"exit {done.returncode}")
        work.cleanup()
        return result
    return scenario


def switching(name: str, first: str, seconds: float, **options: Any) -> Callable[[int], Result]:
    """The endpoint misbehaves (``first``) for ``seconds``, then answers 200."""
    def scenario(n: int) -> Result:
        work = Workdir()
        source = work.write_input(n)
        started = time.monotonic()
        with FaultServer(first, **options) as server:
            timer = threading.Timer(seconds, lambda: setattr(server, "mode", "ok"))
            timer.start()
            done = run(command(source, server.url + "/hook", work.queue, "--concurrency", "8",
                               "--retry-delay", "0.5", "--max-attempts", "30"))
            timer.cancel()
            result = fault_result(name, server, n, work.queue, started,
                                  f"exit {done.returncode}; {first} for {seconds:g} s")
        work.cleanup()
        return result
    return scenario


def refused_then_up(n: int, down: float = 20.0) -> Result:
    work = Workdir()
    source = work.write_input(n)
    probe = FaultServer("ok")
    port = probe.port
    probe.stop()  # nothing listens there now: connection refused
    started = time.monotonic()
    holder: dict[str, FaultServer] = {}

    def come_up() -> None:
        holder["server"] = FaultServer("ok", port=port).start()

    timer = threading.Timer(down, come_up)
    timer.start()
    done = run(command(source, f"http://127.0.0.1:{port}/hook", work.queue, "--concurrency",
                       "8", "--max-attempts", "30"))
    timer.cancel()
    server = holder.get("server") or FaultServer("ok", port=port).start()
    try:
        result = fault_result(f"refused {down:g} s then up", server, n, work.queue, started,
                              f"exit {done.returncode}")
    finally:
        server.stop()
        work.cleanup()
    return result


def storm(status: int) -> Callable[[int], Result]:
    def scenario(n: int) -> Result:
        work = Workdir()
        source = work.write_input(n)
        started = time.monotonic()
        with Sink(fail_rate=1.0, statuses=[status]) as sink:
            done = run(command(source, sink.url + "/hook", work.queue, "--concurrency", "8"))
            result = sink_result(f"4xx storm {status}", sink, n, work.queue, started,
                                 f"exit {done.returncode}")
        work.cleanup()
        return result
    return scenario


def kill_9(n: int, kills: int = 5) -> Result:
    work = Workdir()
    source = work.write_input(n)
    started = time.monotonic()
    with Sink() as sink:
        url = sink.url + "/hook"
        for attempt in range(kills):
            extra = ["--resume"] if attempt else []
            child = subprocess.Popen(command(None if attempt else source, url, work.queue,
                                             "--rate", "2000", *extra),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     cwd=ROOT)
            target = sink.stats()["accepted_unique_message_ids"] + n // (kills + 2)
            try:
                wait_until(lambda: sink.stats()["accepted_unique_message_ids"] >= target
                           or child.poll() is not None, TIMEOUT)
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait()
        code = resume_until_done(url, work.queue)
        result = sink_result(f"kill -9 x{kills}", sink, n, work.queue, started,
                             f"final exit {code}")
    work.cleanup()
    return result


def signal_storm(signum: int, rounds: int = 5) -> Callable[[int], Result]:
    def scenario(n: int) -> Result:
        work = Workdir()
        source = work.write_input(n)
        started = time.monotonic()
        codes = []
        with Sink() as sink:
            url = sink.url + "/hook"
            for attempt in range(rounds):
                extra = ["--resume"] if attempt else []
                child = subprocess.Popen(command(None if attempt else source, url, work.queue,
                                                 "--rate", "2000", *extra),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         text=True, cwd=ROOT)
                target = sink.stats()["accepted_unique_message_ids"] + n // (rounds + 2)
                wait_until(lambda: sink.stats()["accepted_unique_message_ids"] >= target
                           or child.poll() is not None, TIMEOUT)
                for _ in range(3):  # a storm: three in a row
                    if child.poll() is None:
                        child.send_signal(signum)
                        time.sleep(0.05)
                _, err = child.communicate(timeout=60)
                codes.append(child.returncode)
                if "Traceback" in err:
                    codes.append(-999)
            final = resume_until_done(url, work.queue)
            name = signal.Signals(signum).name
            result = sink_result(f"{name} storm x{rounds}", sink, n, work.queue, started,
                                 f"exits {sorted(set(codes))}, final {final}")
        work.cleanup()
        return result
    return scenario


def disk_full(n: int) -> Result:
    mount = tempfile.mkdtemp(prefix="chaos-tmpfs-")
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        os.rmdir(mount)
        return Result("disk full (tmpfs)", 0, 0, 0, 0, 0, 0.0,
                      f"skipped: cannot mount a tmpfs here ({exc})")
    work = Workdir()
    source = work.write_input(n)
    queue = os.path.join(mount, "q.sqlite3")
    started = time.monotonic()
    try:
        with Sink() as sink:
            url = sink.url + "/hook"
            first = run(command(source, url, queue, "--backlog", "100000"))
            full = "the disk is full" in first.stderr
            subprocess.run(["mount", "-o", "remount,size=64m", mount], check=True)
            code = resume_until_done(url, queue)
            result = sink_result("disk full (1 MB tmpfs)", sink, n, queue, started,
                                 f"first exit {first.returncode}{' (disk full)' if full else ''}"
                                 f", resumed after growing: exit {code}")
    finally:
        subprocess.run(["umount", mount], capture_output=True)
        os.rmdir(mount)
        work.cleanup()
    return result


def symlinked_queue(n: int) -> Result:
    work = Workdir()
    source = work.write_input(n)
    link = os.path.join(work.path, "link.sqlite3")
    SQLiteQueue(work.queue).close()
    os.symlink(work.queue, link)
    started = time.monotonic()
    with Sink() as sink:
        url = sink.url + "/hook"
        first = subprocess.Popen(command(source, url, work.queue, "--rate", str(max(n // 10, 1))),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        wait_until(lambda: sink.stats()["accepted_unique_message_ids"] > 0
                   or first.poll() is not None, TIMEOUT)
        second = run(command(source, url, link))
        first.wait(TIMEOUT)
        busy = "in use by another runner" in second.stderr
        result = sink_result("symlinked queue", sink, n, work.queue, started,
                             f"second runner on the symlink: exit {second.returncode}"
                             f"{' (refused: queue in use)' if busy else ''}")
    work.cleanup()
    return result


def bad_input(n: int) -> Result:
    work = Workdir()
    good = [json.dumps({"type": "track", "event": "E", "userId": f"u{i}",
                        "messageId": f"b{i}"}).encode() for i in range(n)]
    deep = b'{"a":' + b"[" * 10000 + b"]" * 10000 + b"}"
    huge = json.dumps({"type": "track", "event": "E", "userId": "big", "messageId": "huge",
                       "properties": {"x": "y" * (5 * 1024 * 1024)}}).encode()
    files = {
        "bom.ndjson": b"\xef\xbb\xbf" + b"\n".join(good[: n // 4]) + b"\n",
        "deep.ndjson": b"\n".join(good[n // 4: n // 2]) + b"\n" + deep + b"\n{oops}\n",
        "array.json": b"[" + b",\n".join(good[n // 2: 3 * n // 4]) + b',\n{"x": "\xff"}]',
        "huge-first.ndjson": huge + b"\n" + b"\n".join(good[3 * n // 4:]) + b"\n",
    }
    paths = []
    for name, data in files.items():
        path = os.path.join(work.path, name)
        with open(path, "wb") as out:
            out.write(data)
        paths.append(path)
    started = time.monotonic()
    with Sink() as sink:
        args = command(None, sink.url + "/hook", work.queue)
        done = run(args[:5] + paths + args[5:])
        summary = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout else {}
        result = sink_result("bad-input files", sink, n + 1, work.queue, started,
                             f"exit {done.returncode}; input errors "
                             f"{summary.get('input_errors')}")
    work.cleanup()
    return result


SCENARIOS: dict[str, Callable[[int], Result]] = {
    "faults-10": faults(0.1),
    "faults-30": faults(0.3),
    "faults-50": faults(0.5),
    "retry-after": faults(0.3, "429"),
    "hang": switching("hang 8 s then up", "hang", 8.0),
    "refused": refused_then_up,
    "resets": switching("resets 5 s then up", "reset", 5.0),
    "storm-400": storm(400),
    "storm-401": storm(401),
    "drip": switching("drip 10 s then up", "drip", 10.0, drip_every=1.0),
    "kill-9": kill_9,
    "sigterm": signal_storm(signal.SIGTERM),
    "sigint": signal_storm(signal.SIGINT),
    "disk-full": disk_full,
    "symlink": symlinked_queue,
    "bad-input": bad_input,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"which to run (default all): {', '.join(SCENARIOS)}")
    parser.add_argument("--n", type=int, default=5000, help="messages per scenario")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}")
    lost = 0
    for name in args.scenarios or list(SCENARIOS):
        sizes = {"storm-401": min(args.n, 1000), "storm-400": min(args.n, 2000),
                 "disk-full": max(args.n, 20000)}
        result = SCENARIOS[name](sizes.get(name, args.n))
        lost += max(result.lost, 0)
        print(json.dumps(result.to_dict()) if args.json else result.line(), flush=True)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
