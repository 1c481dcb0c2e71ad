"""Keeping secrets out of what is printed, logged and stored.

An error message, a log line or a dead letter must never carry the value of a secret setting.
Integrations build their messages from field names; these helpers catch what slips in from
elsewhere: :func:`secret_values` lists an integration's secrets, :func:`redact` scrubs them from
text (a response body), :func:`mask` hides them in a settings object, and :func:`redact_url` /
:func:`url_secrets` deal with credentials carried in URLs.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["is_secret_key", "secret_values", "mask", "redact", "redact_url", "url_secrets"]

_SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|auth|credential)", re.IGNORECASE)


def is_secret_key(name: str) -> bool:
    """Whether a setting named ``name`` holds a secret (``apiKey``, ``token``, ``sharedSecret``)."""
    return bool(_SECRET_KEY.search(str(name)))


def secret_values(settings: Any, declared: Iterable[Sequence[str]] = ()) -> list[str]:
    """The values of secret settings at any depth of ``settings``, longest first.

    A value is secret when its key looks secret (``apiKey``, ``headers.Authorization``...) or
    its key path is in ``declared`` (the integration's ``secret=True`` settings, as tuples
    such as ``("auth", "key")``); everything under a secret key is secret. Values shorter than
    4 characters are left alone, as hiding them would mangle ordinary text.
    """
    found: set[str] = set()
    _collect_secrets(settings, found, False, (), _paths(declared))
    return sorted(found, key=len, reverse=True)


def _paths(declared: Iterable[Sequence[str]]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(path) for path in declared)


def _collect_secrets(value: Any, found: set[str], secret: bool, path: tuple[str, ...],
                     declared: frozenset[tuple[str, ...]]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = (*path, str(key))
            _collect_secrets(item, found, secret or is_secret_key(key) or inner in declared,
                             inner, declared)
    elif isinstance(value, list):
        for item in value:
            _collect_secrets(item, found, secret, path, declared)
    elif secret and isinstance(value, (str, int)) and not isinstance(value, bool) \
            and len(str(value)) >= 4:
        found.add(str(value))


def mask(settings: Any, declared: Iterable[Sequence[str]] = ()) -> Any:
    """A copy of ``settings`` with the value of every secret setting replaced by
    ``[REDACTED]``, at any depth: secret-looking keys (objects under them are masked key by
    key) and the key paths in ``declared`` (masked whole)."""
    return _mask(settings, (), _paths(declared))


def _mask(value: Any, path: tuple[str, ...], declared: frozenset[tuple[str, ...]]) -> Any:
    if isinstance(value, Mapping):
        masked = {}
        for key, item in value.items():
            inner = (*path, str(key))
            if inner in declared and item is not None:
                masked[key] = "[REDACTED]"
            elif is_secret_key(key) and not isinstance(item, Mapping):
                masked[key] = "[REDACTED]"
            else:
                masked[key] = _mask(item, inner, declared)
        return masked
    if isinstance(value, list):
        return [_mask(v, path, declared) for v in value]
    return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every secret value replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, "[REDACTED]")
    return text


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#@\s:]*):[^/?#@\s]*@")
_URL_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?P<name>[^=&;#\s]*(?:key|token|secret|password|passwd|pass|auth|"
    r"credential|signature|sig|session|code)[^=&;#\s]*)=)(?P<value>[^&;#\s]+)",
    re.IGNORECASE)


def redact_url(text: str) -> str:
    """``text`` with every URL's password (``user:PASS@``) and secret-looking query values
    (``?token=...``, ``api_key=...``) replaced by ``[REDACTED]``; works on a bare URL or on a
    message that contains URLs."""
    text = _URL_PASSWORD.sub(r"\g<head>:[REDACTED]@", text)
    return _URL_QUERY_SECRET.sub(r"\g<head>[REDACTED]", text)


def url_secrets(url: str) -> list[str]:
    """The password and secret-looking query values of ``url`` (4 characters or more), to add
    to an integration's :meth:`secrets` when a setting is a URL that may carry credentials."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    found = [password, unquote(password)] if password else []
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if _URL_QUERY_SECRET.search(f"?{name}=x"):
            found.append(value)
    for match in _URL_QUERY_SECRET.finditer(url):
        found.append(match.group("value"))
    return sorted({v for v in found if v and len(v) >= 4}, key=len, reverse=True)
