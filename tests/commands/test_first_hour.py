"""Rough edges of the first hour: messages that say what is wrong, help that lists routes."""

from __future__ import annotations

import pytest

from framework.cli import main


@pytest.mark.parametrize("name", ["class", "import", "match"])
def test_a_keyword_name_is_called_a_keyword(tmp_path, capsys, name):
    assert main(["new", name, "--root", str(tmp_path)]) != 0
    assert "which is a Python keyword" in capsys.readouterr().err


def test_sink_help_lists_its_routes(capsys):
    with pytest.raises(SystemExit):
        main(["sink", "--help"])
    out = capsys.readouterr().out
    for route in ("/_stats", "/_requests", "/_reset"):
        assert route in out
