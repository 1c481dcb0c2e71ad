"""``framework new "My Integration"``: a new integration in the Webhooks integration's shape;
``framework new --manifest "My Hook"``: a new manifest integration.

Writes, relative to the repository root:

* ``integrations/my_integration/{__init__.py, mapper.py, README.md}``;
* ``tests/my_integration/test_my_integration.py`` (the standard suite and request tests);
* ``tests/fixtures/my-integration/<method>-basic.json`` for each method;

and registers ``my-integration = integrations.my_integration:MyIntegration`` in the
``framework.integrations`` entry-point group of ``setup.cfg``. With ``--manifest`` it writes
``integrations/my_hook/`` (``manifest.json``, ``templates/``, ``assets/``, ``fixtures/``
rendered from the sample audit-log events, ``README.md`` and the two-line ``__init__.py``)
and ``tests/my_hook/test_my_hook.py``, and registers ``my_hook = integrations.my_hook:
Integration`` (a manifest integration's key is its folder's name). It never overwrites a
file, and refuses a name whose slug is empty, not a valid package name, or already taken.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from .builder import slugify
from .templates import integration as templates
from .templates import manifest as manifest_templates

__all__ = ["ScaffoldError", "Names", "names_for", "plan", "plan_manifest", "register",
           "create", "add_arguments", "run", "ENDPOINT"]

ENDPOINT = "https://api.example.com/v1"
GROUP = "framework.integrations"
_FORBIDDEN = re.compile(r"[\"\\\x00-\x1f\x7f]")


class ScaffoldError(Exception):
    """The integration cannot be created as asked; nothing was written."""


@dataclass(frozen=True)
class Names:
    """The names derived from an integration's display name.

    Attributes:
        name: The display name (``My Integration``).
        slug: The slug and entry-point name (``my-integration``).
        package: The Python package under ``integrations/`` (``my_integration``).
        cls: The class name (``MyIntegration``).
    """

    name: str
    slug: str
    package: str
    cls: str


def names_for(name: str) -> Names:
    """Derive the slug, package and class names from a display name.

    Raises:
        ScaffoldError: The name is empty, has quotes/backslashes/control characters, or gives
            an empty slug or an unusable package name.
    """
    name = " ".join(str(name).split())
    if not name:
        raise ScaffoldError("the integration needs a name, e.g. framework new \"Acme CRM\"")
    if _FORBIDDEN.search(name):
        raise ScaffoldError(f"the name {name!r} may not contain quotes, backslashes or "
                            "control characters")
    slug = slugify(name)
    if not slug.strip("-"):
        raise ScaffoldError(f"the name {name!r} gives an empty slug; use letters or digits")
    package = re.sub(r"_+", "_", slug.replace("-", "_")).strip("_")
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise ScaffoldError(f"the name {name!r} gives the package name {package!r}, which is a "
                            f"Python keyword; choose another name (e.g. {package + '-hooks'!r})")
    if not package.isidentifier() or not package[0].isalpha():
        raise ScaffoldError(f"the name {name!r} gives the package name {package!r}, which is "
                            "not a Python identifier starting with a letter")
    words = re.findall(r"[A-Za-z0-9]+", name)
    cls = "".join(word[:1].upper() + word[1:] for word in words)
    return Names(name, slug, package, cls)


def _context(names: Names) -> dict[str, str]:
    methods = templates.METHODS
    prefix = urlsplit(ENDPOINT).path.rstrip("/")
    return {"name": names.name, "name_literal": json.dumps(names.name, ensure_ascii=False),
            "slug": names.slug,
            "package": names.package, "cls": names.cls, "endpoint": ENDPOINT,
            "path_prefix": prefix, "methods": json.dumps(list(methods)),
            "methods_list": "\n".join(f"- `{m}`: POST `{prefix}/{m}`" for m in methods)}


def _fixture(method: str) -> str:
    message, output = templates.FIXTURES[method]
    document = {
        "description": f"a {method} is mapped and POSTed to /{method}",
        "settings": {"apiKey": "test-api-key"},
        "input": message,
        "output": output,
        "request": {"method": "POST", "url": f"{ENDPOINT}/{method}",
                    "headers": {"Authorization": "Bearer test-api-key",
                                "Content-Type": "application/json"},
                    "body": output},
        "response": {"status": 200},
    }
    return json.dumps(document, indent=2) + "\n"


def plan(names: Names) -> dict[Path, str]:
    """The files to write (relative paths) and their contents."""
    context = _context(names)
    package = Path("integrations") / names.package
    files = {
        package / "__init__.py": Template(templates.PACKAGE).substitute(context),
        package / "mapper.py": Template(templates.MAPPER).substitute(context),
        package / "README.md": Template(templates.README).substitute(context),
        Path("tests") / names.package / f"test_{names.package}.py":
            Template(templates.TESTS).substitute(context),
    }
    for method in templates.METHODS:
        files[Path("tests") / "fixtures" / names.slug / f"{method}-basic.json"] = \
            _fixture(method)
    return files


def plan_manifest(names: Names) -> dict[Path, str]:
    """The files of a new manifest integration (relative paths) and their contents."""
    context = {"name": names.name, "key": names.package, "cls": names.cls}
    package = Path("integrations") / names.package
    files = {
        package / "__init__.py": Template(manifest_templates.PACKAGE).substitute(context),
        package / "README.md": Template(manifest_templates.README).substitute(context),
        package / "manifest.json":
            json.dumps(manifest_templates.manifest(names.name), indent=2) + "\n",
        package / "templates" / "flag.json.hbs": manifest_templates.FLAG_TEMPLATE,
        package / "templates" / "default.json.hbs": manifest_templates.DEFAULT_TEMPLATE,
        package / "templates" / "validation.json.hbs": manifest_templates.VALIDATION_TEMPLATE,
        package / "assets" / "square.svg": manifest_templates.ICON,
        package / "assets" / "horizontal.svg": manifest_templates.ICON,
        Path("tests") / names.package / f"test_{names.package}.py":
            Template(manifest_templates.TESTS).substitute(context),
    }
    files.update(_manifest_fixtures(names, files))
    return files


def _manifest_fixtures(names: Names, files: dict[Path, str]) -> dict[Path, str]:
    """One fixture per route, each request rendered by the new manifest itself."""
    import copy
    import tempfile

    from .manifest import load
    from .samples.audit_log import sample_event
    from .testing.sandbox import Sandbox

    package = Path("integrations") / names.package
    settings = {"url": "https://hooks.example.com/launchdarkly", "apiToken": "test-api-token"}
    anything = {**settings, "policy": [{"effect": "allow", "resources": ["proj/*"],
                                        "actions": ["*"]}]}
    elsewhere = sample_event("flag/targeting-rule-update")
    elsewhere["project"]["environment"].update(key="test", name="Test")
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("flag-basic", "A flag change in production renders the flag template.", settings,
         sample_event("flag/targeting-rule-update")),
        ("default-basic", "With a policy setting allowing projects, a project change renders "
         "the default template.", anything, sample_event("project/update")),
        ("flag-skipped-outside-production", "The default policy sends production flag "
         "changes only: a change in another environment is skipped.", settings, elsewhere),
    ]
    found: dict[Path, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for relative, content in files.items():
            if relative.parts[:2] == package.parts:
                target = Path(scratch) / relative.relative_to(package)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
        integration = load(scratch, key=names.package)
        for name, description, given, event in cases:
            document: dict[str, Any] = {"description": description,
                                        "settings": copy.deepcopy(given), "input": event}
            with Sandbox() as sandbox:
                try:
                    integration(given).process(copy.deepcopy(event))
                except Exception as exc:  # noqa: BLE001 - recorded as the expected error
                    document["requests"] = []
                    document["error"] = {"code": getattr(exc, "code", type(exc).__name__)}
            for exchange in sandbox.exchanges:
                document["request"] = {
                    "method": exchange.method, "url": exchange.url,
                    "headers": {k: exchange.request.headers[k]
                                for k in ("Authorization", "Content-Type")},
                    "body": json.loads(exchange.body)}
            found[package / "fixtures" / f"{name}.json"] = \
                json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return found


def _entries(lines: list[str]) -> tuple[int | None, int | None, list[str]]:
    """(index of the [options.entry_points] header, index of the group line, entry names)."""
    section = group = None
    names: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            if section is not None:
                break
            if stripped == "[options.entry_points]":
                section = index
            continue
        if section is None or not stripped or stripped.startswith(("#", ";")):
            continue
        if line[:1].isspace():
            if group is not None:
                names.append(stripped.split("=")[0].strip())
            continue
        if group is not None:
            break  # the next key: the group's entries are over
        key, _, value = stripped.partition("=")
        if key.strip() == GROUP:
            if value.strip():
                raise ScaffoldError(f"setup.cfg: write the {GROUP} entries one per indented "
                                    "line to let `framework new` add one")
            group = index
    return section, group, names


def register(text: str, names: Names, manifest: bool = False) -> str:
    """``setup.cfg`` text with the integration added to the ``framework.integrations`` group.

    Raises:
        ScaffoldError: No ``[options.entry_points]`` section, or the slug is registered.
    """
    lines = text.splitlines(keepends=True)
    section, group, registered = _entries(lines)
    if section is None:
        raise ScaffoldError("setup.cfg has no [options.entry_points] section")
    slug = names.package if manifest else names.slug
    if slug in registered:
        raise ScaffoldError(f"the slug {slug!r} is already registered in setup.cfg")
    target = "Integration" if manifest else names.cls
    entry = f"    {slug} = integrations.{names.package}:{target}\n"
    if group is None:
        at = section + 1
        entry = f"{GROUP} =\n{entry}"
    else:
        at = group + 1
        while at < len(lines) and lines[at][:1].isspace() and lines[at].strip():
            at += 1
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines.insert(at, entry)
    return "".join(lines)


def create(name: str, root: str | Path = ".", manifest: bool = False) -> list[Path]:
    """Create the integration under ``root`` (the repository root); with ``manifest``, a
    manifest integration.

    Returns:
        The files written, the edited ``setup.cfg`` last.

    Raises:
        ScaffoldError: The name is unusable or taken, a file exists, or ``setup.cfg`` cannot
            be edited; nothing is written then.
    """
    from integrations import available

    root = Path(root)
    names = names_for(name)
    setup_cfg = root / "setup.cfg"
    if not setup_cfg.is_file():
        raise ScaffoldError(f"no setup.cfg in {root.resolve()}; run this at the repository root "
                            "or pass --root")
    slug = names.package if manifest else names.slug
    installed = available()
    for taken in {slug, names.slug, names.package}:
        if taken in installed:
            raise ScaffoldError(f"the slug {taken!r} is taken by an installed integration "
                                f"({installed[taken].value})")
    for folder in (Path("integrations") / names.package, Path("tests") / names.package,
                   Path("tests") / "fixtures" / names.slug):
        if (root / folder).exists():
            raise ScaffoldError(f"refusing to overwrite {folder}: it already exists")
    updated = register(setup_cfg.read_text(encoding="utf-8"), names, manifest)
    files = plan_manifest(names) if manifest else plan(names)
    written = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(content)
        written.append(path)
    setup_cfg.write_text(updated, encoding="utf-8")
    written.append(setup_cfg)
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument("name", help='the integration\'s display name, e.g. "Acme CRM"')
    parser.add_argument("--root", default=".",
                        help="the repository root (default: the current directory)")
    parser.add_argument("--manifest", action="store_true",
                        help="a manifest integration (manifest.json and Handlebars templates, "
                        "LaunchDarkly's format) instead of Python code")
    parser.add_argument("--feed", action="store_true",
                        help="an audience feed (framework.audience) instead of an integration")


def run(args: argparse.Namespace) -> int:
    """Run the command."""
    if getattr(args, "feed", False):
        from .audience.scaffold import run_feed
        return run_feed(args)
    manifest = bool(getattr(args, "manifest", False))
    try:
        written = create(args.name, args.root, manifest)
    except (ScaffoldError, OSError) as exc:
        print(f"framework new: {exc}", file=sys.stderr)
        return 1
    root = Path(args.root)
    for path in written:
        print(f"{'updated' if path.name == 'setup.cfg' else 'created'} "
              f"{path.relative_to(root)}")
    names = names_for(args.name)
    if manifest:
        print(f"\nNext: `make install` (registers the {names.package!r} entry point), then "
              f"`framework validate {names.package}`, `make test` and "
              f"`framework preview {names.package}`.")
        return 0
    print(f"\nNext: `make install` (registers the {names.slug!r} entry point), then "
          f"`make test` and `framework preview {names.slug} track-basic`.")
    return 0
