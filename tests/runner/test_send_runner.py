"""The Runner in process: outcomes, retries, batching, pacing, backlog, stop and resume."""

from __future__ import annotations

import io
import json
import threading
from typing import Any, Sequence

import pytest

from framework import errors, integration
from framework.runner import Backoff, Runner, RunSummary, SQLiteQueue, export_dead_letters

from send_helpers import FakeClock, Scripted, answer_for, scripted, track


def run(integration_or_cls: Any, messages: list[dict[str, Any]], queue: Any,
        **options: Any) -> RunSummary:
    options.setdefault("backoff", Backoff(base=0.001, cap=0.01))
    runner = Runner(integration_or_cls, {}, queue, **options)
    runner.feed(messages)
    return runner.run()


def test_delivers_every_message_and_empties_the_queue(queue):
    summary = run(Scripted, [track(n) for n in range(1200)], queue, concurrency=4)
    assert (summary.queued, summary.delivered, summary.dead_letters) == (1200, 1200, 0)
    assert summary.exit_code() == 0 and summary.ok and not summary.interrupted
    stats = queue.stats()
    assert (stats.pending, stats.acked, stats.dead) == (0, 1200, 0)
    assert summary.msgs_per_s > 0 and summary.elapsed > 0


def test_shares_one_instance_with_a_pool_as_large_as_the_concurrency(queue):
    runner = Runner(Scripted, {"x": 1}, queue, concurrency=24)
    assert isinstance(runner.integration, Scripted)
    assert runner.integration.settings == {"x": 1}
    assert runner.integration._pool_size == 24


@pytest.mark.parametrize("answer, kind, cls, code, status", [
    ("reject", "rejected", "RejectedError", "MESSAGE_REJECTED", 400),
    ("invalid", "invalid_settings", "ValidationError", "INVALID_SETTINGS", 400),
    ("unsupported", "unsupported", "NotSupported", "NOT_SUPPORTED", None),
    ("http400", "failed", "HTTPError", "HTTP_ERROR", 400),
    ("bug", "unexpected", "KeyError", None, None),
])
def test_non_retryable_outcomes_become_dead_letters_with_their_error(queue, answer, kind, cls,
                                                                     code, status):
    runner = Runner(Scripted, {"apiKey": "secret-api-key-123"}, queue,
                    backoff=Backoff(base=0.001))
    runner.feed([scripted(1, answer), track(2)])
    summary = runner.run()
    assert getattr(summary, kind) == 1 and summary.dead_letters == 1
    assert summary.delivered == 1 and summary.retries == 0
    assert summary.exit_code() == 1
    [letter] = list(queue.dead_letters())
    assert letter.error["class"] == cls
    assert letter.error["code"] == code and letter.error["status"] == status
    assert letter.error["message"]
    assert letter.attempts == 1 and json.loads(letter.body)["messageId"] == "m1"
    assert summary.dead_letter_samples[0]["class"] == cls
    if kind == "unexpected":
        assert "send_helpers.py" in letter.error["where"]
        assert letter.error["message"] == "'oops, [REDACTED] leaked'"


def test_skipped_messages_are_acked_and_counted_apart(queue):
    summary = run(Scripted, [scripted(1, "skip"), track(2)], queue)
    assert (summary.skipped, summary.delivered, summary.dead_letters) == (1, 1, 0)
    assert summary.exit_code() == 0
    assert queue.stats().acked == 2 and list(queue.dead_letters()) == []


def test_retryable_failures_are_retried_until_delivered(queue):
    summary = run(Scripted, [scripted(1, "retry", "retry", "ok"), track(2)], queue)
    assert (summary.delivered, summary.retries, summary.dead_letters) == (2, 2, 0)


def test_retries_stop_at_max_attempts(queue):
    summary = run(Scripted, [scripted(1, "retry")], queue, max_attempts=3)
    assert (summary.gave_up, summary.dead_letters, summary.retries) == (1, 1, 2)
    [letter] = list(queue.dead_letters())
    assert letter.attempts == 3
    assert letter.error["class"] == "RetryableError"
    assert letter.error["gave_up"] == "after 3 attempts (max 3)"


def test_retries_stop_at_max_age(queue):
    clock = FakeClock()
    instance = Scripted({}, clock=clock)
    summary = run(instance, [scripted(1, "retry:60")], queue, clock=clock, sleep=clock.sleep,
                  max_age=100)
    assert (summary.gave_up, summary.retries) == (1, 1)
    [letter] = list(queue.dead_letters())
    assert "maximum age of 100 s" in letter.error["gave_up"]


def test_a_retry_after_delay_is_respected(queue):
    clock = FakeClock()
    instance = Scripted({}, clock=clock)
    summary = run(instance, [scripted(1, "retry:30", "ok")], queue, clock=clock,
                  sleep=clock.sleep)
    assert (summary.delivered, summary.retries) == (1, 1)
    (_, first), (_, second) = instance.calls
    assert second - first >= 30
    assert second - first < 31  # and not much later: the scheduled wait, not a poll loop


def test_backoff_grows_with_jitter_and_honours_retry_after():
    backoff = Backoff(base=1.0, cap=10.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (5, 10.0), (40, 10.0)]:
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
    assert backoff.delay(1, retry_after=30) == 30  # above the cap, as asked
    assert backoff.delay(3, retry_after=0.1) >= 2
    with pytest.raises(ValueError, match="backoff base and cap must be >= 0"):
        Backoff(base=-1)


class Batching(integration("Batching").channels(["server"]).batch(size=4, max_bytes=2000,
                                                                  max_wait=0.01)):
    """Batches of up to 4; each item answers its scripted outcome; ``boom`` breaks batch()."""

    def initialize(self) -> None:
        self.batches: list[list[int]] = []
        self.lock = threading.Lock()

    def track(self, payload: Any) -> Any:
        return self.batch([payload])[0]

    def batch(self, items: Sequence[Any]) -> list[Any]:
        with self.lock:
            self.batches.append([item.properties()["n"] for item in items])
        if any(item.properties().get("boom") for item in items) and len(items) > 1:
            raise ZeroDivisionError("batch() bug")
        outcomes: list[Any] = []
        for item in items:
            try:
                outcomes.append(answer_for((item.properties().get("outcome") or ["ok"])[0],
                                           self.name))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes


def test_batch_outcomes_are_settled_per_message_in_order(queue):
    answers = ["ok", "reject", "ok", "skip", "http400", "ok", "ok", "unsupported", "ok"]
    messages = [scripted(n, answer) for n, answer in enumerate(answers)]
    instance = Batching({})
    summary = run(instance, messages, queue, concurrency=1)
    assert (summary.delivered, summary.skipped, summary.rejected, summary.failed,
            summary.unsupported) == (5, 1, 1, 1, 1)
    assert all(len(batch) <= 4 for batch in instance.batches)
    assert sorted(n for batch in instance.batches for n in batch) == list(range(9))
    dead = {json.loads(letter.body)["messageId"]: letter.error["class"]
            for letter in queue.dead_letters()}
    assert dead == {"m1": "RejectedError", "m4": "HTTPError", "m7": "NotSupported"}


def test_batches_respect_max_bytes(queue):
    big = "x" * 700  # three of these messages pass 2000 bytes
    messages = [track(n, properties={"n": n, "pad": big}) for n in range(6)]
    instance = Batching({})
    summary = run(instance, messages, queue, concurrency=1)
    assert summary.delivered == 6
    assert max(len(batch) for batch in instance.batches) == 2


def test_a_batch_that_crashes_is_delivered_message_by_message(queue):
    messages = [track(n) for n in range(3)] + [track(3, properties={"n": 3, "boom": True})]
    instance = Batching({})
    summary = run(instance, messages, queue, concurrency=1)
    assert (summary.delivered, summary.dead_letters) == (4, 0)
    assert [3] in instance.batches  # the retry of the culprit alone


def test_rate_limits_messages_per_second():
    clock = FakeClock()
    from framework.runner import RateLimiter

    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[0] == 0 and all(abs(w - 0.1) < 1e-9 for w in waits[1:])
    assert abs(limiter.acquire(5) - 0.1) < 1e-9  # a batch of 5 takes 5 slots
    assert abs(limiter.acquire() - 0.5) < 1e-9
    with pytest.raises(ValueError, match="rate must be > 0"):
        RateLimiter(0)


def test_rate_option_paces_the_run(queue):
    clock = FakeClock()
    instance = Scripted({}, clock=clock)
    summary = run(instance, [track(n) for n in range(20)], queue, clock=clock,
                  sleep=clock.sleep, rate=5, concurrency=1)
    assert summary.delivered == 20
    times = sorted(t for _, t in instance.calls)
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert all(abs(gap - 0.2) < 1e-6 for gap in gaps)  # evenly spaced, not in bursts


class Watching(integration("Watching").channels(["server"])):
    """Records, at every delivery, how many messages its runner has read but not finished."""

    runner: Any = None

    def initialize(self) -> None:
        self.seen: list[int] = []

    def track(self, msg: Any) -> None:
        summary = self.runner.summary
        self.seen.append(summary.queued - summary.finished)


def test_feeding_pauses_while_the_backlog_is_full(queue):
    instance = Watching({})
    runner = Runner(instance, None, queue, backlog=100, chunk_size=50, concurrency=2)
    instance.runner = runner
    runner.feed([track(n) for n in range(2000)])
    summary = runner.run()
    assert summary.delivered == 2000
    assert max(instance.seen) < 100 + 50


class Stopping(integration("Stopping").channels(["server"])):
    """Stops its runner after ``limit`` deliveries."""

    runner: Any = None
    limit = 30

    def initialize(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def track(self, msg: Any) -> None:
        with self.lock:
            self.count += 1
            if self.count == self.limit:
                self.runner.stop()


def test_stop_leaves_the_rest_in_the_queue_and_a_resume_finishes(tmp_path):
    path = tmp_path / "in.ndjson"
    path.write_text("".join(json.dumps(track(n)) + "\n" for n in range(3000)))
    with SQLiteQueue(tmp_path / "q.sqlite3") as queue:
        instance = Stopping({})
        runner = Runner(instance, None, queue, concurrency=2, backlog=200, chunk_size=100)
        instance.runner = runner
        runner.feed(str(path))
        first = runner.run()
        assert first.interrupted and first.exit_code() == 130
        assert first.delivered >= 30 and first.queued < 3000
        offsets = queue.input_offsets()
        assert not offsets[str(path)].done
        second_instance = Scripted({})
        resumed = Runner(second_instance, None, queue, concurrency=2)
        assert resumed.resume() == []
        second = resumed.run()
        assert not second.interrupted
        assert first.queued + second.queued == 3000
        assert first.delivered + second.delivered == 3000
        assert queue.input_offsets()[str(path)].done
        assert queue.stats().pending == 0


def test_inputs_may_be_paths_streams_and_messages_with_input_errors(tmp_path, queue):
    path = tmp_path / "a.ndjson"
    path.write_text('{"type":"track","event":"A","userId":"u"}\nnot json\n')
    runner = Runner(Scripted, None, queue)
    runner.feed([str(path), io.BytesIO(b'[{"type":"track","event":"B","userId":"u"}]')])
    runner.feed([track(1), "not a message"])  # type: ignore[list-item]
    summary = runner.run()
    assert summary.delivered == 3 and summary.input_errors == 2
    assert summary.input_error_samples[0].startswith(f"{path}:2: invalid JSON")
    assert summary.input_error_samples[1] == \
        "<messages>:2: expected a message (a dict), got str"
    assert summary.exit_code() == 1


def test_a_missing_input_is_an_input_error(tmp_path, queue):
    runner = Runner(Scripted, None, queue)
    runner.feed(str(tmp_path / "nope.ndjson"))
    summary = runner.run()
    assert summary.input_errors == 1
    assert "nope.ndjson: cannot read: No such file" in summary.input_error_samples[0]


def test_stdin_that_was_not_finished_cannot_be_resumed(queue):
    queue.set_input_offset("-", 120, line=4)
    runner = Runner(Scripted, None, queue)
    [warning] = runner.resume()
    assert "stdin was not read to its end" in warning and "line 4" in warning
    assert runner.run().input_errors == 1


def test_a_runner_runs_once_and_checks_its_options(queue):
    runner = Runner(Scripted, None, queue)
    runner.run()
    with pytest.raises(RuntimeError, match="runs once"):
        runner.run()
    with pytest.raises(TypeError, match="needs a queue"):
        Runner(Scripted, None, None)
    with pytest.raises(ValueError, match="concurrency must be a whole number >= 1, got 0"):
        Runner(Scripted, None, queue, concurrency=0)
    with pytest.raises(ValueError, match="max_age must be > 0 seconds"):
        Runner(Scripted, None, queue, max_age=0)
    with pytest.raises(errors.ValidationError, match="settings must be an object"):
        Runner(Scripted, ["not", "settings"], queue)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="an input must be a path"):
        runner.feed(42)  # type: ignore[arg-type]


class Broken(SQLiteQueue):
    """A queue whose acks fail (a full disk)."""

    def ack(self, ids: Any) -> None:
        raise OSError("disk full")


def test_a_queue_failure_stops_the_run_and_is_raised(tmp_path):
    with Broken(tmp_path / "q.sqlite3") as queue:
        runner = Runner(Scripted, None, queue, concurrency=2)
        runner.feed([track(n) for n in range(600)])
        with pytest.raises(OSError, match="disk full"):
            runner.run()
        assert runner.summary.interrupted
        assert queue.stats().pending == 600  # nothing acked, nothing lost


def test_summary_text_json_and_exit_codes():
    summary = RunSummary(integration="webhooks", queued=10, delivered=7, skipped=1, rejected=1,
                         failed=1, dead_letters=2, retries=3, elapsed=2.0, msgs_per_s=5.0,
                         dead_by_code={"MESSAGE_REJECTED": 1, "HTTP_ERROR": 1},
                         input_error_samples=["a.ndjson:3: invalid JSON: Expecting value"])
    text = summary.format()
    assert text.startswith("framework send webhooks: finished 10 messages in 2.00 s")
    assert "  delivered                7" in text
    assert "dead letters by code: HTTP_ERROR 1, MESSAGE_REJECTED 1" in text
    assert "input error: a.ndjson:3: invalid JSON" in text
    data = summary.to_dict()
    assert data["exit_code"] == 1 and data["delivered"] == 7 and data["retries"] == 3
    assert json.loads(json.dumps(data)) == data
    assert RunSummary(delivered=3).exit_code() == 0
    assert RunSummary(delivered=3, input_errors=1).exit_code() == 1
    assert RunSummary(interrupted=True).exit_code() == 130


def test_export_dead_letters_writes_ndjson(tmp_path, queue):
    run(Scripted, [scripted(1, "reject"), scripted(2, "http400"), track(3)], queue)
    target = tmp_path / "out" / "dead.ndjson"
    assert export_dead_letters(queue, target) == 2
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["message"]["messageId"] for line in lines] == ["m1", "m2"]
    assert lines[1]["error"]["status"] == 400 and lines[1]["error"]["class"] == "HTTPError"
    stream = io.StringIO()
    assert export_dead_letters(queue, stream) == 2
    assert stream.getvalue().count("\n") == 2


def test_a_resume_reads_with_the_converter_recorded_for_the_input(tmp_path, queue):
    impressions = [{"key": f"user-{n}", "split": "flag", "environmentId": "env",
                    "environmentName": "Prod", "treatment": "on", "time": 1700000000000,
                    "label": "rule", "splitVersionNumber": 1} for n in range(2)]
    path = tmp_path / "impressions.ndjson"
    path.write_text("".join(json.dumps(item) + "\n" for item in impressions))
    first = Runner(Scripted, None, queue)
    first.feed(str(path), converter="harness-fme-impressions")
    queue.set_input_offset(str(path), 0)  # as if killed before reading anything
    resumed = Runner(Scripted, None, queue)
    assert resumed.resume() == []
    summary = resumed.run()
    assert (summary.delivered, summary.dead_letters) == (2, 0)  # get_treatment tracks
