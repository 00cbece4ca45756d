"""Checking uploaded files: real images are opened and re-encoded with Pillow (dropping EXIF
and anything hidden after the pixels); PDFs are recognised by their header."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from marketplace.core.errors import ValidationFailed

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_IMAGE_PIXELS = 40_000_000  # about 7,300 x 5,500: any real photo of a cloth fits


@dataclass
class CheckedFile:
    data: bytes
    extension: str
    content_type: str


def read_capped(stream, max_bytes: int, field: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed(
            _("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)), field=field
        )
    if not data:
        raise ValidationFailed(_("The file is empty."), field=field)
    return data


def open_image(data: bytes, field: str) -> Image.Image:
    """Open and fully decode an image, refusing decompression bombs and non-images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise ValidationFailed(_("Use a JPEG, PNG or WebP image."), field=field)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(_("The image has too many pixels."), field=field)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("The image has too many pixels."), field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("This file is not a readable image."), field=field) from None
    return image


def reencode_image(image: Image.Image, fmt: str) -> bytes:
    """Write only the pixels back out: no EXIF (GPS, camera), no trailing data."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def check_document(stream, *, max_bytes: int, field: str) -> CheckedFile:
    """A certificate scan: a PDF, or a JPEG/PNG/WebP image (re-encoded)."""
    data = read_capped(stream, max_bytes, field)
    if data.startswith(b"%PDF-"):
        return CheckedFile(data, "pdf", "application/pdf")
    image = open_image(data, field)
    fmt = image.format
    extension, content_type = IMAGE_FORMATS[fmt]
    return CheckedFile(reencode_image(image, fmt), extension, content_type)


def large_upload(view):
    """Mark a view whose form carries several photos at once: its requests may be up to
    MAX_PHOTO_FORM_LENGTH long instead of MAX_CONTENT_LENGTH (see widen_upload_limit)."""
    view.large_upload = True
    return view


def widen_upload_limit() -> None:
    """before_request hook, registered before CSRFProtect (which reads the form first)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "large_upload", False):
        request.max_content_length = current_app.config["MAX_PHOTO_FORM_LENGTH"]
