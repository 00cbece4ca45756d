"""URL converters."""
from werkzeug.routing import IntegerConverter


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to what an INTEGER column holds, so /claims/99999999999999999999 is a
    404 rather than a database overflow error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
