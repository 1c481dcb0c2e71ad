"""``framework send`` of NDJSON audit-log events through a manifest integration, to a real
sink on 127.0.0.1: rendered, signed, the policy applied."""

import copy
import hashlib
import hmac
import json
from importlib.metadata import EntryPoint
from pathlib import Path

import integrations
from framework.cli import main
from framework.sink import Sink

SAMPLES = Path(__file__).parent / "data" / "signed_webhook" / "fixtures"
SECRET = "sign-5678"


def events():
    flag = json.loads((SAMPLES / "flag-production.json").read_text())["input"]
    project = json.loads((SAMPLES / "project-skipped-by-policy.json").read_text())["input"]
    found = []
    for n in range(5):
        event = copy.deepcopy(flag)
        event["_id"] = f"audit-{n}"
        event["key"] = f"flag-{n}"
        found.append(event)
    found.append(project)  # the default policy skips it
    return found


def test_audit_log_events_are_delivered_through_framework_send(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(integrations, "available", lambda: {
        "signed_webhook": EntryPoint("signed_webhook", "manifest_toys:SignedWebhook",
                                     integrations.GROUP)})
    source = tmp_path / "events.ndjson"
    source.write_text("".join(json.dumps(e) + "\n" for e in events()))
    with Sink() as sink:
        settings = {"url": sink.url + "/ld", "apiToken": "tok-1234", "signingSecret": SECRET}
        code = main(["send", "signed_webhook", str(source), "--settings", json.dumps(settings),
                     "--queue", str(tmp_path / "q.sqlite3"), "--json"])
        received = sink.requests()
    out = capsys.readouterr().out
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == 0, out
    assert (summary["delivered"], summary["skipped"], summary["dead_letters"]) == (5, 1, 0)
    assert sorted(json.loads(r["body"])["flag"] for r in received) == \
        [f"flag-{n}" for n in range(5)]
    for request in received:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert request["method"] == "POST" and request["path"] == "/ld"
        assert headers["authorization"] == "Bearer tok-1234"
        expected = hmac.new(SECRET.encode(), request["body"].encode(), hashlib.sha256)
        assert headers["x-signature"] == expected.hexdigest()


def _failing_hook(tmp_path, monkeypatch, url, include):
    import manifest_toys

    from framework.manifest import load

    folder = tmp_path / "failing_hook"
    manifest = json.loads((Path(__file__).parent / "data" / "plain_hook" / "manifest.json")
                          .read_text())
    hook = manifest["capabilities"]["auditLogEventsHook"]
    hook["endpoint"]["url"] = url
    hook["includeErrorResponseBody"] = include
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(manifest_toys, "FailingHook", load(folder), raising=False)
    monkeypatch.setattr(integrations, "available", lambda: {
        "failing_hook": EntryPoint("failing_hook", "manifest_toys:FailingHook",
                                   integrations.GROUP)})


def test_include_error_response_body_decides_what_the_dead_letter_keeps(tmp_path, monkeypatch,
                                                                        capsys):
    source = tmp_path / "events.ndjson"
    source.write_text(json.dumps(events()[0]) + "\n")
    kept = {}
    with Sink(fail_rate=1.0, statuses=(400,)) as sink:
        for include in (True, False):
            _failing_hook(tmp_path / str(include), monkeypatch, sink.url + "/ld", include)
            letters = tmp_path / f"dead-{include}.ndjson"
            code = main(["send", "failing_hook", str(source), "--settings",
                         json.dumps({"secret": SECRET}), "--queue",
                         str(tmp_path / f"q-{include}.sqlite3"), "--dead-letters", str(letters),
                         "--json"])
            assert code != 0
            (letter,) = [json.loads(line) for line in letters.read_text().splitlines()]
            kept[include] = letter["error"]
    capsys.readouterr()
    assert kept[True]["status"] == 400
    assert kept[True]["body"] == '{"error": "injected failure: 400 Error"}'
    assert "injected failure" in kept[True]["message"]
    assert "body" not in kept[False] and "injected failure" not in kept[False]["message"]
