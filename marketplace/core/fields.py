"""marshmallow fields shared by every API."""

import marshmallow as ma

from marketplace.core.times import as_utc


class UtcDateTime(ma.fields.DateTime):
    """Every stored time is UTC, but SQLite hands it back without an offset; say so in the output,
    so clients get a real RFC 3339 date-time."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value if value is None else as_utc(value), attr, obj, **kwargs)


class WholeNumber(ma.fields.Integer):
    """An integer that refuses 1.5 rather than rounding it down to 1, as marshmallow's Integer does;
    1.0 and "12" are still whole numbers. For every integer a client sends."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)
