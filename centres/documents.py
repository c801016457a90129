"""The documents an applicant uploads with a centre-opening application, checked before
anything is kept: at most `MAX_FILE_SIZE` each and `MAX_TOTAL_SIZE` together, at most
`MAX_CERTIFICATES` certificates, and each file a PDF, JPEG or PNG by its content — its
first bytes and its structure — whatever its name says. A renamed program, a web page or
an empty file is refused with a message saying what to send instead.

Kept files get a random name of ours (`models._document_name`) in the private
`STORAGES["applications"]`; they are served only to the national office, as attachments,
with the type found here.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from hami.text import localise_digits, localise_digits_lazy

from .models import DocumentType

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_TOTAL_SIZE = 25 * 1024 * 1024
MAX_CERTIFICATES = 10
MAX_NAME_LENGTH = 120

_PDF, _JPEG, _PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
# A PDF ends with %%EOF (some writers add a few bytes after it): looked for in the tail.
_PDF_TAIL = 1024


@dataclass(frozen=True)
class Checked:
    """An upload that passed: its type (read from its content) and a name to show."""

    upload: object
    content_type: str
    original_name: str
    size: int


def _size(value: int) -> str:
    return localise_digits(filesizeformat(value))


def _read_head_and_tail(upload) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(32)
    if upload.size > _PDF_TAIL:
        upload.seek(upload.size - _PDF_TAIL)
    else:
        upload.seek(0)
    tail = upload.read(_PDF_TAIL)
    upload.seek(0)
    return head, tail


def sniff(upload) -> str | None:
    """The document's type read from its content, or None when it is not a PDF, JPEG or
    PNG file."""
    head, tail = _read_head_and_tail(upload)
    if head.startswith(_PDF) and b"%%EOF" in tail:
        return DocumentType.PDF
    if head.startswith(_PNG) and head[12:16] == b"IHDR":
        return DocumentType.PNG
    if head.startswith(_JPEG) and len(head) >= 4:
        return DocumentType.JPEG
    return None


def display_name(name: str) -> str:
    """The name the applicant gave the file, for the reviewer's eyes only: the last part of
    a path, no control or invisible characters, at most `MAX_NAME_LENGTH` characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip() or "document"
    return name[-MAX_NAME_LENGTH:]


def check_upload(upload) -> Checked:
    """The upload, checked; or `ValidationError` saying what is wrong with it."""
    name = display_name(upload.name)
    if upload.size > MAX_FILE_SIZE:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most 5 MB. Send a smaller scan."),
            code="too_large",
            params={"name": name, "size": _size(upload.size)},
        )
    if upload.size == 0:
        raise ValidationError(
            _("“%(name)s” is empty. Choose the scanned document again."),
            code="empty",
            params={"name": name},
        )
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG file (whatever its name says). Send a "
                "scan of the document as PDF, JPEG or PNG."
            ),
            code="not_a_document",
            params={"name": name},
        )
    return Checked(upload=upload, content_type=content_type, original_name=name, size=upload.size)


def check_all(uploads_by_kind: dict[str, list]) -> dict[str, list[Checked]]:
    """Every upload checked, then the count and total size; the first problem raises."""
    checked = {
        kind: [check_upload(u) for u in uploads] for kind, uploads in uploads_by_kind.items()
    }
    total = sum(c.size for files in checked.values() for c in files)
    if total > MAX_TOTAL_SIZE:
        raise ValidationError(
            _("The documents come to %(size)s together; at most 25 MB may be sent."),
            code="too_large_together",
            params={"size": _size(total)},
        )
    return checked


TOO_MANY_CERTIFICATES = _("Send at most %(max)s instructors' certificates.")


def too_many_certificates() -> ValidationError:
    return ValidationError(
        TOO_MANY_CERTIFICATES,
        code="too_many_files",
        params={"max": localise_digits_lazy(str(MAX_CERTIFICATES))},
    )
