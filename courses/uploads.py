"""The rule of material files, whichever way they arrive (workspace, Django admin, any import):
a type of the allow-list, a content type that agrees with the name, a size under the limit,
and first bytes that are what the name says.

`Material.clean()` applies it to every new file, so `full_clean()` (the service's, the admin
form's) refuses what it refuses; the workspace's form calls it too, to show the error at its field.
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> content types browsers send for it.
ALLOWED_UPLOADS = {
    ".pdf": {"application/pdf"},
    ".ppt": {"application/vnd.ms-powerpoint"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    ".doc": {"application/msword"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xls": {"application/vnd.ms-excel"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".odp": {"application/vnd.oasis.opendocument.presentation"},
    ".odt": {"application/vnd.oasis.opendocument.text"},
    ".txt": {"text/plain"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".mp4": {"video/mp4"},
    ".mp3": {"audio/mpeg"},
    ".zip": {"application/zip", "application/x-zip-compressed"},
}
# Browsers send this for files they do not know; the extension decides then.
GENERIC_CONTENT_TYPES = {"application/octet-stream", ""}
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # a two-hour lecture recording

_ZIP = (b"PK\x03\x04",)  # Office Open XML and OpenDocument files are ZIP archives
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # Office 97-2003 documents
# What a file of each type starts with. A name is only a claim: "slides.pdf" may be an HTML page.
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".pptx": _ZIP,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".odp": _ZIP,
    ".odt": _ZIP,
    ".zip": (*_ZIP, b"PK\x05\x06"),  # an empty archive has only its end record
    ".ppt": _OLE,
    ".doc": _OLE,
    ".xls": _OLE,
}


def _looks_like(extension: str, head: bytes) -> bool:
    if extension == ".mp4":
        return head[4:8] == b"ftyp"
    if extension == ".mp3":  # an ID3 tag, or straight away an MPEG audio frame (11 bits set)
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    signatures = SIGNATURES.get(extension)
    return signatures is None or head.startswith(signatures)


def validate_upload(upload) -> None:
    """Refuse a file outside the allow-list, too large, or whose content is not what its name says."""
    extension = PurePath(upload.name or "").suffix.lower()
    allowed = ALLOWED_UPLOADS.get(extension)
    if allowed is None:
        raise ValidationError(
            _("Files of type “%(extension)s” are not accepted. Accepted: %(allowed)s.")
            % {"extension": extension or "?", "allowed": ", ".join(sorted(ALLOWED_UPLOADS))}
        )
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in allowed and content_type not in GENERIC_CONTENT_TYPES:
        raise ValidationError(
            _("The file's content does not match its “%(extension)s” name.") % {"extension": extension}
        )
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _looks_like(extension, head):
        if extension == ".pdf":
            raise ValidationError(_("This is not a PDF file."))
        raise ValidationError(
            _("The file's content does not match its “%(extension)s” name.") % {"extension": extension}
        )
