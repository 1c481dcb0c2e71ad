"""Fixture files: their format, where they live, and how they are read.

A fixture is ``tests/fixtures/<slug>/<name>.json`` (or ``fixtures/<name>.json`` inside the
integration's own package)::

    {
      "settings": {"apiKey": "k"},                      optional: the integration's settings
      "input":    {"type": "track", "event": "..."},    the message (``type`` required, or
                                                        ``kind`` for an audit-log event)
      "output":   {...},                                optional: what the mapper returns
      "request":  {"method", "url", "headers"?, "body"?}: the first request, or a list of them,
                  one per request (the list also fixes how many requests are made)
      "requests": [{...}, ...]: the same as a list-valued "request"
      "response": {"status", "body"?, "headers"?},      what the fake endpoint answers
      "error":    {"code", "status"?, "message"?},      the failure the run must end with
      "description": "..."                              optional, for people
    }

A batch fixture delivers several messages together, as the runner does (through the
integration's ``batch(items)`` when it declares ``.batch(...)`` for them)::

    {
      "batch":    [{"type": "track", ...}, ...],        instead of "input"
      "request":  {...} or [...],                       the request(s) the batch makes
      "outcomes": ["delivered", {"code": "MESSAGE_REJECTED"}, ...]   one per message
    }

``outcomes`` is optional (every message delivered); ``output`` and ``error`` do not apply.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

__all__ = ["Fixture", "FixtureError", "load_fixture", "parse_fixture", "fixture_dirs",
           "package_fixture_dir", "find_fixture", "fixture_paths", "FIXTURE_KEYS"]

FIXTURE_KEYS = ("description", "settings", "input", "batch", "output", "request", "requests",
                "response", "error", "outcomes")
_REQUEST_KEYS = ("method", "url", "headers", "body")
_RESPONSE_KEYS = ("status", "body", "headers")
_ERROR_KEYS = ("code", "status", "message")


class FixtureError(ValueError):
    """A fixture is missing, unreadable or not in the fixture format."""


@dataclass(frozen=True)
class Fixture:
    """One parsed fixture file.

    Attributes:
        name: The file name without ``.json``.
        path: Where it was read from.
        data: The whole JSON document.
    """

    name: str
    path: Path
    data: Mapping[str, Any]

    def _object(self, key: str) -> dict[str, Any] | None:
        """A deep copy of the object under ``key``, or ``None`` when the fixture has none."""
        value = self.data.get(key)
        return None if value is None else copy.deepcopy(dict(value))

    @property
    def input(self) -> dict[str, Any]:
        """A deep copy of the input message (a batch fixture's first message)."""
        return self.inputs[0]

    @property
    def inputs(self) -> list[dict[str, Any]]:
        """Deep copies of every message: the batch's, or the one ``input``."""
        if self.is_batch:
            return [copy.deepcopy(dict(m)) for m in self.data["batch"]]
        return [copy.deepcopy(dict(self.data["input"]))]

    @property
    def is_batch(self) -> bool:
        """Whether the fixture delivers a ``batch`` of messages."""
        return "batch" in self.data

    @property
    def outcomes(self) -> list[Any] | None:
        """The expected outcome per message of a batch, or ``None`` (all delivered)."""
        value = self.data.get("outcomes")
        return None if value is None else copy.deepcopy(list(value))

    @property
    def settings(self) -> dict[str, Any] | None:
        """A deep copy of the fixture's settings, or ``None`` when it has none."""
        return self._object("settings")

    @property
    def has_output(self) -> bool:
        """Whether the fixture states the mapper's output."""
        return "output" in self.data

    @property
    def output(self) -> Any:
        """A deep copy of the expected mapper output."""
        return copy.deepcopy(self.data.get("output"))

    @property
    def requests(self) -> list[tuple[int, dict[str, Any]]]:
        """The expected requests as ``(index, request)`` pairs, from ``request`` and
        ``requests``."""
        pairs: list[tuple[int, dict[str, Any]]] = []
        for key in ("request", "requests"):
            value = self.data.get(key)
            if value is not None:
                items = value if isinstance(value, list) else [value]
                pairs.extend(enumerate(copy.deepcopy(items)))
        return pairs

    @property
    def request_count(self) -> int | None:
        """How many requests must be made: the length of a list ``request``/``requests``."""
        for key in ("requests", "request"):
            value = self.data.get(key)
            if isinstance(value, list):
                return len(value)
        return None

    @property
    def response(self) -> dict[str, Any] | None:
        """What the fake endpoint answers, or ``None``."""
        return self._object("response")

    @property
    def error(self) -> dict[str, Any] | None:
        """The expected failure, or ``None``."""
        return self._object("error")

    @property
    def checks_wire(self) -> bool:
        """Whether running the fixture means running the pipeline: it states a request, a
        response or an error, or it states no mapper output at all."""
        wire = ("request", "requests", "response", "error", "batch")
        return any(k in self.data for k in wire) or not self.has_output


def load_fixture(path: str | Path) -> Fixture:
    """Read and check one fixture file.

    Raises:
        FixtureError: The file is missing, is not JSON, or is not in the fixture format; the
            message names the file and the offending key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read the fixture ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FixtureError(f"{path}: the fixture is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                           f"{exc.msg}") from None
    return parse_fixture(data, path)


def parse_fixture(data: Any, path: str | Path = "<fixture>") -> Fixture:
    """Check a decoded fixture document and wrap it.

    Raises:
        FixtureError: The document is not in the fixture format.
    """
    path = Path(path)
    problem = _problem(data)
    if problem:
        raise FixtureError(f"{path}: {problem}")
    return Fixture(path.stem, path, data)


def _problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return f"a fixture must be a JSON object, got {type(data).__name__}"
    unknown = sorted(set(data) - set(FIXTURE_KEYS))
    if unknown:
        return f"unknown key(s) {', '.join(map(repr, unknown))}; a fixture may have " + \
            ", ".join(FIXTURE_KEYS)
    if "batch" in data:
        problem = _batch_problem(data)
        if problem:
            return problem
    elif "outcomes" in data:
        return '"outcomes" belongs to a "batch" fixture'
    elif "input" not in data:
        return '"input" (the message) is required, or "batch" (a list of messages)'
    else:
        problem = _message_problem(data["input"], "input")
        if problem:
            return problem
    if data.get("settings") is not None and not isinstance(data["settings"], dict):
        return '"settings" must be an object'
    for key in ("request", "requests"):
        problem = _requests_problem(data.get(key), key)
        if problem:
            return problem
    lists = [data[k] for k in ("request", "requests") if isinstance(data.get(k), list)]
    if len(lists) == 2 and len(lists[0]) != len(lists[1]):
        return '"request" and "requests" list different numbers of requests'
    response = data.get("response")
    if response is not None:
        problem = _object_problem(response, '"response"', _RESPONSE_KEYS)
        if problem:
            return problem
        if not _is_int(response.get("status")):
            return '"response.status" must be an HTTP status number'
        if response.get("headers") is not None and not _str_map(response["headers"]):
            return '"response.headers" must be an object of header names to strings'
    error = data.get("error")
    if error is not None:
        problem = _object_problem(error, '"error"', _ERROR_KEYS)
        if problem:
            return problem
        if not isinstance(error.get("code"), str) or not error["code"]:
            return '"error.code" must be an error code such as "HTTP_ERROR"'
        if error.get("status") is not None and not _is_int(error["status"]):
            return '"error.status" must be an HTTP status number or null'
        if error.get("message") is not None and not isinstance(error["message"], str):
            return '"error.message" must be a string'
    return None


def _message_problem(message: Any, where: str) -> str | None:
    if not isinstance(message, dict):
        return f'"{where}" must be an object (a Segment message)'
    if not _non_empty(message.get("type")) and not _non_empty(message.get("kind")):
        return f'"{where}.type" must be specified (identify, track, page, ...), or ' \
            f'"{where}.kind" for an audit-log event (flag, project, ...)'
    return None


def _batch_problem(data: dict[str, Any]) -> str | None:
    from .checks import outcome_spec_problem

    for key in ("input", "output", "error"):
        if key in data:
            return f'"{key}" does not apply to a "batch" fixture (use "outcomes")'
    messages = data["batch"]
    if not isinstance(messages, list) or not messages:
        return '"batch" must be a non-empty list of messages'
    for index, message in enumerate(messages):
        problem = _message_problem(message, f"batch[{index}]")
        if problem:
            return problem
    outcomes = data.get("outcomes")
    if outcomes is None:
        return None
    if not isinstance(outcomes, list) or len(outcomes) != len(messages):
        return f'"outcomes" must list one outcome per message ({len(messages)})'
    for index, item in enumerate(outcomes):
        problem = outcome_spec_problem(item)
        if problem:
            return f'"outcomes"[{index}]: {problem}'
    return None


def _requests_problem(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if key == "requests" and not isinstance(value, list):
        return '"requests" must be a list of requests'
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        where = f'"{key}"[{index}]' if isinstance(value, list) else f'"{key}"'
        problem = _request_problem(item, where)
        if problem:
            return problem
    return None


def _request_problem(item: Any, where: str) -> str | None:
    problem = _object_problem(item, where, _REQUEST_KEYS)
    if problem:
        return problem
    for key in ("method", "url"):
        if not isinstance(item.get(key), str) or not item[key]:
            return f'{where} needs "{key}" (a string)'
    if item.get("headers") is not None and not _str_map(item["headers"]):
        return f'{where}.headers must be an object of header names to strings'
    return None


def _object_problem(value: Any, where: str, keys: Iterable[str]) -> str | None:
    keys = tuple(keys)
    if not isinstance(value, dict):
        return f"{where} must be an object"
    unknown = sorted(set(value) - set(keys))
    if unknown:
        return f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; " \
            f"allowed: {', '.join(keys)}"
    return None


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


# -- where fixtures live ---------------------------------------------------------------------

def package_fixture_dir(module_name: str) -> Path | None:
    """The ``fixtures`` folder shipped inside an integration's package, if it has one.

    Args:
        module_name: The module the integration is defined in (``integrations.webhooks``).
    """
    module = sys.modules.get(module_name)
    try:
        spec = module.__spec__ if module is not None else importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    locations = getattr(spec, "submodule_search_locations", None) if spec else None
    if not locations:
        return None
    folder = Path(list(locations)[0]) / "fixtures"
    return folder if folder.is_dir() else None


def _repo_dir(slug: str, start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "tests" / "fixtures" / slug
        if candidate.is_dir():
            return candidate
    return None


def fixture_dirs(slug: str, module_name: str | None = None,
                 root: str | Path | None = None) -> list[Path]:
    """The folders holding an integration's fixtures, those that exist, repo's first.

    Args:
        slug: The integration's slug.
        module_name: The integration's module, to find a ``fixtures`` folder in its package.
        root: The repository root; by default the nearest folder at or above the current
            directory that has ``tests/fixtures/<slug>``.
    """
    found: list[Path] = []
    if root is not None:
        candidate = Path(root) / "tests" / "fixtures" / slug
        repo = candidate if candidate.is_dir() else None
    else:
        repo = _repo_dir(slug, Path.cwd())
    if repo is not None:
        found.append(repo)
    shipped = package_fixture_dir(module_name) if module_name else None
    if shipped is not None and all(shipped.resolve() != f.resolve() for f in found):
        found.append(shipped)
    return found


def fixture_paths(dirs: Iterable[Path]) -> list[Path]:
    """Every ``*.json`` file in ``dirs``, sorted by folder then name."""
    return [path for folder in dirs for path in sorted(Path(folder).glob("*.json"))]


def find_fixture(name: str, dirs: Iterable[Path]) -> Path:
    """The file of the fixture called ``name`` (with or without ``.json``).

    Raises:
        FixtureError: No folder has it; the message lists the folders and what they hold.
    """
    dirs = list(dirs)
    filename = name if name.endswith(".json") else f"{name}.json"
    for folder in dirs:
        candidate = Path(folder) / filename
        if candidate.is_file():
            return candidate
    if not dirs:
        raise FixtureError(f"no fixture {name!r}: no fixtures folder found "
                           "(tests/fixtures/<slug>/ or the package's fixtures/)")
    known = ", ".join(p.stem for p in fixture_paths(dirs)) or "none"
    where = ", ".join(str(d) for d in dirs)
    raise FixtureError(f"no fixture {name!r} in {where} (available: {known})")
