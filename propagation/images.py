"""Photos of portal stories: checked, resized and re-encoded before they are stored.

Re-encoding with Pillow does three things at once: it proves the file is an
image (a renamed script or document fails to decode), it drops every piece of
metadata (EXIF carries GPS positions, camera serials and the author's name,
none of which a public page should publish), and it bounds the size of what
the portal serves (phone photos are 4000 px wide and several megabytes).
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import invalid
from core.text import fold

MAX_BYTES = 10 * 1024 * 1024
MAX_WIDTH = 1600
# Decoding a 20 000 × 20 000 "image" of a few kilobytes would take gigabytes of
# memory (a decompression bomb); no photo of a story needs more than this.
MAX_PIXELS = 60_000_000
FORMATS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 85


def _name(original: str, extension: str) -> str:
    stem = slugify(fold(os.path.splitext(os.path.basename(original or ""))[0]))[:80]
    return f"{stem or 'anh'}.{extension}"


def process_image(upload: Any, field: str = "image") -> ContentFile[bytes]:
    """The upload as a clean image file, at most MAX_WIDTH wide, without metadata.

    Raises ValidationFailed (on `field`) for a file that is too large, is not an
    image, or is an image in a format the portal does not serve.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise invalid(field, _("Ảnh quá lớn: tối đa 10 MB."))
    with contextlib.suppress(AttributeError, OSError):
        upload.seek(0)
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise invalid(field, _("Ảnh quá lớn: tối đa 10 MB."))
    if not data:
        raise invalid(field, _("Tệp ảnh rỗng."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise invalid(
            field, _("Tệp không phải là ảnh hoặc ảnh bị hỏng. Chỉ nhận ảnh JPEG, PNG hoặc WebP.")
        ) from None
    if fmt not in FORMATS:
        raise invalid(field, _("Chỉ nhận ảnh JPEG, PNG hoặc WebP."))
    if width * height > MAX_PIXELS:
        raise invalid(field, _("Ảnh có kích thước quá lớn (quá 60 triệu điểm ảnh)."))
    try:
        with Image.open(io.BytesIO(data)) as opened:
            # The camera's orientation flag lives in the EXIF that is about to be
            # dropped: apply it to the pixels first so the photo stays upright.
            image = ImageOps.exif_transpose(opened) or opened
            image.load()
            encoded = _encode(image, fmt)
    except (OSError, ValueError, SyntaxError) as exc:
        raise invalid(field, _("Không đọc được ảnh: tệp bị hỏng.")) from exc
    return ContentFile(encoded, name=_name(getattr(upload, "name", ""), FORMATS[fmt]))


def _encode(image: Image.Image, fmt: str) -> bytes:
    if image.width > MAX_WIDTH:
        height = max(1, round(image.height * MAX_WIDTH / image.width))
        image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No `exif=`, `icc_profile=` or text chunks are passed on: the new file
    # carries the pixels only.
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()
