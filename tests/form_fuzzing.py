"""The parts of the form fuzzer (`tests/test_form_fuzzer.py`) that know nothing of Hami's
pages: reading forms from HTML, the values to type, and the checks on each answer."""

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from django_scopes import scopes_disabled
from hypothesis import strategies as st

from hami.jalali import format_jalali
from hami.text import to_persian_digits

from .factories import PASSWORD, PDF_BYTES, PNG_BYTES, national_code

BOOKKEEPING = {"sessions", "axes", "admin"}  # rows a request may write without saving anything

# Tags the fuzzer injects: if one ever appears as written, something was not escaped.
MARKER = "hamifz"
INJECTIONS = [
    f"<script>alert('{MARKER}')</script>",
    f'"><img src=x onerror=alert("{MARKER}")>',
    f"<b onmouseover='{MARKER}'>x</b>",
    f"'><svg/onload={MARKER}>",
]
RAW_MARKERS = [
    f"<script>alert('{MARKER}')",
    f'<img src=x onerror=alert("{MARKER}")',
    f"<b onmouseover='{MARKER}'",
    f"<svg/onload={MARKER}",
]


# -- reading forms from a page -------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, file, hidden, password, number…
    options: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # what the page filled in or checked
    multiple: bool = False


@dataclass
class PageForm:
    page: str
    action: str
    method: str
    multipart: bool
    fields: dict[str, FormField] = field(default_factory=dict)

    def add(self, name, kind, value=None, checked=False, option=None, multiple=False):
        entry = self.fields.setdefault(name, FormField(name, kind, multiple=multiple))
        if option is not None:
            entry.options.append(option)
        if value is not None and (kind not in ("radio", "checkbox", "select") or checked):
            entry.values.append(value)


class FormReader(HTMLParser):
    """Every <form> of a page with its fields, as a browser would submit it."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[PageForm] = []
        self.form = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = PageForm(
                page=self.page,
                action=attrs.get("action") or self.page,
                method=(attrs.get("method") or "get").lower(),
                multipart=attrs.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self.form)
        elif self.form is None or ("name" not in attrs and tag not in ("option",)):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            self.form.add(
                attrs["name"],
                kind,
                value,
                checked="checked" in attrs,
                option=value if kind in ("checkbox", "radio") else None,
            )
        elif tag == "button" and attrs.get("value") is not None:
            self.form.add(attrs["name"], "button", option=attrs["value"])
        elif tag == "select":
            self.select = attrs["name"]
            self.form.add(self.select, "select", multiple="multiple" in attrs)
        elif tag == "option" and self.select:
            self.form.add(
                self.select,
                "select",
                attrs.get("value", ""),
                checked="selected" in attrs,
                option=attrs.get("value", ""),
            )
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.form.add(self.textarea, "textarea")
            self.form.fields[self.textarea].values.append("")

    def handle_data(self, data):
        if self.textarea:
            text = self.form.fields[self.textarea].values[-1] + data
            # A browser drops the line break that follows <textarea>.
            self.form.fields[self.textarea].values[-1] = text.removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_on(client, url) -> list[PageForm]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    reader = FormReader(url)
    reader.feed(response.content.decode())
    return reader.forms


def url_name_of(path) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


# -- what to type ------------------------------------------------------------------------

LONG = st.sampled_from(["ا" * 5000, "x" * 100_000, "۱" * 300, "<" * 2000, " " * 3000])
INVISIBLE = st.text(
    alphabet="\u200b\u200c\u200d\ufeff\u200e\u200f\u2060\u00ad\u0640 \t", max_size=8
)
CONTROLS = st.text(
    alphabet=[chr(c) for c in [*range(32), *range(127, 160)]], min_size=1, max_size=5
)
DIGITS = st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩ -/.+", max_size=25)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "1e400", "NaN", "9" * 5000, "٣٠", "۱۲۰", "1,000", "0x10"]),
)
WORDS = st.sampled_from(
    ["زهرا", "علي", "كريمي", "می\u200cشود", "Zahra", "ISF-01-00081", "isf-01-00081", "تهران"]
)
SQL = st.sampled_from(["'; DROP TABLE clients_client; --", "' OR '1'='1", '" OR 1=1 --', "%", "_"])
YEARS = st.sampled_from(
    [0, 1, 99, 999, 1278, 1300, 1370, 1403, 1404, 1479, 1800, 1899, 2024, 2025, 9999, 99999]
)
MONTHS = st.integers(min_value=0, max_value=14)
DAYS = st.integers(min_value=0, max_value=33)
DATES = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}/{m:02d}/{d:02d}", YEARS, MONTHS, DAYS),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", YEARS, MONTHS, DAYS),
    st.builds(lambda y, m, d: to_persian_digits(f"{y}/{m}/{d}"), YEARS, MONTHS, DAYS),
    st.sampled_from(
        ["1404/12/30", "1403/12/30", "1399/12/30", "2025-02-29", "13/05/1403", "today"]
    ),
)


def hostile():
    """A value no form should save as it is, or save only once normalised."""
    return st.one_of(
        st.sampled_from(INJECTIONS),
        LONG,
        INVISIBLE,
        st.builds(lambda a, b, c: a + b + c, WORDS, CONTROLS, WORDS),
        st.builds(lambda a, b: a + b, WORDS, INVISIBLE),
        DIGITS,
        NUMBERS,
        SQL,
        DATES,
        st.text(max_size=40),
        st.just(""),
    )


# Plausible values by the field's name, so that forms get saved too, not only refused. A
# field not listed here is filled from its kind; nothing breaks when a form gains one.
def _plausible_by_name(today, language):
    def day(offset):
        when = today + timedelta(days=offset)
        return format_jalali(when) if language == "fa" else when.isoformat()

    return {
        "id_type": st.sampled_from(["national_code"] * 4 + ["residence_card"]),
        "id_number": st.integers(min_value=1000, max_value=10**6).map(national_code),
        "welfare_file_number": st.integers(min_value=1, max_value=10**6).map(lambda n: f"ISF-{n}"),
        "mobile": st.sampled_from(["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+98 912 123 4567", ""]),
        "birth_date": st.sampled_from(
            ["1370/06/31", "۱۳۶۵/۰۱/۰۱"] if language == "fa" else ["1990-09-22", "1980-01-01"]
        ),
        "hours": st.integers(min_value=1, max_value=2000).map(str),
        "attendance_percent": st.integers(min_value=0, max_value=100).map(str),
        "username": st.just("staff.a"),
        "password": st.just(PASSWORD),
        "old_password": st.just(PASSWORD),
        "new_password1": st.just("a Quiet garden 1403"),
        "new_password2": st.just("a Quiet garden 1403"),
        "review_on": st.just(day(30)),
        "starts_on": st.just(day(0)),
        "ends_on": st.just(day(60)),
        # Placements and follow-ups.
        "monthly_wage": st.sampled_from(["15,000,000", "۱۲٬۰۰۰٬۰۰۰", "8000000"]),
        "monthly_income": st.sampled_from(["15,000,000", "", "0"]),
        "wage_offered": st.sampled_from(["15,000,000", "۱۲٬۰۰۰٬۰۰۰"]),
        "company_id": st.sampled_from(["10380284790", "۱۴۰۰۳۷۷۸۹۹۰", ""]),
        "phone": st.sampled_from(["02166554433", "۰۹۱۲۱۲۳۴۵۶۷", ""]),
        "contacted_on": st.just(day(0)),
        "places": st.integers(min_value=1, max_value=20).map(str),
        "open_until": st.just(day(30)),
        # loans (amounts in tomans, as typed)
        "national_code": st.integers(min_value=1000, max_value=10**6).map(national_code),
        "term_months": st.integers(min_value=6, max_value=20).map(str),
        "amount": st.sampled_from(["1,000,000", "۱٬۵۰۰٬۰۰۰", "2000000"]),
        "own_contribution": st.sampled_from(["0", "1,000,000"]),
        "monthly_revenue": st.sampled_from(["5,000,000", "۳٬۰۰۰٬۰۰۰"]),
        "monthly_costs": st.sampled_from(["1,000,000", "0"]),
        "jobs_created": st.integers(min_value=1, max_value=5).map(str),
        "items-0-quantity": st.integers(min_value=1, max_value=20).map(str),
        "items-0-unit_cost": st.sampled_from(["500,000", "۲٬۰۰۰٬۰۰۰"]),
        "paid_on": st.just(day(0)),
        "disbursed_on": st.just(day(0)),
        # centre-opening applications
        "registration_number": st.sampled_from(["12345", "۱۲۳۴/۵۶", "A-1402-77"]),
        "contact_mobile": st.sampled_from(["09121234567", "۰۹۳۵۱۲۳۴۵۶۷"]),
        "contact_email": st.sampled_from(["omid@example.org", "a.b@example.ir"]),
        "planned_capacity": st.integers(min_value=1, max_value=60).map(str),
        "site_visit_on": st.just(day(0)),
        "opens_on": st.sampled_from([day(0), day(30)]),
        "code": st.sampled_from(["ABCD-EFGH-2345", "abcd efgh 2345", ""]),
    }


def plausible(entry: FormField, today, language):
    by_name = _plausible_by_name(today, language)
    if entry.name in by_name:
        return by_name[entry.name]
    if entry.kind in ("select", "radio", "button"):
        real = [option for option in entry.options if option != ""]
        return st.sampled_from(real or [""])
    if entry.values and entry.values[0] and entry.kind not in ("checkbox",):
        return st.just(entry.values[0])
    if entry.kind == "checkbox":
        return st.sampled_from(entry.options or ["on"])
    if entry.kind == "number":
        return st.integers(min_value=0, max_value=100).map(str)
    if entry.kind == "date":
        return st.just(today.isoformat())
    return WORDS


KNOWN_KINDS = {
    "text",
    "search",
    "email",
    "tel",
    "url",
    "number",
    "password",
    "hidden",
    "date",
    "textarea",
    "select",
    "radio",
    "checkbox",
    "file",
    "button",
}


@st.composite
def submissions(draw, form: PageForm, today, language):
    """Form data: plausible values, with none, one or several fields spoiled (hostile,
    left out, or sent twice). Spoiling one field at a time lets a form save often and
    shows each hostile value on its own."""
    names = [name for name in form.fields if name != "csrfmiddlewaretoken"]
    how_many = draw(st.sampled_from(["none"] * 3 + ["one"] * 5 + ["several"] * 2))
    if how_many == "none" or not names:
        spoiled = set()
    elif how_many == "one":
        spoiled = {draw(st.sampled_from(names))}
    else:
        spoiled = set(draw(st.lists(st.sampled_from(names), min_size=1, unique=True)))
    data = {}
    for name in names:
        entry = form.fields[name]
        if entry.kind == "file":
            # Random bytes mostly; sometimes a real document's bytes, so that a form
            # checking its uploads by content can be saved as well as refused.
            content = draw(
                st.one_of(st.binary(max_size=3000), st.sampled_from([PDF_BYTES, PNG_BYTES]))
            )
            filename = draw(
                st.sampled_from(["clients.xlsx", "x.xls", "../../etc/passwd", "ف.xlsx"])
            )
            data[name] = SimpleUploadedFile(filename, content)
            continue
        if name not in spoiled:
            if entry.kind == "checkbox":
                options = entry.options or ["on"]
                if len(options) == 1:  # a box to tick (consent): mostly ticked
                    picked = options if draw(st.integers(0, 4)) else []
                else:
                    picked = draw(st.lists(st.sampled_from(options), unique=True, max_size=3))
                if picked:
                    data[name] = picked
            else:
                data[name] = draw(plausible(entry, today, language))
            continue
        how = draw(st.sampled_from(["hostile"] * 4 + ["missing", "twice"]))
        if how == "missing":
            continue
        value = draw(hostile())
        data[name] = [value, draw(hostile())] if how == "twice" else value
    # A field the form does not have, as a script might add.
    if draw(st.booleans()) and draw(st.booleans()):
        data[draw(st.sampled_from(["state", "centre", "id", "created_by", "is_superuser"]))] = draw(
            hostile()
        )
    return data


# -- the checks ------------------------------------------------------------------------------


def _control_characters(text):
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"]


def fingerprint():
    """A digest of every row of every model but the bookkeeping ones: any change shows."""
    digests = {}
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.app_label in BOOKKEEPING:
                continue
            rows = model._base_manager.order_by("pk").values_list()
            digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def assert_saved_rows_are_valid(before, after):
    """Every row a request added or changed is valid and holds no control character."""
    with scopes_disabled():
        for model, label_digest in after.items():
            if before[model] == label_digest:
                continue
            model_class = apps.get_model(model)
            if model_class.__name__.startswith("Historical"):
                continue  # django-simple-history's copies of the rows checked here
            for obj in model_class._base_manager.all():
                obj.full_clean()
                for model_field in model_class._meta.concrete_fields:
                    value = getattr(obj, model_field.attname)
                    if isinstance(value, str):
                        assert not _control_characters(value), (model, model_field.name, value)


def assert_nothing_unescaped(response, where):
    if "html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    for raw in RAW_MARKERS:
        assert raw not in html, f"{where}: an injected tag is written unescaped: {raw!r}"


def assert_stays_on_the_site(response):
    location = response["Location"]
    parts = urlsplit(location)
    off_site = parts.scheme or parts.netloc or location.startswith(("//", "/\\", "\\"))
    assert not off_site, f"redirects off the site: {location!r}"


def submit(client, form: PageForm, data):
    if form.method == "get":
        plain = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
        return client.get(urlsplit(form.action).path, plain)
    return client.post(form.action, data)
