"""The progress bar: it ticks, counts in whole numbers, names the last error, knows a total."""

from __future__ import annotations

import io

from framework.runner import Backoff, Runner, RunSummary
from framework.runner.progress import TqdmProgress, short_error, status_line

from send_helpers import Scripted


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_counts_are_whole_numbers_and_the_last_error_is_named():
    summary = RunSummary(delivered=50_000, retries=12_345, dead_letters=3)
    summary.last_error = ("ConnectionError: POST http://127.0.0.1:1/hook failed: "
                          "connection refused")
    line = status_line(summary, 10_000)
    assert line == ("ok=50000 pending=10000 retries=12345 dead=3 "
                    "last=ConnectionError (connection refused)")
    assert "e+" not in line


def test_short_error_forms():
    assert short_error("HTTPError: POST http://x/hook answered 503: oops") == "HTTPError (503)"
    assert short_error("TimeoutError: POST http://x timed out after 5s") == \
        "TimeoutError (timed out)"
    assert short_error("KeyError: 'x'") == "KeyError"


def test_the_bar_redraws_while_nothing_changes_so_the_clock_moves():
    stream, clock = io.StringIO(), Clock()
    bar = TqdmProgress(stream, clock=clock)
    summary = RunSummary()
    bar.update(summary, 5)
    drawn = len(stream.getvalue())
    clock.now += 1.0
    bar.update(summary, 5)  # no message finished, yet the display is refreshed
    assert len(stream.getvalue()) > drawn
    bar.close()


def test_a_known_total_gives_the_bar_a_total_and_an_eta():
    stream, clock = io.StringIO(), Clock()
    bar = TqdmProgress(stream, clock=clock)
    summary = RunSummary(delivered=25, expected=100)
    clock.now += 1.0
    bar.update(summary, 75)
    assert "25/100" in stream.getvalue()
    bar.close()


def test_the_runner_estimates_the_total_from_the_file_size(tmp_path, queue):
    path = tmp_path / "in.ndjson"
    path.write_text("".join(f'{{"type":"track","event":"E","userId":"u{n}"}}\n'
                            for n in range(2000)))
    seen = []

    class Recorder(TqdmProgress):
        def __init__(self) -> None:
            pass

        def update(self, summary, pending):
            seen.append(summary.expected)

        def close(self) -> None:
            pass

    runner = Runner(Scripted, {}, queue, progress=Recorder(), chunk_size=100,
                    backoff=Backoff(base=0.001))
    runner.feed(str(path))
    summary = runner.run()
    assert summary.expected == 2000 and summary.delivered == 2000
    estimate = [n for n in seen if n][0]  # from the bytes read so far: close already
    assert 1900 <= estimate <= 2100
