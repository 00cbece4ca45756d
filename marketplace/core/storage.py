"""Where uploaded files live, behind a small interface so S3-compatible storage can replace the
local folder with configuration only. Keys are random; callers never choose a file name."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def save(self, data: bytes, *, folder: str, extension: str) -> str: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files under a root folder (instance/uploads by default)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("storage key escapes the storage root")
        return path

    def save(self, data: bytes, *, folder: str, extension: str) -> str:
        key = f"{folder}/{secrets.token_hex(16)}.{extension}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def storage() -> Storage:
    return LocalStorage(current_app.config["UPLOAD_ROOT"])
