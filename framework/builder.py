"""The chainable declarations of an integration, and ``integration(name)``.

``integration('Acme')`` returns a new class; each declaration stores data on that class (never on
a parent or a sibling) and returns it, so a whole integration reads as one chain::

    Acme = (integration('Acme')
            .endpoint('https://api.acme.test/v1')
            .ensure('settings.apiKey')
            .mapper(mapper)
            .retries(2))

The declarations together are the integration's spec (:meth:`Builder.spec`), which the tester,
the CLI and the runner read.

This module holds :class:`Builder`, the declarations themselves; the records they store
(:class:`Validation`, :class:`BatchPolicy`) and :func:`parse_duration` are in
:mod:`framework.declarations`, and :func:`integration` / :func:`build`, which make the classes,
in :mod:`framework.factory`. All of them are importable from here.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Mapping, TypeVar

from . import errors
from .declarations import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from .declarations import MESSAGE_TYPES as MESSAGE_TYPES
from .declarations import BatchPolicy, Validation, parse_duration, slugify
from .factory import build, integration
from .settings_declarations import Setting, make_setting
from .templated import METHODS, CustomProperty, HmacSignature, Template, read_template

__all__ = ["integration", "build", "slugify", "parse_duration", "Validation", "BatchPolicy",
           "Builder"]

B = TypeVar("B", bound="type[Builder]")


class Builder:
    """Class-level declarations shared by every built integration.

    Every declaration is a class method that stores on the class it is called on and returns
    it. Containers are copied on write, so declaring on a subclass never changes its parent.
    """

    name: ClassVar[str] = ""
    #: The integration key when it is not the slug of the name (a manifest's directory).
    key: ClassVar[str | None] = None
    _endpoint: ClassVar[str | None] = None
    _channels: ClassVar[tuple[str, ...]] = ("server",)
    _validations: ClassVar[tuple[Validation, ...]] = ()
    _mapper: ClassVar[Any] = None
    _retries: ClassVar[int] = 0
    _retry_rules: ClassVar[tuple[Callable[[BaseException], bool], ...]] = ()
    _timeout: ClassVar[float] = DEFAULT_TIMEOUT
    _map_to_track: ClassVar[tuple[str, ...]] = ()
    _batch: ClassVar[BatchPolicy | None] = None
    _settings: ClassVar[tuple[Setting, ...]] = ()
    _settings_rules: ClassVar[tuple[Callable[..., Any], ...]] = ()
    _method: ClassVar[str | None] = None
    _templates: ClassVar[Mapping[str, Template] | None] = None
    _headers: ClassVar[tuple[tuple[str, str], ...]] = ()
    _hmac: ClassVar[HmacSignature | None] = None
    _policy: ClassVar[tuple[Mapping[str, Any], ...] | None] = None
    _policy_setting: ClassVar[str] = "policy"
    _error_body: ClassVar[int | None] = None
    _custom_properties: ClassVar[tuple[CustomProperty, ...]] = ()
    _capabilities: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def endpoint(cls: B, url: str, *, method: str | None = None) -> B:
        """Declare the base URL that relative request paths are joined to.

        For a template integration (:meth:`templates`), ``url`` is a template rendered with
        the settings at top level and the event under ``context``, and ``method`` (default
        ``POST``) is the method each event is sent with.
        """
        if not isinstance(url, str) or not url:
            raise ValueError(f"endpoint must be a non-empty URL string, got {url!r}")
        if method is not None and method not in METHODS:
            raise ValueError(f"endpoint method must be one of {', '.join(METHODS)}, "
                             f"got {method!r}")
        cls._endpoint = url
        cls._method = method
        return cls

    @classmethod
    def channels(cls: B, channels: Iterable[str]) -> B:
        """Declare the channels the integration accepts (duplicates dropped, order kept)."""
        if isinstance(channels, str):
            raise ValueError("channels expects a list of channel names, got a string")
        cls._channels = ()
        for channel in channels:
            cls.channel(channel)
        return cls

    @classmethod
    def channel(cls: B, channel: str) -> B:
        """Add one channel."""
        if channel not in cls._channels:
            cls._channels = (*cls._channels, channel)
        return cls

    @classmethod
    def server(cls: B) -> B:
        """Add the ``server`` channel."""
        return cls.channel("server")

    @classmethod
    def client(cls: B) -> B:
        """Add the ``client`` channel."""
        return cls.channel("client")

    @classmethod
    def mobile(cls: B) -> B:
        """Add the ``mobile`` channel."""
        return cls.channel("mobile")

    @classmethod
    def ensure(cls: B, rule: str | Callable[..., Any],
               methods: Iterable[str] | None = None) -> B:
        """Declare a validation.

        Args:
            rule: ``'settings.<key>'`` (a setting that must not be absent, ``None``, blank
                or whitespace only; a dotted key is looked up as given first, then as a path
                into nested objects: ``'settings.auth.key'``), ``'message.<path>'`` (a
                facade path that must not be ``None``), or a function ``fn(msg, settings)``
                returning ``cls.invalid(...)``, ``cls.reject(...)`` or ``None``; a function
                ``fn(msg, settings, integration)`` also gets the integration class (what
                Segment passes as ``this``), so it need not name a class not yet defined.
            methods: Limit the rule to these message types.
        """
        only = tuple(methods) if methods is not None else None
        if isinstance(methods, str):
            raise ValueError("ensure(methods=...) expects a list of message types")
        if callable(rule):
            validation = Validation("function", getattr(rule, "__name__", repr(rule)), only, rule)
        elif isinstance(rule, str):
            kind, _, path = rule.partition(".")
            if kind not in ("settings", "message") or not path:
                raise ValueError(
                    f'ensure path must start with "settings." or "message.", got {rule!r}')
            validation = Validation(kind, path, only)
        else:
            raise ValueError(f"ensure expects a path string or a function, got {rule!r}")
        cls._validations = (*cls._validations, validation)
        return cls

    @classmethod
    def setting(cls: B, key: str, *, type: str = "string",  # noqa: A002 - the documented name
                name: str | None = None, description: str = "", required: bool = False,
                default: Any = None, secret: bool = False, allowed: Iterable[Any] | None = None,
                placeholder: str | None = None, ui: Mapping[str, Any] | None = None,
                schema: Mapping[str, Any] | None = None) -> B:
        """Declare one typed setting (see :mod:`framework.settings_schema`).

        The declarations form ``spec()["settings_schema"]`` (a JSON Schema document) and are
        checked once per instance before anything is sent: every problem is reported in one
        :class:`errors.ValidationError`, defaults are applied to ``self.settings``, and secret
        settings are masked wherever settings are shown.

        Args:
            key: The setting's key; dots nest (``'auth.key'`` is ``{"auth": {"key": ...}}``).
                Declaring a key again replaces the earlier declaration.
            type: ``string``, ``boolean``, ``integer``, ``number``, ``uri`` (an absolute
                http(s) URL), ``enum``, ``array`` (a list of strings), ``multiselect`` or
                ``object``.
            name: The label a UI shows (defaults to the key).
            description: What the setting is for.
            required: Must be present; a string must not be blank, a list not empty.
            default: Used when the setting is absent or ``None``.
            secret: Masked in reprs, errors, logs, dead letters and preview/curl output.
            allowed: The allowed values (``enum``, ``multiselect``; optional for ``array``
                and ``string``).
            placeholder: A hint shown in an empty field.
            ui: Free-form data kept in the schema as ``x-form-variable`` (a manifest form
                variable's own type, for example).
            schema: More JSON Schema keywords for this setting (``pattern``, ``items``,
                ``minimum``...); an ``x-message`` there replaces the sentence of a failed rule.

        Raises:
            ValueError: A declaration that cannot work (unknown type, ``enum`` without
                ``allowed``, a default of the wrong type, ``'a'`` and ``'a.b'`` where ``'a'``
                is not an ``object``...).
        """
        declared = make_setting(key, type=type, name=name, description=description,
                                required=required, default=default, secret=secret,
                                allowed=allowed, placeholder=placeholder, ui=ui, schema=schema)
        kept = [s for s in cls._settings if s.key != key]
        for other in kept:
            short, long = sorted((other, declared), key=lambda s: len(s.path))
            if long.path[:len(short.path)] == short.path and short.type != "object":
                raise ValueError(f"setting {long.key!r} is nested in {short.key!r}, which is "
                                 f"a {short.type} setting (declare {short.key!r} with "
                                 f"type='object' or drop it)")
        if len(kept) == len(cls._settings):
            cls._settings = (*cls._settings, declared)
        else:
            cls._settings = tuple(declared if s.key == key else s for s in cls._settings)
        return cls

    @classmethod
    def ensure_settings(cls: B, rule: Callable[..., Any]) -> B:
        """Declare a check of the settings as a whole, for what one ``.setting()`` cannot say
        (``hooks`` or else ``globalHook``).

        ``rule(settings)`` gets the settings with defaults applied, only once every declared
        setting is valid, and returns ``None``, an :class:`errors.Problem`, a list of them, or
        a string (a problem of the whole settings). It runs with the typed settings: once per
        instance, in :meth:`Integration.validate_settings` and before ``framework send``
        reads any input.
        """
        if not callable(rule):
            raise ValueError(f"ensure_settings expects a function, got {rule!r}")
        cls._settings_rules = (*cls._settings_rules, rule)
        return cls

    @classmethod
    def mapper(cls: B, mapper: Any) -> B:
        """Declare the mapper: an object whose functions ``identify(msg, settings)`` etc.
        turn a facade into the payload the method receives. A function that takes a third
        argument, ``identify(msg, settings, integration)``, also gets the integration instance
        (Segment's ``this``), e.g. to call a ``.mapping()`` method."""
        cls._mapper = mapper
        return cls

    @classmethod
    def mapping(cls: B, name: str) -> B:
        """Define a method ``name(value)`` that maps ``value`` through ``settings[name]``.

        The setting may be an object ``{"My Event": "id"}`` or a list of ``{"key", "value"}``
        items; keys match ignoring case and separators. The method returns every match.
        """
        if name in MESSAGE_TYPES or hasattr(Builder, name):
            raise ValueError(f"mapping name {name!r} would replace a method of the integration")

        def lookup(self: Any, value: str) -> list[Any]:
            from .mapping import map_setting
            return map_setting(self.settings.get(name), value)

        lookup.__name__ = name
        lookup.__doc__ = f"Values of the {name!r} setting whose key matches ``value``."
        setattr(cls, name, lookup)
        return cls

    @classmethod
    def map_to_track(cls: B, methods: Iterable[str]) -> B:
        """Turn ``page`` and/or ``screen`` calls into ``track`` calls (``Loaded a Page``,
        ``Viewed <category> Page``, ``Viewed <name> Page``) per the ``trackAllPages``,
        ``trackCategorizedPages`` and ``trackNamedPages`` settings."""
        if isinstance(methods, str) or not isinstance(methods, Iterable):
            raise ValueError("map_to_track expects a list such as ['page', 'screen']")
        methods = tuple(methods)
        for method in methods:
            if method not in ("page", "screen"):
                raise ValueError(f"map_to_track accepts 'page' and 'screen', got {method!r}")
        cls._map_to_track = methods
        return cls

    @classmethod
    def retries(cls: B, count: int) -> B:
        """Declare how many times a retryable failure is retried after the first attempt."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"retries must be a whole number >= 0, got {count!r}")
        cls._retries = count
        return cls

    @classmethod
    def retry(cls: B, predicate: Callable[[BaseException], bool]) -> B:
        """Add a rule that makes more errors retryable, for this class only."""
        if not callable(predicate):
            raise ValueError(f"retry expects a function, got {predicate!r}")
        cls._retry_rules = (*cls._retry_rules, predicate)
        return cls

    @classmethod
    def timeout(cls: B, value: float | int | str) -> B:
        """Declare the connect and read timeout: seconds, or a string such as ``'3s'``."""
        cls._timeout = parse_duration(value)
        return cls

    @classmethod
    def batch(cls: B, size: int = 100, max_bytes: int | None = None, max_wait: float = 1.0,
              methods: Iterable[str] | None = None) -> B:
        """Declare that the runner may deliver messages in groups through ``batch(items)``.

        Declare this in the chain, before subclassing: the subclass's own ``batch(self,
        items)`` method replaces this class method on the subclass.
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"batch size must be a whole number >= 1, got {size!r}")
        if max_bytes is not None and (not isinstance(max_bytes, int) or max_bytes < 1):
            raise ValueError(f"batch max_bytes must be a whole number >= 1, got {max_bytes!r}")
        cls._batch = BatchPolicy(size, max_bytes, parse_duration(max_wait),
                                 tuple(methods) if methods is not None else None)
        return cls

    @classmethod
    def templates(cls: B, templates: Mapping[str, str | Path],
                  directory: str | Path | None = None) -> B:
        """Deliver events by template: route each event by its ``kind`` field to the
        template of that kind, else ``default``, else send the event itself as JSON.

        Args:
            templates: Template name (``flag``, ``project``, ``environment``, ``member``,
                ``default``, ``validation``) to a Handlebars file; ``{}`` sends every event
                as JSON.
            directory: The folder the paths are relative to (say ``Path(__file__).parent``).

        Raises:
            errors.ConfigError: A template file cannot be read.
        """
        if not isinstance(templates, Mapping):
            raise ValueError(f"templates expects a mapping of name to file, got {templates!r}")
        cls._templates = {name: read_template(name, path, directory)
                          for name, path in templates.items()}
        return cls

    @classmethod
    def header(cls: B, name: str, value: str) -> B:
        """Add a header to every template request; ``value`` is a template rendered like the
        endpoint URL (``'Bearer {{apiToken}}'``)."""
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"header name must be a token without spaces, got {name!r}")
        if not isinstance(value, str):
            raise ValueError(f"header {name!r} value must be a string, got {value!r}")
        cls._headers = (*cls._headers, (name, value))
        return cls

    @classmethod
    def hmac(cls: B, header: str, secret_setting: str) -> B:
        """Sign every template request: ``header`` carries the hex HMAC-SHA256 of the exact
        body bytes, keyed with the value of the setting ``secret_setting``."""
        if not isinstance(header, str) or not header or not isinstance(secret_setting, str) \
                or not secret_setting:
            raise ValueError("hmac expects a header name and a setting key")
        cls._hmac = HmacSignature(header, secret_setting)
        return cls

    @classmethod
    def policy(cls: B, statements: Iterable[Mapping[str, Any]], setting: str = "policy") -> B:
        """Declare the default policy: events it does not allow are skipped.

        Args:
            statements: LaunchDarkly policy statements (``effect``, ``resources`` /
                ``notResources``, ``actions`` / ``notActions``); see :mod:`framework.policy`.
            setting: The setting whose value (a list of statements), when given, replaces
                the default policy.
        """
        from .policy import parse_policy

        cls._policy = tuple(parse_policy(list(statements)))
        cls._policy_setting = setting
        return cls

    @classmethod
    def error_body(cls: B, limit: int) -> B:
        """Declare how much of an error answer's body goes into the error (and the dead
        letter): ``limit`` bytes, ``0`` for none. Without this declaration, 512 bytes."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"error_body limit must be a whole number >= 0, got {limit!r}")
        cls._error_body = limit
        return cls

    @classmethod
    def custom_property(cls: B, key: str, name: str, description: str | None = None) -> B:
        """Reserve a custom property; templates read its values as
        ``customProperties.<key>.values``."""
        if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
            raise ValueError("custom_property expects a key and a name")
        if any(p.key == key for p in cls._custom_properties):
            raise ValueError(f"custom property {key!r} is declared twice")
        cls._custom_properties = (*cls._custom_properties, CustomProperty(key, name, description))
        return cls

    @classmethod
    def capability(cls: B, name: str, config: Mapping[str, Any]) -> B:
        """Attach a capability served elsewhere (``trigger``, ``syncedSegment``: the server
        reads them from ``spec()["capabilities"]``)."""
        cls._capabilities = {**cls._capabilities, name: copy.deepcopy(dict(config))}
        return cls

    @classmethod
    def invalid(cls, fmt: str, *args: Any) -> errors.ValidationError:
        """A settings error (``INVALID_SETTINGS``); ``fmt`` is %-formatted with ``args``."""
        return errors.ValidationError(fmt % args if args else fmt, integration=cls.name)

    @classmethod
    def reject(cls, fmt: str, *args: Any) -> errors.RejectedError:
        """A message error (``MESSAGE_REJECTED``); ``fmt`` is %-formatted with ``args``."""
        return errors.RejectedError(fmt % args if args else fmt, integration=cls.name)

    @classmethod
    def slug(cls) -> str:
        """The integration's slug: its ``key`` when it has one, else from its name."""
        return cls.key or slugify(cls.name)
