"""How the framework calls partner functions that may take the integration as well.

Segment calls mappers and ``ensure`` functions with the integration as ``this``, so a mapper
can use ``this.events()`` (a ``.mapping()``). Here the integration is an optional third
argument: ``identify(msg, settings)`` keeps working, ``identify(msg, settings, integration)``
also receives it (the instance for mappers, the class for ``ensure`` functions, which run in
the class method ``validate``).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict

__all__ = ["takes_integration", "call_with_integration"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_KNOWN: Dict[Any, bool] = {}  # function -> whether it takes a third argument


def takes_integration(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` accepts a third positional argument (or ``*args``).

    Args:
        fn: A mapper or ``ensure`` function (plain, bound method, or any callable).

    Returns:
        True when it can be called as ``fn(msg, settings, integration)``; False when it
        cannot, or when its signature cannot be read (it is then called with two).
    """
    # bound methods are new objects on every access: key them by their function
    key = (getattr(fn, "__func__", fn), inspect.ismethod(fn))
    known = _KNOWN.get(key)
    if known is not None:
        return known
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        known = False
    else:
        known = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters) or \
            sum(p.kind in _POSITIONAL for p in parameters) >= 3
    if len(_KNOWN) > 4096:
        _KNOWN.clear()
    _KNOWN[key] = known
    return known


def call_with_integration(fn: Callable[..., Any], msg: Any, settings: Any,
                          integration: Any) -> Any:
    """``fn(msg, settings, integration)`` when it takes three arguments, else
    ``fn(msg, settings)``."""
    if takes_integration(fn):
        return fn(msg, settings, integration)
    return fn(msg, settings)
