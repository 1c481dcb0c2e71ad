"""The errors an audience feed raises when its instance context cannot be built.

They follow mediarithmics' plugin SDK: each names the feed property (or file, or realm) at fault
and says, through ``visibility``, whether the platform may show the message to its users.
"""

from __future__ import annotations

from typing import Any, Sequence

from .base import IntegrationError

__all__ = ["AudienceFeedInstanceContextError", "MissingConfigurationPropertyError",
           "MandatoryPropertyValueError", "InvalidPropertyValueError", "FileDownloadError",
           "MissingRealmError"]


class AudienceFeedInstanceContextError(IntegrationError):
    """An audience feed's instance context cannot be built (``INSTANCE_CONTEXT``).

    Raised from a feed's ``instance_context_builder`` or its handlers; the creation route
    answers it with the error's ``visibility`` (mediarithmics'
    ``AudienceFeedInstanceContextError``).

    Attributes:
        visibility: ``"PUBLIC"`` when the message may be shown to the platform's users (the
            default for these errors), ``"PRIVATE"`` otherwise.
        log: The line for the feed's own log (more detail than the user-facing message).
    """

    default_code = "INSTANCE_CONTEXT"

    def __init__(self, message: str = "", *, log: str | None = None,
                 visibility: str = "PUBLIC", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.visibility = "PUBLIC" if visibility == "PUBLIC" else "PRIVATE"
        self.log = log if log is not None else message


class MissingConfigurationPropertyError(AudienceFeedInstanceContextError):
    """The feed has no property ``property_name``."""

    def __init__(self, feed_id: str, property_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        super().__init__(f"the feed property {property_name!r} is missing; set it in the "
                         "feed's configuration",
                         log=f"feed {feed_id}: missing configuration property {property_name}",
                         **kwargs)


class MandatoryPropertyValueError(AudienceFeedInstanceContextError):
    """The feed's property ``property_name`` exists but has no value."""

    def __init__(self, feed_id: str, property_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        super().__init__(f"the feed property {property_name!r} needs a value",
                         log=f"feed {feed_id}: property {property_name} has no value", **kwargs)


class InvalidPropertyValueError(AudienceFeedInstanceContextError):
    """The feed's property ``property_name`` has a value outside ``allowed``."""

    def __init__(self, feed_id: str, property_name: str, property_value: Any,
                 allowed: Sequence[Any] = (), **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.property_name = property_name
        self.property_value = property_value
        self.allowed = tuple(allowed)
        expected = f", expected one of {', '.join(map(str, self.allowed))}" if allowed else ""
        super().__init__(f"the feed property {property_name!r} has the invalid value "
                         f"{property_value!r}{expected}",
                         log=f"feed {feed_id}: property {property_name}={property_value!r} is "
                             f"invalid{expected}", **kwargs)


class FileDownloadError(AudienceFeedInstanceContextError):
    """A file named by one of the feed's properties cannot be downloaded."""

    def __init__(self, feed_id: str, file_name: str, **kwargs: Any) -> None:
        self.feed_id = str(feed_id)
        self.file_name = file_name
        super().__init__(f"the file {file_name!r} cannot be downloaded",
                         log=f"feed {feed_id}: download of {file_name} failed", **kwargs)


class MissingRealmError(AudienceFeedInstanceContextError):
    """The datamart has no user agent identifier realm matching ``realm_filter``."""

    def __init__(self, datamart_id: str, realm_filter: str, **kwargs: Any) -> None:
        self.datamart_id = str(datamart_id)
        self.realm_filter = realm_filter
        super().__init__(f"the datamart {datamart_id} has no user agent identifier realm "
                         f"matching {realm_filter!r}",
                         log=f"datamart {datamart_id}: no realm matches {realm_filter!r}",
                         **kwargs)
