"""The package's public names resolve, and importing it loads no web server library."""

import subprocess
import sys

import framework.audience
import framework.audience.testing


def test_every_exported_name_resolves():
    for name in framework.audience.__all__:
        assert getattr(framework.audience, name) is not None, name
    assert framework.audience.testing.AudienceFeedSuite.__name__ == "AudienceFeedSuite"


def test_importing_the_base_classes_loads_no_server_library():
    code = ("import sys, framework.audience as a; a.AudienceFeedConnector; a.PropertiesWrapper; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_typed_user_file_runs(monkeypatch):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "typing"))
    import audience_feed_user

    # No api_token property: the typed creation handler names it (500, public).
    assert audience_feed_user.serve_and_drive() == 500
