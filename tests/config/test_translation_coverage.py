"""Every string the code marks for translation is in the Persian catalogue.

`makemessages` needs GNU gettext, which the test machines need not have, so this test
finds the marked strings itself: Python files token by token, templates through
Django's own `templatize` (what makemessages feeds to xgettext). A string added to the
code but not to `locale/fa/LC_MESSAGES/django.po` fails here with its file."""

import ast
import io
import tokenize
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SOURCES = ["config", "hami", "centres", "clients", "placements", "loans", "dashboard", "templates"]
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
WITH_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _marked_strings(source: str):
    """(msgid, msgid_plural or None) for each gettext-family call with literal arguments."""
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type
        not in {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    ]
    for i, token in enumerate(tokens[:-2]):
        name = token.string
        if token.type != tokenize.NAME or name not in SINGULAR | PLURAL:
            continue
        if tokens[i + 1].string != "(" or (i and tokens[i - 1].string in {".", "def"}):
            continue
        arguments, current, j = [], [], i + 2
        while j < len(tokens) and tokens[j].string not in {")", ","}:
            if tokens[j].type != tokenize.STRING:
                current = None
                break
            current.append(ast.literal_eval(tokens[j].string))
            j += 1
        if current is None or not current:
            continue
        arguments.append("".join(current))
        if name in PLURAL | WITH_CONTEXT and j < len(tokens) and tokens[j].string == ",":
            plural, j = [], j + 1
            while j < len(tokens) and tokens[j].type == tokenize.STRING:
                plural.append(ast.literal_eval(tokens[j].string))
                j += 1
            arguments.append("".join(plural))
        if name in WITH_CONTEXT:
            arguments = arguments[1:]  # the context is not the message
        if not arguments or not arguments[0]:
            continue
        yield arguments[0], (arguments[1] if name in PLURAL and len(arguments) > 1 else None)


def _files():
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if "migrations" in path.parts or path.suffix not in {".py", ".html", ".txt"}:
                continue
            yield path


def _extract():
    found = {}
    for path in _files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            chunks = [text]
        else:  # templatize keeps the page's indentation and puts each call on one line
            chunks = [line.strip() for line in templatize(text, origin=str(path)).splitlines()]
        for chunk in chunks:
            try:
                for msgid, _plural in _marked_strings(chunk):
                    found.setdefault(msgid, path.relative_to(ROOT))
            except (tokenize.TokenError, SyntaxError):
                if path.suffix == ".py":
                    raise
    return found


def test_every_marked_string_has_a_persian_translation():
    catalogue = polib.pofile(str(ROOT / "locale" / "fa" / "LC_MESSAGES" / "django.po"))
    translated = {entry.msgid for entry in catalogue.translated_entries()}
    marked = _extract()
    assert len(marked) > 100, "the extractor found too little to be trusted"
    missing = {msgid: str(path) for msgid, path in marked.items() if msgid not in translated}
    assert not missing, (
        "run `make messages` and translate these in locale/fa/LC_MESSAGES/django.po: "
        + "; ".join(
            f"{path}: {msgid!r}" for msgid, path in sorted(missing.items(), key=lambda i: i[1])
        )
    )
