"""The message model: Segment-spec messages wrapped in typed accessors."""
