"""Whole-number ranges that an HTML form, an API schema and a service check alike.

A range is declared once (catalogue prices and stock in catalog/models.py, for example) and
each boundary asks it for its own validator, so a limit cannot differ between the full form,
the quick edit and the API. Every range stays far inside a 32-bit INTEGER column: a number the
database cannot hold is a field error, never an OverflowError from the driver.
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from wtforms.validators import NumberRange

INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class IntRange:
    """The whole numbers from MINIMUM to MAXIMUM, both included."""

    minimum: int
    maximum: int

    def __post_init__(self):
        if not -INT32_MAX <= self.minimum <= self.maximum <= INT32_MAX:
            raise ValueError(f"{self} does not fit an INTEGER column")

    def __contains__(self, value) -> bool:
        # bool is an int in Python; True is no price.
        return type(value) is int and self.minimum <= value <= self.maximum

    def form_validator(self) -> NumberRange:
        """For a WTForms IntegerField (which has already refused what is not a whole number)."""
        return NumberRange(min=self.minimum, max=self.maximum)

    def schema_validator(self) -> ma.validate.Range:
        """For a marshmallow Integer field."""
        return ma.validate.Range(min=self.minimum, max=self.maximum)


DATABASE_ID_RANGE = IntRange(1, INT32_MAX)  # a row id a client may send
