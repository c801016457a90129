"""Files made to exhaust the server are refused before they are parsed, with a message
saying what to do; each is built here small on disk (a zip of something that unpacks big)."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from clients import importing
from clients.models import Client

from .test_import import client_row, imports_dir, page, upload, xlsx  # noqa: F401

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
TOO_LARGE = "This file is too large inside to be read safely"


@pytest.fixture
def staff_client(login, staff):
    staff.language = "en"
    staff.save()
    return login(staff)


@pytest.fixture
def never_parsed(monkeypatch):
    """openpyxl must not be handed the file at all."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file reached openpyxl")

    monkeypatch.setattr(importing, "load_workbook", refuse)


def rebuilt(base, *, replace=None, extra=None):
    """`base` (an uploaded .xlsx) with some parts replaced or added. A part's content is
    bytes, or a list of chunks written one after the other (so a part that unpacks to
    tens of megabytes never sits in memory whole)."""
    replace, extra = replace or {}, extra or {}
    source = zipfile.ZipFile(io.BytesIO(base.read()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info, source.read(info))
        for name, content in {**replace, **extra}.items():
            with target.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return SimpleUploadedFile("clients.xlsx", output.getvalue())


def with_shared_strings(chunks):
    """A valid client list whose workbook also declares a shared-strings part."""
    base = xlsx([client_row(1)])
    source = zipfile.ZipFile(io.BytesIO(base.read()))
    base.seek(0)
    types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/></Types>'.encode(),
    )
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        f'<Relationship Id="rIdS" Type="{STRINGS_REL}" Target="sharedStrings.xml"/>'
        "</Relationships>".encode(),
    )
    return rebuilt(
        base,
        replace={
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": [f'<sst xmlns="{MAIN}">'.encode(), *chunks, b"</sst>"],
        },
    )


def repeated(piece: bytes, times: int, per_chunk: int = 65536):
    full, rest = divmod(times, per_chunk)
    for _ in range(full):
        yield piece * per_chunk
    yield piece * rest


def test_a_file_with_one_huge_text_is_refused_before_it_is_parsed(staff_client, never_parsed):
    with scopes_disabled():
        # Reported: a 2 MB file with one shared string of 2 GB took the server to 4.1 GB.
        upload_file = with_shared_strings(
            [b"<si><t>", *repeated(b"a" * 1024, 30 * 1024), b"</t></si>"]
        )
        assert upload_file.size < 200_000

        response = upload(staff_client, upload_file)

        assert response.status_code == 200
        assert TOO_LARGE in page(response)
        assert re.search(
            r"one part unpacks to 30\.0\xa0MB, where 25\.0\xa0MB are allowed", page(response)
        )
        assert "copy the list alone into the empty template" in page(response)
        assert not Client.objects.exists()


def test_a_file_with_five_million_tiny_texts_is_refused_before_it_is_parsed(
    staff_client, never_parsed
):
    # Reported: 212 KB, 5 million shared strings, 42 s of CPU.
    upload_file = with_shared_strings(repeated(b"<si><t>a</t></si>", 5_000_000))

    response = upload(staff_client, upload_file)

    assert TOO_LARGE in page(response)
    assert "one part unpacks to 81.1\xa0MB" in page(response)


def test_a_file_of_many_small_texts_is_refused_by_their_number(staff_client, never_parsed):
    upload_file = with_shared_strings(repeated(b"<si><t>a</t></si>", 200_000))  # 3.4 MB

    response = upload(staff_client, upload_file)

    assert TOO_LARGE in page(response)
    assert "more than 250,000 cells, texts and other entries" in page(response)


def test_a_file_with_a_million_cell_styles_is_refused(staff_client, never_parsed):
    # A 12 KB file with a million empty styles took 14 s and 600 MB to open.
    base = xlsx([client_row(1)])
    styles = [
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="1000000">'.encode(),
        *repeated(b"<xf/>", 1_000_000),
        b"</cellXfs></styleSheet>",
    ]
    upload_file = rebuilt(base, replace={"xl/styles.xml": styles})
    assert upload_file.size < 50_000

    response = upload(staff_client, upload_file)

    assert TOO_LARGE in page(response)
    assert "more than 250,000 cells, texts and other entries" in page(response)


def test_a_file_of_a_thousand_parts_is_refused(staff_client, never_parsed):
    extra = {f"xl/media/part{n}.bin": b"x" for n in range(1_000)}
    response = upload(staff_client, rebuilt(xlsx([client_row(1)]), extra=extra))

    assert TOO_LARGE in page(response)
    assert "1,009 parts, where 1,000 are allowed" in page(response)


def test_a_file_whose_parts_unpack_too_large_together_is_refused(staff_client, never_parsed):
    zeros = list(repeated(b"\0" * 1024, 24 * 1024))
    extra = {f"xl/media/image{n}.bin": zeros for n in range(3)}
    response = upload(staff_client, rebuilt(xlsx([client_row(1)]), extra=extra))

    assert TOO_LARGE in page(response)
    assert "it unpacks to 72.0\xa0MB, where 60.0\xa0MB are allowed" in page(response)


def test_xml_entities_are_refused(staff_client):
    # A real workbook never declares entities; expanded, a few can fill the memory.
    strings = [
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaa">]>',
        f'<sst xmlns="{MAIN}"><si><t>&a;&a;&a;&a;</t></si></sst>'.encode(),
    ]
    base = with_shared_strings([])
    response = upload(staff_client, rebuilt(base, replace={"xl/sharedStrings.xml": strings}))

    assert "This is not an Excel .xlsx file, or it is damaged." in page(response)


def test_a_part_that_unpacks_larger_than_the_zip_says_is_refused_as_damaged(staff_client):
    """The limits trust the sizes in the zip's directory: zipfile never reads past them."""
    data = bytearray(xlsx([client_row(n) for n in range(1, 50)]).read())
    name = b"xl/worksheets/sheet1.xml"
    small = (100).to_bytes(4, "little")
    for header in re.finditer(re.escape(b"PK\x03\x04"), bytes(data)):  # local headers
        at = header.start()
        if data[at + 30 : at + 30 + len(name)] == name:
            data[at + 22 : at + 26] = small
    for header in re.finditer(re.escape(b"PK\x01\x02"), bytes(data)):  # the directory
        at = header.start()
        if data[at + 46 : at + 46 + len(name)] == name:
            data[at + 24 : at + 28] = small
    sheet = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode())
    assert sheet.file_size == 100

    response = upload(staff_client, SimpleUploadedFile("clients.xlsx", bytes(data)))

    assert "This is not an Excel .xlsx file, or it is damaged." in page(response)


def sheet_with_rows_appended(rows_xml: bytes, base=None):
    base = base or xlsx([client_row(1)])
    source = zipfile.ZipFile(io.BytesIO(base.read()))
    base.seek(0)
    sheet = source.read("xl/worksheets/sheet1.xml").replace(
        b"</sheetData>", rows_xml + b"</sheetData>"
    )
    return rebuilt(base, replace={"xl/worksheets/sheet1.xml": sheet})


def test_a_cell_far_down_the_sheet_is_refused_rather_than_read_through(staff_client):
    with scopes_disabled():
        # openpyxl hands over every empty row above a cell: a million of them for one cell.
        far = b'<row r="1000000"><c r="B1000000" t="inlineStr"><is><t>x</t></is></c></row>'
        response = upload(staff_client, sheet_with_rows_appended(far))

        assert "The sheet goes on past row 100,000, even if those rows look empty" in page(response)
        assert not Client.objects.exists()


def test_a_header_far_down_the_sheet_is_refused_too(staff_client):
    empty = xlsx([], header=[None])
    far = b'<row r="150000"><c r="A150000" t="inlineStr"><is><t>id_number</t></is></c></row>'
    response = upload(staff_client, sheet_with_rows_appended(far, base=empty))

    assert "The sheet goes on past row 100,000" in page(response)


def test_a_full_list_of_2000_clients_is_well_inside_the_limits():
    sheet = importing.read_sheet(xlsx([client_row(n) for n in range(1, 2001)]))

    assert len(sheet.rows) == 2000
    assert sheet.rows[-1].cells["welfare_file_number"] == "IMP-02000"
