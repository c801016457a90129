"""The layout of the client import file: its columns, what each accepts, and the empty
template staff download to fill in."""

import io
import re
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hami.text import ZWNJ, is_persian, normalise_text, to_latin_digits

from .models import Category, Client, Education, Gender, IdType

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONSENT_WORDS = ("yes", "بله", "1", "true")
_CONSENT_EXTRA = ("y", "بلی", "آری")
_NOT_IN_KEY = re.compile(rf"[\s_\-*:{ZWNJ}]+")


def match_key(value) -> str:
    """What two spellings of a header or a value share: `First name`, `first_name` and
    `FIRST NAME` match, as do `نام خانوادگی` and `نام‌خانوادگی`, Persian and Latin digits."""
    return _NOT_IN_KEY.sub("", normalise_text(to_latin_digits(str(value))).lower())


def is_consent(value) -> bool:
    if isinstance(value, bool):
        return value
    return match_key(value) in {match_key(word) for word in CONSENT_WORDS + _CONSENT_EXTRA}


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    hint: str = ""
    choices: type[models.TextChoices] | None = None
    aliases: tuple[str, ...] = ()  # other header names people write (Persian)

    @property
    def label(self) -> str:
        if self.key == "consent":
            return _("Consent")
        return capfirst(Client._meta.get_field(self.key).verbose_name)

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs a choice column accepts; the label works as well."""
        return list(self.choices.choices) if self.choices else []

    @property
    def words(self) -> tuple[str, ...]:
        """Literal values a column accepts besides its choices (shown as they are)."""
        return CONSENT_WORDS if self.key == "consent" else ()

    def header_names(self) -> set[str]:
        names = {self.key, *self.aliases}
        for language in ("en", "fa"):
            with translation.override(language):
                names.add(str(self.label))
        return {match_key(name) for name in names}


COLUMNS = (
    Column("id_type", False, _("Empty means a national code."), IdType, ("نوع مدرک",)),
    Column(
        "id_number",
        True,
        _("Ten digits for a national code; Persian or Latin digits."),
        aliases=("کد ملی", "شماره مدرک", "شماره کارت"),
    ),
    Column(
        "welfare_file_number",
        True,
        _("The client's welfare file number; no two clients share one."),
        aliases=("شماره پرونده",),
    ),
    Column("first_name", True),
    Column("last_name", True),
    Column("father_name", False),
    Column("gender", True, choices=Gender),
    Column(
        "birth_date",
        True,
        _("A Jalali date like 1370/01/01, in Persian or Latin digits, or an Excel date cell."),
    ),
    Column("mobile", False, _("Like 09121234567."), aliases=("موبایل", "شماره موبایل")),
    Column(
        "province",
        True,
        _("The province's Persian or English name, or its two-digit code."),
        aliases=("نام استان",),
    ),
    Column("city", True, aliases=("شهر",)),
    Column("address", False, aliases=("آدرس",)),
    Column("category", True, choices=Category, aliases=("گروه", "دسته")),
    Column("education", True, choices=Education, aliases=("مدرک تحصیلی", "میزان تحصیلات")),
    Column(
        "consent",
        True,
        _(
            "Write yes once the client has agreed to the processing of their data; every row needs it."
        ),
        aliases=("رضایت", "رضایت نامه"),
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_COLUMNS = ("id_number", "welfare_file_number", "birth_date", "mobile")


def build_template() -> bytes:
    """An empty workbook with the header row, and a second sheet explaining the columns in
    the active language. Number-like columns are formatted as text, so Excel keeps the
    leading zeros of national codes and mobiles."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "clients"
    sheet.append([column.key for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.key) + 4)
        if column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("guide")
    guide.append(
        [gettext("Column"), gettext("Meaning"), gettext("Required"), gettext("What to write")]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        values = [f"{value} ({label})" for value, label in column.options] + list(column.words)
        guide.append(
            [
                column.key,
                str(column.label),
                gettext("Yes") if column.required else gettext("No"),
                f"{column.hint} {'; '.join(values)}".strip(),
            ]
        )
    for letter, width in zip("ABCD", (22, 30, 10, 90), strict=True):
        guide.column_dimensions[letter].width = width
    if is_persian():
        sheet.sheet_view.rightToLeft = True
        guide.sheet_view.rightToLeft = True

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
