"""The hand-built history of world.py, for every reports test that needs it."""
from __future__ import annotations

import pytest

from tests.reports import world


@pytest.fixture
def impact_world(db):
    return world.build()
