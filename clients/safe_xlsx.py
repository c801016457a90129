"""Bounds on what an uploaded .xlsx file may cost the server to open.

An .xlsx file is a zip of XML parts, and a small one can unpack to gigabytes (a 2 MB file
holding one huge text took a server to 4 GB of memory) or to millions of tiny XML elements
(a 212 KB file with 5 million texts took 42 s of CPU; a 12 KB one with a million empty
cell styles, 14 s and 600 MB). `check_package` looks at the file before openpyxl parses
any of it:

- the zip's directory: how many parts, and each part's size unpacked and all of them
  together. zipfile never reads past the size the directory declares for a part (a part
  that unpacks larger fails its checksum), so the declared sizes bound the real ones;
- every part, streamed through expat without building anything: the number of XML
  elements in the whole file (cells, texts, styles…), and no DTD, which a real workbook
  never has (openpyxl reads the parts with defusedxml, which refuses one too).

A full list of 2,000 clients is far inside every limit: about 2 MB of XML and 100,000
elements. What openpyxl then builds from the file is bounded by these numbers; the rows
the import reads from the sheet are bounded by the import itself (`importing.py`).
"""

import zipfile
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hami.text import format_number, localise_digits

MB = 1024 * 1024
MAX_PARTS = 1_000
MAX_PART_SIZE = 25 * MB
MAX_TOTAL_SIZE = 60 * MB
MAX_ELEMENTS = 250_000
_CHUNK = 64 * 1024


class _Stop(Exception):
    """Raised from inside expat's callbacks to stop reading a part."""


class _TooManyElements(_Stop):
    pass


class _HasDoctype(_Stop):
    pass


def too_large(detail: str) -> ValidationError:
    return ValidationError(
        _(
            "This file is too large inside to be read safely (%(detail)s). An Excel list of "
            "2,000 clients is far smaller: copy the list alone into the empty template or a "
            "new workbook, save it and upload it again."
        ),
        code="too_large_inside",
        params={"detail": detail},
    )


def _size(value: int) -> str:
    return localise_digits(filesizeformat(value))


def check_package(source, *, not_a_workbook: ValidationError) -> None:
    """Raise `ValidationError` if `source` (a path or a binary file) is past any limit,
    or is not a zip at all (`not_a_workbook`). Leaves a file object where it found it."""
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            _check_directory(archive.infolist())
            _check_parts(archive, not_a_workbook=not_a_workbook)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # a compression method zipfile does not know
    ) as error:
        raise not_a_workbook from error
    finally:
        if position is not None:
            source.seek(position)


def _check_directory(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise too_large(
            gettext("%(count)s parts, where %(limit)s are allowed")
            % {"count": format_number(len(parts)), "limit": format_number(MAX_PARTS)}
        )
    for part in parts:
        if part.file_size > MAX_PART_SIZE:
            raise too_large(
                gettext("one part unpacks to %(size)s, where %(limit)s are allowed")
                % {"size": _size(part.file_size), "limit": _size(MAX_PART_SIZE)}
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_TOTAL_SIZE:
        raise too_large(
            gettext("it unpacks to %(size)s, where %(limit)s are allowed")
            % {"size": _size(total), "limit": _size(MAX_TOTAL_SIZE)}
        )


def _check_parts(archive: zipfile.ZipFile, *, not_a_workbook: ValidationError) -> None:
    """Count the XML elements of every part, whatever its name (the package's own
    manifest decides which part openpyxl reads as what). A part that is not XML (an
    image) stops at its first byte and counts nothing."""
    budget = MAX_ELEMENTS
    for part in archive.infolist():
        try:
            budget -= _count_elements(archive, part, limit=budget)
        except _TooManyElements:
            raise too_large(
                gettext("more than %(limit)s cells, texts and other entries")
                % {"limit": format_number(MAX_ELEMENTS)}
            ) from None
        except _HasDoctype:
            raise not_a_workbook from None


def _count_elements(archive: zipfile.ZipFile, part: zipfile.ZipInfo, *, limit: int) -> int:
    count = 0

    def start(_name, _attributes):
        nonlocal count
        count += 1
        if count > limit:
            raise _TooManyElements

    def doctype(*_args):
        raise _HasDoctype

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    with archive.open(part) as stream:
        try:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            pass  # not XML, or broken XML: openpyxl refuses it if it reads this part
    return count
