"""The pieces behind ``framework send``'s options: --settings, the queue lock, progress."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from framework.runner import QueueLock, QueueLockedError, SettingsError, parse_settings
from framework.runner.progress import TqdmProgress, make_progress
from framework.runner.summary import RunSummary


def test_settings_inline_and_from_a_file(tmp_path):
    assert parse_settings('{"hooks": ["http://x"]}') == {"hooks": ["http://x"]}
    assert parse_settings(None) == {} and parse_settings("  ") == {}
    path = tmp_path / "s.json"
    path.write_text('{"apiKey": "k"}')
    assert parse_settings(f"@{path}") == {"apiKey": "k"}


@pytest.mark.parametrize("text, message", [
    ("{", "--settings: not valid JSON at line 1 column 2 (Expecting property name enclosed in "
          "double quotes)"),
    ('{"a": 1,\n}', "--settings: not valid JSON at line 2 column 1"),
    ("[1, 2]", "--settings: must be a JSON object of settings, got an array"),
    ('"x"', "--settings: must be a JSON object of settings, got a string"),
    ("@", "--settings @file: expected a file name after '@'"),
    ("@missing.json", "--settings @file: no such file 'missing.json'"),
])
def test_settings_errors_name_the_option_and_the_rule(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError) as info:
        parse_settings(text)
    assert str(info.value).startswith(message)


def test_settings_file_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops}")
    with pytest.raises(SettingsError, match=r"^--settings @bad.json: not valid JSON at line 1 "
                                            r"column 2"):
        parse_settings(f"@{bad}")
    with pytest.raises(SettingsError, match="is a directory"):
        parse_settings(f"@{tmp_path}")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        parse_settings(f"@{latin}")


def test_the_lock_admits_one_holder_and_names_the_queue(tmp_path):
    queue = str(tmp_path / "q.sqlite3")
    with QueueLock(queue) as first:
        assert first.held and os.path.exists(queue + ".lock")
        with pytest.raises(QueueLockedError) as info:
            QueueLock(queue).acquire()
        assert str(info.value) == (
            f"queue {queue!r} is in use by another runner (pid {os.getpid()}); wait for it to "
            f"finish or pass another --queue (lock file {queue + '.lock'!r})")
        assert info.value.pid == os.getpid()
    with QueueLock(queue):  # released: free again
        pass
    assert QueueLock(":memory:").acquire().held is False


def test_a_lock_held_by_a_killed_process_is_free(tmp_path):
    queue = str(tmp_path / "q.sqlite3")
    code = textwrap.dedent(f"""
        import sys, time
        from framework.runner import QueueLock
        lock = QueueLock({queue!r}).acquire()
        print("locked", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(QueueLockedError, match=f"pid {child.pid}"):
            QueueLock(queue).acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with QueueLock(queue) as lock:  # kill -9 leaves no stale lock
        assert lock.held


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    terminal = _Terminal()
    bar = make_progress(None, terminal)
    assert isinstance(bar, TqdmProgress)
    bar.update(RunSummary(delivered=5), pending=3)
    bar.write("input error: a:1: bad")
    bar.close()
    assert "input error: a:1: bad" in terminal.getvalue()
    plain = io.StringIO()
    lines = make_progress(None, plain)
    assert not isinstance(lines, TqdmProgress)
    lines.update(RunSummary(delivered=5), pending=3)
    lines.write("input error: a:1: bad")
    lines.close()
    assert plain.getvalue() == "input error: a:1: bad\n"
    assert not isinstance(make_progress(False, terminal), TqdmProgress)
