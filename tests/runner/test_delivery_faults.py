"""Destinations that misbehave: 4xx storms, refused credentials, outages, hangs, drips, retries.

Clocks are injected where the runner waits; real sockets (loopback only) where the subject is a
connection. Nothing asserts a wall time: counts and outcomes only.
"""

from __future__ import annotations

import json
import re
import threading

import pytest
import requests
import responses

from framework import errors
from framework.runner import Backoff, Runner, SQLiteQueue
from framework.sink import Sink
from framework.testing.faultserver import FaultServer, wait_until
from integrations.webhooks import Webhooks

from send_helpers import FakeClock, track


def webhooks(url: str, clock: FakeClock | None = None, **settings) -> Webhooks:
    clock = clock or FakeClock()
    return Webhooks({"hooks": [url], **settings}, clock=clock, sleep=clock.sleep)


def runner_for(integration, queue, clock: FakeClock, **options) -> Runner:
    options.setdefault("backoff", Backoff(base=1.0))
    return Runner(integration, None, queue, clock=clock, sleep=clock.sleep, **options)


# -- defect 2: 4xx answers never trip the cool-down ------------------------------------------

@pytest.mark.parametrize("status", [400, 404, 413])
def test_a_4xx_storm_dead_letters_every_message_with_its_status_after_one_request(queue,
                                                                                  status):
    clock = FakeClock()
    with Sink(fail_rate=1.0, statuses=[status]) as sink:
        runner = runner_for(webhooks(sink.url + "/hook", clock), queue, clock,
                            max_attempts=2, concurrency=4)
        runner.feed([track(n) for n in range(100)])
        summary = runner.run()
        requests_made = sink.stats()["requests"]
    assert (summary.failed, summary.dead_letters, summary.retries) == (100, 100, 0)
    assert requests_made == 100  # every message was sent once: none held back unsent
    letters = list(queue.dead_letters())
    assert {(d.error["class"], d.error["status"]) for d in letters} == {("HTTPError", status)}


# -- the first hour: wrong credentials stop the run -------------------------------------------

def test_ten_consecutive_401s_stop_the_run_and_leave_the_rest_queued(queue):
    clock = FakeClock()
    with Sink(fail_rate=1.0, statuses=[401]) as sink:
        runner = runner_for(webhooks(sink.url + "/hook", clock), queue, clock, concurrency=1)
        runner.feed([track(n) for n in range(100)])
        summary = runner.run()
    assert summary.credentials_refused and summary.exit_code() == 2
    assert summary.dead_letters == 10
    assert queue.stats().pending == 90  # left for --resume with fixed settings


def test_a_success_between_401s_resets_the_count(queue):
    clock = FakeClock()
    answers = iter([401] * 9 + [200] + [401] * 9 + [200] * 100)
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://hooks.test/a",
                          callback=lambda request: (next(answers), {}, "{}"))
        runner = runner_for(webhooks("https://hooks.test/a", clock), queue, clock,
                            concurrency=1)
        runner.feed([track(n) for n in range(30)])
        summary = runner.run()
    assert not summary.credentials_refused
    assert (summary.dead_letters, summary.delivered) == (18, 12)


# -- defect 3: recovery within seconds of an outage ------------------------------------------

def test_an_outage_is_probed_and_delivery_resumes_within_seconds_of_recovery(queue):
    clock = FakeClock()
    up_at = clock.now + 20.0
    seen = {"down": 0, "first_ok": None, "last_ok": None}
    lock = threading.Lock()

    def answer(request):
        with lock:
            if clock.now < up_at:
                seen["down"] += 1
                raise requests.ConnectionError("refused")
            if seen["first_ok"] is None:
                seen["first_ok"] = clock.now
            seen["last_ok"] = clock.now
        return 200, {}, "{}"

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://hooks.test/a", callback=answer)
        runner = runner_for(webhooks("https://hooks.test/a", clock), queue, clock,
                            concurrency=2, max_attempts=20)
        runner.feed([track(n) for n in range(300)])
        summary = runner.run()
    assert (summary.delivered, summary.dead_letters) == (300, 0)
    assert summary.deferred > 0  # held back unsent while the hook rested
    assert seen["first_ok"] - up_at <= 2.5  # the next probe: seconds, not minutes
    # and the retries scheduled during the outage go at once, not at their backoff schedule
    assert seen["last_ok"] - up_at <= 5.0
    # 25 failures open the circuit; afterwards about one probe per 2 s of outage (and one
    # attempt per message already in a worker's hands)
    assert seen["down"] <= 25 + 20 / 2 + 16 * 2


# -- defect 13: retries go through the queue; the worker never sleeps ------------------------

def test_failed_attempts_are_retried_by_the_queue_and_counted(queue):
    clock = FakeClock()
    worker_sleeps: list[float] = []
    integration = Webhooks({"hooks": ["https://hooks.test/a"]}, clock=clock,
                           sleep=worker_sleeps.append)
    answers = iter([500, 200] * 50)
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://hooks.test/a",
                          callback=lambda request: (next(answers), {}, "{}"))
        runner = runner_for(integration, queue, clock, concurrency=1)
        runner.feed([track(n) for n in range(50)])
        summary = runner.run()
    assert integration.policy.retries == 0  # Webhooks' own retry is off under the runner
    assert (summary.delivered, summary.retries, summary.integration_retries) == (50, 50, 0)
    assert clock.slept  # the runner waited for the scheduled retries...
    assert worker_sleeps == []  # ... and no worker ever slept in a backoff


def test_in_integration_retries_are_counted_when_kept(queue):
    clock = FakeClock()
    integration = webhooks("https://hooks.test/a", clock)
    answers = iter([500, 200] * 20)
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://hooks.test/a",
                          callback=lambda request: (next(answers), {}, "{}"))
        runner = runner_for(integration, queue, clock, concurrency=1, integration_retries=True)
        runner.feed([track(n) for n in range(20)])
        summary = runner.run()
    assert (summary.delivered, summary.retries, summary.integration_retries) == (20, 0, 20)


# -- defect 6: the timeout is a deadline for the whole attempt -------------------------------

def test_a_dripping_response_times_out_at_the_attempt_deadline():
    class Quick(Webhooks):
        _timeout = 0.3

    with FaultServer("drip", drip_every=0.05) as server:
        hook = Quick({"hooks": [server.url + "/hook"]})
        hook.policy.retries = 0
        with pytest.raises(errors.TimeoutError, match="passed its 0.3s deadline") as caught:
            hook.process(track(1))
        hook.close()
    assert caught.value.retryable and server.requests == 1


def test_an_attempt_within_its_deadline_is_not_cut(tmp_path):
    class Quick(Webhooks):
        _timeout = 2.0

    with FaultServer("ok") as server:
        hook = Quick({"hooks": [server.url + "/hook"]})
        for n in range(20):  # pooled connections are watched again on every request
            hook.process(track(n))
        hook.close()
    assert len(server.accepted_ids) == 20


# -- errors keep their reason ----------------------------------------------------------------

def test_a_refused_connection_says_so():
    with FaultServer("ok") as server:
        url = server.url
    hook = webhooks(url + "/hook")  # the server is gone: nothing listens on its port
    with pytest.raises(errors.ConnectionError, match="failed: connection refused"):
        hook.process(track(1))


def test_a_reset_connection_says_so():
    with FaultServer("reset") as server:
        hook = webhooks(server.url + "/hook")
        with pytest.raises(errors.ConnectionError, match="connection reset by the server"):
            hook.process(track(1))


# -- defect 12: a stop does not wait for hung attempts ---------------------------------------

def test_a_stop_abandons_hung_attempts_after_the_grace_period_and_resume_delivers_them(
        tmp_path):
    queue_path = tmp_path / "q.sqlite3"
    with FaultServer("hang") as server, SQLiteQueue(queue_path) as queue:
        runner = Runner(Webhooks, {"hooks": [server.url + "/hook"]}, queue, concurrency=4,
                        grace=0.2, handle_signals=False)
        runner.feed([track(n) for n in range(200)])
        threading.Thread(target=lambda: (wait_until(lambda: server.requests >= 4),
                                         runner.stop()), daemon=True).start()
        summary = runner.run()
        assert summary.interrupted and summary.abandoned == 4
        assert summary.delivered == 0
        stats = queue.stats()
        assert stats.pending == 200 and stats.in_flight >= 4  # abandoned jobs stay reserved
    with Sink() as sink, SQLiteQueue(queue_path) as queue:
        summary = Runner(Webhooks, {"hooks": [sink.url + "/hook"]}, queue).run()
        assert summary.recovered >= 4 and summary.delivered == 200
        assert len(sink.message_ids(accepted=True)) == 200


# -- defect 10: secrets in hook URLs and body excerpts ---------------------------------------

def test_url_credentials_and_a_secret_across_the_excerpt_cut_never_show(queue):
    clock = FakeClock()
    url = "https://user:hunter2-pass@hooks.test/a?token=tok-123456&plain=1"
    secret = "S3CRET-" + "x" * 30
    body = "e" * 500 + secret + "tail"  # the secret straddles byte 512
    hook = Webhooks({"hooks": [url], "headers": {"Authorization": secret}}, clock=clock,
                    sleep=clock.sleep)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, re.compile(r"https://.*hooks\.test/a.*"), status=400,
                 body=body)
        runner = runner_for(hook, queue, clock)
        runner.feed([track(1)])
        summary = runner.run()
    [letter] = list(queue.dead_letters())
    stored = json.dumps(letter.error) + json.dumps(summary.to_dict()) + summary.format()
    for leak in ("hunter2", "tok-123456", "S3CRET", secret[:20], secret[-20:]):
        assert leak not in stored, leak
    assert "user:[REDACTED]@hooks.test" in letter.error["message"]
    assert "plain=1" in letter.error["message"]
