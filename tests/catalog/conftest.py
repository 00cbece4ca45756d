"""Fixtures for the catalogue tests."""
from pathlib import Path

import pytest


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """An empty storage folder for this test, so files can be counted."""
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path))
    return tmp_path
