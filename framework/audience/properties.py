"""``PropertiesWrapper``: look up a feed's properties by technical name and type.

A feed's configuration is a list of properties
``{"technical_name": "api_token", "property_type": "STRING", "value": {"value": "..."}}``.
The finders mirror the mediarithmics SDK's ``findStringProperty``, ``findUrlProperty``, ...:
each returns the property of that name *and* type, or ``None``. The ``*_value`` helpers return
the value inside (``value.value`` for scalars, ``value.url`` for URLs), or ``None`` when the
property is absent or empty.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from .types import PluginProperty

__all__ = ["PropertiesWrapper", "PROPERTY_TYPES"]

#: The property types of the platform (``property_type``).
PROPERTY_TYPES = (
    "ASSET", "ASSET_FILE", "ASSET_FOLDER", "DATA_FILE", "URL", "STRING", "AD_LAYOUT",
    "STYLE_SHEET", "PIXEL_TAG", "DOUBLE", "BOOLEAN", "INT", "RECOMMENDER", "NATIVE_DATA",
    "NATIVE_TITLE", "NATIVE_IMAGE",
)


class PropertiesWrapper:
    """The properties of one feed, searchable by technical name.

    Args:
        properties: The feed's property list, as the gateway returns it. Entries that are not
            objects with a string ``technical_name`` are ignored.
    """

    def __init__(self, properties: Iterable[PluginProperty] | None = None) -> None:
        self.properties: list[PluginProperty] = [
            p for p in (properties or ()) if isinstance(p, dict)
            and isinstance(p.get("technical_name"), str)]
        self._by_name = {p["technical_name"]: p for p in self.properties}

    def __iter__(self) -> Iterator[PluginProperty]:
        return iter(self.properties)

    def __len__(self) -> int:
        return len(self.properties)

    def __repr__(self) -> str:
        names = ", ".join(self._by_name)
        return f"PropertiesWrapper([{names}])"

    def get(self, technical_name: str) -> PluginProperty | None:
        """The property named ``technical_name`` whatever its type, or ``None``."""
        return self._by_name.get(technical_name)

    def of_type(self, property_type: str) -> list[PluginProperty]:
        """Every property of ``property_type`` (``"STRING"``, ``"URL"``...), in order."""
        return [p for p in self.properties if p.get("property_type") == property_type]

    def _find(self, technical_name: str, property_type: str) -> PluginProperty | None:
        found = self._by_name.get(technical_name)
        if found is None or found.get("property_type") != property_type:
            return None
        return found

    def find_string_property(self, technical_name: str) -> PluginProperty | None:
        """The ``STRING`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "STRING")

    def find_url_property(self, technical_name: str) -> PluginProperty | None:
        """The ``URL`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "URL")

    def find_boolean_property(self, technical_name: str) -> PluginProperty | None:
        """The ``BOOLEAN`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "BOOLEAN")

    def find_int_property(self, technical_name: str) -> PluginProperty | None:
        """The ``INT`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "INT")

    def find_double_property(self, technical_name: str) -> PluginProperty | None:
        """The ``DOUBLE`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "DOUBLE")

    def find_asset_file_property(self, technical_name: str) -> PluginProperty | None:
        """The ``ASSET`` or ``ASSET_FILE`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "ASSET") or self._find(technical_name, "ASSET_FILE")

    def find_asset_folder_property(self, technical_name: str) -> PluginProperty | None:
        """The ``ASSET_FOLDER`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "ASSET_FOLDER")

    def find_data_file_property(self, technical_name: str) -> PluginProperty | None:
        """The ``DATA_FILE`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "DATA_FILE")

    def find_ad_layout_property(self, technical_name: str) -> PluginProperty | None:
        """The ``AD_LAYOUT`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "AD_LAYOUT")

    def find_style_sheet_property(self, technical_name: str) -> PluginProperty | None:
        """The ``STYLE_SHEET`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "STYLE_SHEET")

    def find_pixel_tag_property(self, technical_name: str) -> PluginProperty | None:
        """The ``PIXEL_TAG`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "PIXEL_TAG")

    def find_recommender_property(self, technical_name: str) -> PluginProperty | None:
        """The ``RECOMMENDER`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "RECOMMENDER")

    def find_native_data_property(self, technical_name: str) -> PluginProperty | None:
        """The ``NATIVE_DATA`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "NATIVE_DATA")

    def find_native_title_property(self, technical_name: str) -> PluginProperty | None:
        """The ``NATIVE_TITLE`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "NATIVE_TITLE")

    def find_native_image_property(self, technical_name: str) -> PluginProperty | None:
        """The ``NATIVE_IMAGE`` property named ``technical_name``, or ``None``."""
        return self._find(technical_name, "NATIVE_IMAGE")

    # -- values ------------------------------------------------------------------------------

    def string_value(self, technical_name: str) -> str | None:
        """The text of the ``STRING`` property ``technical_name``; ``None`` when absent or
        blank."""
        found = self.find_string_property(technical_name)
        return _text(_inner(found).get("value")) if found else None

    def url_value(self, technical_name: str) -> str | None:
        """The URL of the ``URL`` property ``technical_name``; ``None`` when absent or blank."""
        found = self.find_url_property(technical_name)
        return _text(_inner(found).get("url")) if found else None

    def boolean_value(self, technical_name: str) -> bool | None:
        """The value of the ``BOOLEAN`` property ``technical_name``, or ``None``."""
        found = self.find_boolean_property(technical_name)
        value = _inner(found).get("value") if found else None
        return value if isinstance(value, bool) else None

    def number_value(self, technical_name: str) -> float | int | None:
        """The value of the ``INT`` or ``DOUBLE`` property ``technical_name``, or ``None``."""
        found = self.find_int_property(technical_name) or \
            self.find_double_property(technical_name)
        value: Any = _inner(found).get("value") if found else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return value


def _inner(found: PluginProperty) -> dict[str, Any]:
    value = found.get("value")
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value
