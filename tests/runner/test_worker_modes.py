"""The runner's two worker modes: greenlets of one hub thread (the default) and a thread each.

Both must deliver the same outcome; the cooperative one must also never let one worker's wait
(a rate-limit slot, a request) hold the others. Fake clocks where the runner waits for
retries; elsewhere the tests check counts and the order of events, never a duration.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

import pytest

from framework import cooperative, integration
from framework.cli import main
from framework.runner import Backoff, Runner, SQLiteQueue
from framework.runner.progress import Progress
from framework.runner.runner import WORKER_MODES
from framework.sink import Sink
from framework.testing.faultserver import FaultServer, wait_until
from integrations.webhooks import Webhooks

from send_helpers import FakeClock, Scripted, scripted, track

MODES = pytest.mark.parametrize("mode", WORKER_MODES)
#: The longest a test waits for something that should happen at once.
PATIENCE = 10.0


def test_cooperative_is_the_default_and_an_unknown_mode_is_refused(queue):
    assert WORKER_MODES == ("cooperative", "threads")
    assert Runner(Scripted, {}, queue).worker_mode == "cooperative"
    with pytest.raises(ValueError, match=r"worker_mode must be one of cooperative, threads, "
                                         r"got 'fibers'"):
        Runner(Scripted, {}, queue, worker_mode="fibers")


# -- the same outcome --------------------------------------------------------------------------

@MODES
def test_both_modes_deliver_retry_and_dead_letter_the_same_messages(queue, mode):
    clock = FakeClock()
    instance = Scripted({}, clock=clock)
    messages = ([track(n) for n in range(20)]
                + [scripted(100 + n, "skip") for n in range(2)]
                + [scripted(200 + n, "reject") for n in range(2)]
                + [scripted(300 + n, "retry", "ok") for n in range(3)]
                + [scripted(400 + n, "retry") for n in range(2)]  # gives up after 3 attempts
                + [scripted(500, "retry:30", "ok")])
    runner = Runner(instance, None, queue, clock=clock, sleep=clock.sleep, concurrency=4,
                    max_attempts=3, backoff=Backoff(base=1.0), worker_mode=mode)
    runner.feed(messages)
    summary = runner.run()
    assert (summary.queued, summary.delivered, summary.skipped) == (30, 24, 2)
    assert (summary.rejected, summary.gave_up, summary.dead_letters) == (2, 2, 4)
    assert summary.retries == 3 + 2 * 2 + 1 and summary.exit_code() == 1
    letters = {json.loads(letter.body)["messageId"] for letter in queue.dead_letters()}
    assert letters == {"m200", "m201", "m400", "m401"}
    assert instance.attempts["m400"] == 3 and instance.attempts["m500"] == 2
    assert sum(instance.attempts.values()) == 30 + summary.retries
    assert queue.stats().pending == 0


@MODES
def test_both_modes_deliver_every_message_over_http_once(queue, mode):
    with Sink() as sink:
        runner = Runner(Webhooks, {"hooks": [sink.url + "/hook"]}, queue, concurrency=16,
                        worker_mode=mode)
        runner.feed([track(n) for n in range(300)])
        summary = runner.run()
        stats = sink.stats()
    assert (summary.delivered, summary.dead_letters) == (300, 0)
    assert stats["accepted_unique_message_ids"] == 300 and stats["requests"] == 300


@MODES
def test_both_modes_dead_letter_a_4xx_storm_with_its_status(queue, mode):
    clock = FakeClock()
    with Sink(fail_rate=1.0, statuses=[404]) as sink:
        hook = Webhooks({"hooks": [sink.url + "/hook"]}, clock=clock, sleep=clock.sleep)
        runner = Runner(hook, None, queue, clock=clock, sleep=clock.sleep, concurrency=8,
                        max_attempts=2, worker_mode=mode)
        runner.feed([track(n) for n in range(50)])
        summary = runner.run()
        requests_made = sink.stats()["requests"]
    assert (summary.failed, summary.dead_letters, summary.retries) == (50, 50, 0)
    assert requests_made == 50
    assert {(d.error["class"], d.error["status"]) for d in queue.dead_letters()} == {
        ("HTTPError", 404)}


# -- where the workers run ---------------------------------------------------------------------

class Gathering(integration("Gathering").channels(["server"])):
    """Each delivery waits (cooperatively) until ``target`` deliveries were in progress at
    once, and records where it ran."""

    target = 8

    def initialize(self) -> None:
        self.lock = threading.Lock()
        self.in_progress = 0
        self.peak = 0
        self.places: set[tuple[str, bool]] = set()

    def track(self, msg: Any) -> None:
        with self.lock:
            self.in_progress += 1
            self.peak = max(self.peak, self.in_progress)
            self.places.add((threading.current_thread().name, cooperative.current() is not None))
        until = time.monotonic() + PATIENCE
        while self.peak < self.target and time.monotonic() < until:
            cooperative.sleep(0.001)
        with self.lock:
            self.in_progress -= 1


@MODES
def test_every_worker_delivers_at_once_in_its_mode(queue, mode):
    instance = Gathering({})
    runner = Runner(instance, None, queue, concurrency=8, worker_mode=mode)
    runner.feed([track(n) for n in range(64)])
    summary = runner.run()
    assert summary.delivered == 64
    assert instance.peak == 8  # never more than the concurrency, and all of them at once
    if mode == "cooperative":
        assert instance.places == {("send-workers", True)}  # greenlets of one hub thread
    else:
        names = {name for name, _ in instance.places}
        assert len(names) == 8 and all(name.startswith("send-worker-") for name in names)
        assert {in_hub for _, in_hub in instance.places} == {False}


class Paced(integration("Paced").channels(["server"])):
    """Records when each delivery starts and ends; each one waits briefly in between."""

    def initialize(self) -> None:
        self.events: list[tuple[str, str]] = []

    def track(self, msg: Any) -> None:
        message_id = msg.proxy("messageId")
        self.events.append(("start", message_id))
        cooperative.sleep(0.005)
        self.events.append(("end", message_id))


@MODES
def test_a_worker_waiting_for_its_rate_limit_slot_does_not_hold_the_others(queue, mode):
    # rate 2/s: the second worker waits 0.5 s for its slot while the first one delivers. A
    # slot waited for with time.sleep in the hub's thread would hold the first worker's
    # delivery until then: its end would come after the second one's start.
    instance = Paced({})
    runner = Runner(instance, None, queue, concurrency=2, rate=2, worker_mode=mode)
    runner.feed([track(1), track(2)])
    summary = runner.run()
    assert summary.delivered == 2
    first, second = instance.events[0][1], instance.events[2][1]
    assert instance.events == [("start", first), ("end", first), ("start", second),
                               ("end", second)]
    assert {first, second} == {"m1", "m2"}


# -- stopping with attempts in progress --------------------------------------------------------

class Holding(integration("Holding").channels(["server"])):
    """``properties.kind``: ``slow`` finishes soon after ``stopped`` is set, ``hung`` only
    once ``released`` is; ``blocking`` waits for ``released`` without letting other workers
    run (like a client library with its own blocking I/O)."""

    def initialize(self) -> None:
        self.lock = threading.Lock()
        self.in_progress = 0
        self.stopped = threading.Event()
        self.released = threading.Event()

    def track(self, msg: Any) -> None:
        with self.lock:
            self.in_progress += 1
        kind = msg.properties().get("kind")
        if kind == "blocking":
            self.released.wait(PATIENCE)
            return
        gate = self.stopped if kind == "slow" else self.released
        until = time.monotonic() + PATIENCE
        while not gate.is_set() and time.monotonic() < until:
            cooperative.sleep(0.005)
        cooperative.sleep(0.01)


def held(n: int, kind: str) -> dict[str, Any]:
    return track(n, properties={"kind": kind})


def stop_when_busy(runner: Runner, instance: Holding, busy: int) -> threading.Thread:
    def stop() -> None:
        wait_until(lambda: instance.in_progress >= busy, timeout=PATIENCE)
        runner.stop()
        instance.stopped.set()
    thread = threading.Thread(target=stop, daemon=True)
    thread.start()
    return thread


def finish_workers(instance: Holding) -> None:
    """Let the abandoned attempts end, and wait for their threads, before the queue closes."""
    instance.released.set()
    for thread in threading.enumerate():
        if thread.name.startswith("send-worker"):
            thread.join(PATIENCE)


@MODES
def test_a_stop_gives_attempts_the_grace_then_counts_the_workers_still_delivering(
        tmp_path, mode):
    with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
        instance = Holding({})
        runner = Runner(instance, None, queue, concurrency=8, grace=0.5, handle_signals=False,
                        worker_mode=mode)
        runner.feed([held(1, "slow"), held(2, "slow"), held(3, "hung"), held(4, "hung"),
                     held(5, "hung")])
        stopper = stop_when_busy(runner, instance, 5)
        summary = runner.run()
        stopper.join(PATIENCE)
        try:
            assert summary.interrupted
            assert summary.delivered == 2  # the slow ones finished within the grace
            assert summary.abandoned == 3  # the hung ones, not the five idle workers
            stats = queue.stats()
            assert stats.pending == 3 and stats.in_flight == 3  # reserved for a resume
        finally:
            finish_workers(instance)


@MODES
def test_an_attempt_blocking_in_its_own_code_is_the_only_one_abandoned(tmp_path, mode):
    # In cooperative mode such an attempt holds the hub's thread, so the idle workers cannot
    # even see the stop; they were delivering nothing and are not abandoned attempts.
    with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
        instance = Holding({})
        runner = Runner(instance, None, queue, concurrency=4, grace=0.3, handle_signals=False,
                        worker_mode=mode)
        runner.feed([held(1, "blocking")])
        stopper = stop_when_busy(runner, instance, 1)
        summary = runner.run()
        stopper.join(PATIENCE)
        try:
            assert summary.interrupted and summary.delivered == 0
            assert summary.abandoned == 1
        finally:
            finish_workers(instance)


class Lines(Progress):
    """Progress that keeps the lines written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)


def test_ctrl_c_in_cooperative_mode_abandons_hung_requests_and_a_resume_delivers_them(
        tmp_path):
    path = tmp_path / "q.sqlite3"
    progress = Lines()
    with FaultServer("hang") as server, SQLiteQueue(path) as queue:
        runner = Runner(Webhooks, {"hooks": [server.url + "/hook"]}, queue, concurrency=8,
                        grace=0.2, progress=progress, worker_mode="cooperative")
        runner.feed([track(n) for n in range(3)])
        threading.Thread(target=lambda: (wait_until(lambda: server.requests >= 3),
                                         os.kill(os.getpid(), signal.SIGINT)),
                         daemon=True).start()
        summary = runner.run()  # this (main) thread takes the SIGINT: the runner's handler
        assert summary.interrupted and summary.exit_code() == 130
        assert summary.abandoned == 3 and summary.delivered == 0
        assert "stopping: waiting up to 0.2 s for attempts in progress; Ctrl-C again to " \
               "stop at once" in progress.lines
    with Sink() as sink, SQLiteQueue(path) as queue:
        resumed = Runner(Webhooks, {"hooks": [sink.url + "/hook"]}, queue).run()
        assert resumed.recovered == 3 and resumed.delivered == 3
        assert sink.message_ids(accepted=True) == {"m0", "m1", "m2"}


# -- the command line --------------------------------------------------------------------------

def ndjson(path: Any, messages: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    return str(path)


def record_modes(monkeypatch) -> list[str]:
    """The worker mode of every runner that starts its workers from now on."""
    modes: list[str] = []
    start = Runner._worker_threads

    def recording(self: Runner) -> list[threading.Thread]:
        modes.append(self.worker_mode)
        return start(self)

    monkeypatch.setattr(Runner, "_worker_threads", recording)
    return modes


@pytest.mark.parametrize("options, expected", [([], "cooperative"),
                                               (["--worker-mode", "threads"], "threads"),
                                               (["--worker-mode", "cooperative"], "cooperative")])
def test_framework_send_delivers_in_either_worker_mode(tmp_path, capsys, monkeypatch, options,
                                                       expected):
    modes = record_modes(monkeypatch)
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(40)])
    with Sink() as sink:
        code = main(["send", "webhooks", source, "--settings",
                     json.dumps({"hooks": [sink.url + "/hook"]}), "--queue",
                     str(tmp_path / "q.sqlite3"), "--concurrency", "4", "--json", *options])
        accepted = sink.stats()["accepted_unique_message_ids"]
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and (summary["delivered"], summary["dead_letters"]) == (40, 0)
    assert accepted == 40 and modes == [expected]


def test_framework_work_takes_the_worker_mode_too(tmp_path, capsys, monkeypatch, redis_url):
    modes = record_modes(monkeypatch)
    source = ndjson(tmp_path / "in.ndjson", [track(n) for n in range(10)])
    queue = redis_url  # --enqueue-only needs a queue that another process may deliver
    with Sink() as sink:
        settings = json.dumps({"hooks": [sink.url + "/hook"]})
        assert main(["send", "webhooks", source, "--settings", settings, "--queue", queue,
                     "--enqueue-only", "--json"]) == 0
        assert main(["work", "webhooks", "--settings", settings, "--queue", queue,
                     "--until-empty", "--worker-mode", "threads", "--json"]) == 0
        accepted = sink.stats()["accepted_unique_message_ids"]
    assert accepted == 10 and modes == ["threads"]  # --enqueue-only starts no workers
    capsys.readouterr()


def test_an_unknown_worker_mode_on_the_command_line_names_the_option_and_the_choices(
        tmp_path, capsys):
    source = ndjson(tmp_path / "in.ndjson", [track(1)])
    with pytest.raises(SystemExit) as caught:
        main(["send", "webhooks", source, "--settings", '{"hooks": ["http://127.0.0.1:9/"]}',
              "--queue", str(tmp_path / "q.sqlite3"), "--worker-mode", "fibers"])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert "--worker-mode" in error and "fibers" in error
    assert "cooperative" in error and "threads" in error
