"""Making integration classes: :func:`integration` starts a chain, :func:`build` applies one.

``integration('Acme')`` returns a new :class:`~framework.integration.Integration` subclass for
the builder's declarations to be chained on; ``@build(chain)`` copies a chain's declarations
onto a class written in a form type checkers accept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .declarations import slugify

if TYPE_CHECKING:
    from .integration import Integration

__all__ = ["integration", "build"]

IntegrationT = TypeVar("IntegrationT", bound="Integration")

#: The module built classes report: they have always said ``framework.builder``, and fixture
#: lookup (``fixture_dirs``) reads a class's module.
_BUILT_MODULE = "framework.builder"


def integration(name: str, *, key: str | None = None) -> type[Integration]:
    """Create a new integration class named ``name``.

    Args:
        name: The display name; the slug is made from it unless ``key`` is given.
        key: The integration key (slug) to use instead, such as a manifest's directory name:
            lower-case letters, digits, ``-`` and ``_``.

    Raises:
        ValueError: When ``name`` is missing or gives an empty slug, or ``key`` is malformed.
    """
    from .integration import Integration

    if not isinstance(name, str) or not name.strip():
        raise ValueError("expected integration name")
    if key is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(key)):
        raise ValueError(f"integration key must be lower-case letters, digits, - and _, "
                         f"got {key!r}")
    if key is None and not slugify(name):
        raise ValueError(f"integration name {name!r} gives an empty slug")
    class_name = re.sub(r"[^0-9a-zA-Z_]", "", name.title()) or "Integration"
    if class_name[0].isdigit():
        class_name = "_" + class_name
    built: type[Integration] = type(class_name, (Integration,),
                                    {"name": name, "key": key, "__module__": _BUILT_MODULE})
    return built


def build(spec: type[Integration]) -> Callable[[type[IntegrationT]], type[IntegrationT]]:
    """A class decorator giving a plain ``Integration`` subclass the declarations of a chain.

    ``class Acme(integration('Acme').endpoint(...)):`` works at runtime, but type checkers
    refuse a call as a base class ("Unsupported dynamic base class"). This spelling means the
    same and type-checks::

        @build(integration('Acme').endpoint('https://api.acme.test/v1')
               .ensure('settings.apiKey').retries(2))
        class Acme(Integration):
            def track(self, msg: Track) -> list[requests.Response]: ...

    Args:
        spec: A class built with :func:`integration` and its declarations.

    Returns:
        The decorator; it copies every declaration (and ``.mapping()`` method) onto the class,
        except what the class body defines itself, and returns the class.

    Raises:
        TypeError: ``spec`` is not a built integration, or the class is not an
            ``Integration`` subclass.
    """
    from .integration import Integration

    if not (isinstance(spec, type) and issubclass(spec, Integration)) or spec is Integration:
        raise TypeError(f"build() expects integration('Name')... declarations, got {spec!r}")
    declared: dict[str, Any] = {}
    for klass in reversed(spec.__mro__[:spec.__mro__.index(Integration)]):
        declared.update((k, v) for k, v in vars(klass).items() if not k.startswith("__"))

    def apply(cls: type[IntegrationT]) -> type[IntegrationT]:
        if not (isinstance(cls, type) and issubclass(cls, Integration)):
            raise TypeError(f"@build(...) decorates an Integration subclass, got {cls!r}")
        own = vars(cls)
        for name, value in declared.items():
            if name not in own:
                setattr(cls, name, value)
        return cls

    return apply
