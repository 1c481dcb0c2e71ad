"""Ctrl-C while the ``framework`` command is still importing ends without a traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

SCRIPT = os.path.join(os.path.dirname(sys.executable), "framework")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = tuple(os.path.join(ROOT, name) + os.sep
                 for name in ("framework", "facade", "integrations"))


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason="the console script is not installed")
@pytest.mark.parametrize("after", [0.05, 0.1, 0.15, 0.25])
def test_ctrl_c_during_start_up_prints_no_traceback(after):
    process = subprocess.Popen([SCRIPT, "list"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    if err.startswith("Fatal Python error: init_import_site"):
        # On a loaded machine the signal can land while the interpreter itself is still
        # importing ``site``, before any code of ours runs: CPython aborts there, as it does
        # for every program. What must never appear is a frame of ours.
        ours = [path for path in re.findall(r'File "([^"]+)"', err)
                if path.startswith(PACKAGES) or os.path.basename(path) == "framework_main.py"]
        assert ours == [], err
        return
    assert "Traceback" not in err
    # interrupted (130), finished before the signal (0), or killed by it before Python ran
    assert process.returncode in (0, 130, -signal.SIGINT), err


def test_the_console_script_runs_the_cli(capsys):
    import framework_main

    sys.argv = ["framework", "--version"]
    with pytest.raises(SystemExit) as done:
        framework_main.main()
    assert done.value.code == 0 and "framework" in capsys.readouterr().out
