"""Case- and separator-insensitive path lookup (the port of ``segmentio/obj-case``).

A path such as ``"my.superCool.CLIMBING SHOES"`` and every key are normalised by
dropping every character outside ``[a-zA-Z0-9.]`` and lower-casing, so
``first_name``, ``firstName``, ``FIRST NAME`` and ``first-name`` are the same key.
The walk matches keys by *prefix*, so keys may contain dots: ``{"a": {"b.c": 10}}``
answers ``"a.b.c"``. At each level the first key in iteration order whose
normalised form is a dot-prefix of the remaining path wins, without backtracking.

Lists are walked by index (``"products.0.sku"``); other values end the walk.
Nothing here copies or converts: callers decide what to hand out.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Hashable, List, Optional, Tuple

__all__ = ["normalize", "find", "find_key", "index", "lookup", "lookup_compiled"]

_STRIP = re.compile(r"[^a-zA-Z0-9.]+")
_NORM_CACHE: Dict[str, str] = {}
_NORM_CACHE_MAX = 50000
# key shape (tuple of keys) -> {normalised key: (position, original key)}
_INDEX_CACHE: Dict[Tuple[Hashable, ...], Dict[str, Tuple[int, Hashable]]] = {}
_INDEX_CACHE_MAX = 4096
_INDEX_MAX_KEYS = 64


def normalize(key: Any) -> str:
    """Normalise a key or a path the way obj-case does.

    Args:
        key: A string (anything else is converted with ``str`` first).

    Returns:
        The key without characters outside ``[a-zA-Z0-9.]``, lower-cased.
    """
    n = _NORM_CACHE.get(key) if type(key) is str else None
    if n is None:
        text = key if type(key) is str else str(key)
        n = _STRIP.sub("", text).lower()
        if type(key) is str:
            if len(_NORM_CACHE) >= _NORM_CACHE_MAX:
                _NORM_CACHE.clear()
            _NORM_CACHE[key] = n
    return n


def _build_index(keys: Tuple[Hashable, ...]) -> Dict[str, Tuple[int, Hashable]]:
    index: Dict[str, Tuple[int, Hashable]] = {}
    for pos, key in enumerate(keys):
        nk = normalize(key)
        if nk not in index:
            index[nk] = (pos, key)
    return index


def index(d: Dict[str, Any]) -> Dict[str, Tuple[int, Hashable]]:
    """The first key for each normalised form of ``d``'s keys, cached by key shape.

    Args:
        d: A dict.

    Returns:
        ``{normalised key: (position, original key)}``; treat it as read-only.
    """
    if len(d) > _INDEX_MAX_KEYS:
        return _build_index(tuple(d))
    shape = tuple(d)
    found = _INDEX_CACHE.get(shape)
    if found is None:
        found = _build_index(shape)
        if len(_INDEX_CACHE) >= _INDEX_CACHE_MAX:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[shape] = found
    return found


_index = index

#: ``(dict, its index, remembered child indexes or None)``.
View = Tuple[Dict[Any, Any], Dict[str, Tuple[int, Hashable]], Optional[Dict[Hashable, Any]]]


def _match(index: Dict[str, Tuple[int, Hashable]], path: str
           ) -> Optional[Tuple[int, Hashable, int]]:
    """(position, key, length of the matched prefix) of the first key matching ``path``."""
    best: Optional[Tuple[int, Hashable, int]] = None
    start = 0
    while True:
        dot = path.find(".", start)
        cand = path if dot < 0 else path[:dot]
        hit = index.get(cand)
        if hit is not None and (best is None or hit[0] < best[0]):
            best = (hit[0], hit[1], len(cand))
        if dot < 0:
            return best
        start = dot + 1


def _list_match(seq: List[Any], path: str) -> Optional[int]:
    """The index a list answers for ``path`` (its keys are "0", "1", ...), or None."""
    head = path.split(".", 1)[0]
    if head.isdigit() and head.isascii() and (head == "0" or head[0] != "0"):
        i = int(head)
        if i < len(seq):
            return i
    return None


def _walk(obj: Any, path: str, idx: Optional[Dict[str, Tuple[int, Hashable]]] = None) -> Any:
    """The obj-case walk of an already normalised ``path`` (``idx``: ``obj``'s index)."""
    while True:
        if isinstance(obj, dict):
            if idx is None:
                idx = _index(obj)
            if "." not in path:
                hit = idx.get(path)
                if hit is None or hit[1] == "":
                    return None
                return obj[hit[1]]
            found = _match(idx, path)
            if found is None or found[1] == "":
                return None
            child = obj[found[1]]
            cut = found[2]
        elif isinstance(obj, list):
            i = _list_match(obj, path)
            if i is None:
                return None
            child = obj[i]
            cut = len(str(i))
        else:
            return None
        path = path[cut + 1:]
        if not path or child is None:
            return child
        obj = child
        idx = None


def find(obj: Any, path: Any) -> Any:
    """Look ``path`` up in ``obj`` case- and separator-insensitively.

    Args:
        obj: A dict (or list) to walk.
        path: A dot-separated path; matched after normalisation.

    Returns:
        The value found (not copied), or None when there is none.

    Examples:
        >>> find({"my": {"super_cool": {"climbingShoes": "x"}}}, "my.superCool.CLIMBING SHOES")
        'x'
        >>> find({"a": {"b.c": 10}}, "a.b.c")
        10
    """
    if type(obj) is dict:
        return lookup((obj, _index(obj), None), path)
    if type(path) is not str:
        return None
    return _walk(obj, normalize(path))


def _compile(path: str) -> Tuple[int, str, str, str]:
    """``(kind, normalised path, head, tail)``: kind 1 is one segment, 2 is exactly two
    non-empty segments, 3 anything else."""
    norm = normalize(path)
    dot = norm.find(".")
    if dot < 0 and norm:
        compiled = (1, norm, norm, "")
    elif dot > 0 and norm.find(".", dot + 1) < 0 and dot < len(norm) - 1:
        compiled = (2, norm, norm[:dot], norm[dot + 1:])
    else:
        compiled = (3, norm, "", "")
    if len(_PATHS) >= _NORM_CACHE_MAX:
        _PATHS.clear()
    _PATHS[path] = compiled
    return compiled


_PATHS: Dict[str, Tuple[int, str, str, str]] = {}


def lookup(view: View, path: str) -> Any:
    """:func:`find` in a dict whose :func:`index` is already known (the fast path).

    Args:
        view: ``(d, index(d), nested)``; ``nested`` is None or a dict in which the
            indexes of child dicts are remembered.
        path: A dot-separated path.

    Returns:
        The value found (not copied), or None.
    """
    compiled = _PATHS.get(path) if type(path) is str else None
    if compiled is None:
        if type(path) is not str:
            return None
        compiled = _compile(path)
    return lookup_compiled(view, compiled)


def lookup_compiled(view: View, compiled: Tuple[int, str, str, str]) -> Any:
    """:func:`lookup` of a path already compiled (``_PATHS[path]``)."""
    kind, norm, head, tail = compiled
    d, idx = view[0], view[1]
    if kind == 1:
        hit = idx.get(norm)
        return None if hit is None else d[hit[1]]
    if kind == 2:
        # the first key (in order) that is "head" (then "tail" below it) or "head.tail"
        whole = idx.get(norm)
        first = idx.get(head)
        if whole is not None and (first is None or whole[0] < first[0]):
            return d[whole[1]]
        if first is None:
            return None
        key = first[1]
        child = d[key]
        if type(child) is dict:
            nested = view[2]
            if nested is None:
                cidx = _index(child)
            else:  # remember the child's index for the next lookup below the same key
                known = nested.get(key)
                if known is not None and known[0] is child:
                    cidx = known[1]
                else:
                    cidx = _index(child)
                    nested[key] = (child, cidx)
            hit = cidx.get(tail)
            return None if hit is None else child[hit[1]]
        return None if child is None else _walk(child, tail)
    return _walk(d, norm, idx)


def find_key(obj: Any, name: Any) -> Any:
    """The key of ``obj`` that names ``name``: the exact key, else the first whose
    normalised form equals ``name``'s (no path walk).

    Used to match integration names (``"hub_spot"`` finds ``"HubSpot"``).

    Args:
        obj: A dict.
        name: The name to look for.

    Returns:
        The matching key, or None (also when ``obj`` is not a dict).
    """
    if not isinstance(obj, dict) or type(name) is not str:
        return None
    if name in obj:
        return name
    hit = index(obj).get(normalize(name))
    return None if hit is None else hit[1]
