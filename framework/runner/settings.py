"""Reading an integration's settings from the command line (``--settings JSON|@file``)."""

from __future__ import annotations

import json
import os
from typing import Any

from .converters import type_name

__all__ = ["SettingsError", "parse_settings"]


class SettingsError(ValueError):
    """``--settings`` could not be read; the message names the option and the rule."""


def parse_settings(text: str | None, option: str = "--settings") -> dict[str, Any]:
    """The settings object given as inline JSON or as ``@path`` to a JSON file.

    Args:
        text: ``'{"hooks": [...]}'``, ``'@settings.json'``, or ``None`` / ``''`` for ``{}``.
        option: The option's name, for error messages.

    Returns:
        The settings as a dict.

    Raises:
        SettingsError: The file cannot be read, the text is not JSON, or it is not an object,
            e.g. ``--settings: not valid JSON at line 1 column 2 (Expecting value)``.
    """
    if text is None or not text.strip():
        return {}
    where = option
    if text.startswith("@"):
        path = text[1:]
        where = f"{option} @file"
        if not path:
            raise SettingsError(f"{where}: expected a file name after '@'")
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise SettingsError(f"{where}: no such file {path!r}") from None
        except IsADirectoryError:
            raise SettingsError(f"{where}: {path!r} is a directory, not a JSON file") from None
        except UnicodeDecodeError as exc:
            raise SettingsError(f"{where}: {path!r} is not UTF-8 text ({exc.reason} at byte "
                                f"{exc.start})") from None
        except OSError as exc:
            raise SettingsError(f"{where}: cannot read {path!r}: "
                                f"{exc.strerror or exc}") from None
        where = f"{option} @{os.path.basename(path) or path}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{where}: not valid JSON at line {exc.lineno} column {exc.colno} "
                            f"({exc.msg})") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: must be a JSON object of settings, got "
                            f"{type_name(value)}")
    return value
