"""marshmallow fields shared by every API."""
from datetime import timezone

import marshmallow as ma


class UtcDateTime(ma.fields.DateTime):
    """Every stored time is UTC, but SQLite hands it back without an offset; say so in the output,
    so clients get a real RFC 3339 date-time."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)
