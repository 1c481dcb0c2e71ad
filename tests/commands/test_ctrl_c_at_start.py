"""Ctrl-C while the ``framework`` command is still importing ends without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

SCRIPT = os.path.join(os.path.dirname(sys.executable), "framework")


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason="the console script is not installed")
@pytest.mark.parametrize("after", [0.05, 0.1, 0.15, 0.25])
def test_ctrl_c_during_start_up_prints_no_traceback(after):
    process = subprocess.Popen([SCRIPT, "list"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert "Traceback" not in err
    # interrupted (130), finished before the signal (0), or killed by it before Python ran
    assert process.returncode in (0, 130, -signal.SIGINT), err


def test_the_console_script_runs_the_cli(capsys):
    import framework_main

    sys.argv = ["framework", "--version"]
    with pytest.raises(SystemExit) as done:
        framework_main.main()
    assert done.value.code == 0 and "framework" in capsys.readouterr().out
