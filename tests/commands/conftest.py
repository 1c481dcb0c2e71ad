import argparse
import importlib

import pytest

MODULES = {"list": "framework.commands.list", "preview": "framework.commands.preview",
           "curl": "framework.commands.curl", "new": "framework.scaffold"}


@pytest.fixture
def command(capsys):
    """``command("preview", *argv)`` runs a subcommand -> (exit code, stdout, stderr)."""
    def run(name, *argv):
        module = importlib.import_module(MODULES[name])
        parser = argparse.ArgumentParser(prog=f"framework {name}")
        module.add_arguments(parser)
        code = module.run(parser.parse_args([str(a) for a in argv]))
        out, err = capsys.readouterr()
        return code, out, err
    return run
