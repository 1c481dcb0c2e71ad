"""The commands are wired into the ``framework`` command."""

from framework import cli


def test_the_framework_command_runs_them(capsys, tmp_path):
    assert cli.main(["list"]) == 0
    assert "webhooks  Webhooks" in capsys.readouterr().out
    assert cli.main(["preview", "webhooks", "track-basic"]) == 0
    assert "URL: https://hooks.test/a\nMETHOD: POST\n" in capsys.readouterr().out
    assert cli.main(["curl", "webhooks", "track-basic"]) == 0
    assert capsys.readouterr().out.startswith("curl -X POST https://hooks.test/a")
    assert cli.main(["validate", "tests/manifest/data/plain_hook"]) == 0
    assert capsys.readouterr().out == "tests/manifest/data/plain_hook: ok\n"
    assert cli.main(["new", "!!!", "--root", str(tmp_path)]) == 1
    assert "gives an empty slug" in capsys.readouterr().err


def test_the_testing_names_are_exported():
    import framework.testing as testing

    for name in testing.__all__:
        assert getattr(testing, name) is not None
    assert set(testing.__all__) <= set(dir(testing))
    try:
        testing.nope
    except AttributeError as exc:
        assert "has no attribute 'nope'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_only_the_chosen_command_is_imported(monkeypatch, capsys):
    broken = dict(cli.COMMANDS, sink=("framework.no_such_module", "broken on purpose"))
    monkeypatch.setattr(cli, "COMMANDS", broken)
    assert cli.main(["list"]) == 0
    capsys.readouterr()
    import pytest
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        cli.main(["sink"])


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().err
    assert "a COMMAND is required" in out
    for name in cli.COMMANDS:
        assert name in out
