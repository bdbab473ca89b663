r"""The English catalogue: complete, compiled, and actually used.

Source strings are Vietnamese; locale/en/LC_MESSAGES/django.po holds the English.
These tests read the .po with a small pure-Python parser, so they run on machines
without gettext. To refresh the catalogue after adding or changing strings:

    uv run python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests \
        --no-obsolete
    # translate every new/changed entry in locale/en/LC_MESSAGES/django.po
    # (empty msgstr or "#, fuzzy"), then remove the fuzzy flags
    uv run python manage.py compilemessages -l en --ignore=.venv
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --- a minimal .po reader ------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_n: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m[1], "\\" + m[1]), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def flush() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, value = match[1], match[2], _unquote(match[3])
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                flush()  # a new entry without a blank line in between
            if not started:
                current.line = number
            started = True
            target = (keyword, int(index) if index is not None else None)
            if target[1] is not None:
                current.msgstr_n[target[1]] = value
            else:
                setattr(current, keyword, value)
            continue
        assert line.startswith('"') and target is not None, f"{path}:{number}: {raw!r}"
        keyword, idx = target
        if idx is not None:
            current.msgstr_n[idx] += _unquote(line)
        else:
            setattr(current, keyword, (getattr(current, keyword) or "") + _unquote(line))
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing; run makemessages (see this module's docstring)"
    return read_po(PO)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid and not e.obsolete]


def _where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid[:70]!r}"


# --- (a) every entry translated, none fuzzy --------------------------------------------------


def test_po_header_is_english_with_plural_forms(po_entries: list[Entry]) -> None:
    header = next(e for e in po_entries if e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries: list[Entry]) -> None:
    messages = _messages(po_entries)
    assert len(messages) > 500, "the catalogue looks truncated"
    untranslated = [
        _where(e)
        for e in messages
        if (e.msgid_plural is None and not e.msgstr.strip())
        or (
            e.msgid_plural is not None
            and (sorted(e.msgstr_n) != [0, 1] or not all(e.msgstr_n.values()))
        )
    ]
    fuzzy = [_where(e) for e in messages if "fuzzy" in e.flags]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _shape(text: str) -> tuple[list[str], list[str]]:
    return sorted(_PLACEHOLDER.findall(text)), sorted(_TAG.findall(text))


def test_translations_keep_placeholders_and_markup(po_entries: list[Entry]) -> None:
    broken = []
    for e in _messages(po_entries):
        if e.msgid_plural is None:
            if _shape(e.msgstr) != _shape(e.msgid):
                broken.append(f"{_where(e)} -> {e.msgstr!r}")
        else:
            for form in e.msgstr_n.values():
                if _shape(form) != _shape(e.msgid_plural):
                    broken.append(f"{_where(e)} -> {form!r}")
    assert not broken, "placeholders or HTML changed:\n" + "\n".join(broken)


def test_key_terms_follow_the_glossary(po_entries: list[Entry]) -> None:
    by_id = {e.msgid: e.msgstr for e in _messages(po_entries)}
    assert by_id["Tổng quan"] == "Dashboard"
    assert by_id["Đăng nhập"] == "Log in"
    assert by_id["Đăng xuất"] == "Log out"
    assert by_id["Tên đăng nhập"] == "Username"
    assert by_id["Mật khẩu"] == "Password"
    assert by_id["Hoàn thành xuất sắc nhiệm vụ"] == "Excellently completed duties"
    assert by_id["Hoàn thành tốt nhiệm vụ"] == "Well completed duties"
    assert by_id["Hoàn thành nhiệm vụ"] == "Completed duties"
    assert by_id["Không hoàn thành nhiệm vụ"] == "Did not complete duties"
    assert by_id["Hội đồng Thi đua – Khen thưởng"] == "Emulation and Commendation Council"


# --- the catalogue covers the source -----------------------------------------------------------

_GETTEXT_NAMES = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
    "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip
_SOURCE_SKIP = {".venv", "var", "tests", "node_modules", "migrations", "locale", "static"}


def _source_files(pattern: str) -> list[Path]:
    return [
        p for p in BASE.rglob(pattern) if not _SOURCE_SKIP.intersection(p.relative_to(BASE).parts)
    ]


def _python_msgids() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in _source_files("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in _GETTEXT_NAMES or not node.args:
                continue
            args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args
            first = args[0] if args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
                found.add((first.value, f"{path.relative_to(BASE)}:{node.lineno}"))
    return found


_TRANSLATE_TAG = re.compile(r"""\{%\s*trans(?:late)?\s+(?:"([^"]*)"|'([^']*)')""")
_BLOCK_TAG = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(?P<opts>.*?)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)
_PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")
_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _block_msgid(body: str, trimmed: bool) -> str:
    """What makemessages extracts from a blocktranslate body."""
    text = _VAR.sub(lambda m: f"\x00{m[1]}\x01", body).replace("%", "%%")
    text = text.replace("\x00", "%(").replace("\x01", ")s")
    if trimmed:
        text = re.sub(r"\s*\n\s*", " ", text.strip())
    return text


def _template_msgids() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in _source_files("*.html") + _source_files("*.txt"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"))
        where = str(path.relative_to(BASE))
        for match in _TRANSLATE_TAG.finditer(text):
            msgid = (match[1] if match[1] is not None else match[2]).replace("%", "%%")
            found.add((msgid, where))
        for match in _BLOCK_TAG.finditer(text):
            singular = _PLURAL_TAG.split(match["body"])[0]
            found.add((_block_msgid(singular, "trimmed" in match["opts"]), where))
    return found


def test_every_marked_source_string_is_in_the_catalogue(po_entries: list[Entry]) -> None:
    known = {e.msgid for e in _messages(po_entries)}
    sources = _python_msgids() | _template_msgids()
    assert len(sources) > 500, "the source scan found too little; is BASE_DIR right?"
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in sources if msgid not in known)
    assert not missing, (
        "strings not in locale/en/LC_MESSAGES/django.po (run makemessages, translate, "
        "compilemessages — see this module's docstring):\n" + "\n".join(missing)
    )


# --- (b) the compiled .mo matches the .po --------------------------------------------------


def test_compiled_catalogue_is_up_to_date(po_entries: list[Entry]) -> None:
    assert MO.exists(), f"{MO} is missing; run compilemessages"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    expected_keys: set[Any] = {""}
    for e in _messages(po_entries):
        if e.msgid_plural is None:
            expected_keys.add(e.key)
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
            if got != e.msgstr:
                stale.append(f"{_where(e)}: .mo has {got!r}, .po has {e.msgstr!r}")
        else:
            expected_keys.update((e.key, i) for i in e.msgstr_n)
            for n, index in ((1, 0), (2, 1)):
                got = compiled.ngettext(e.msgid, e.msgid_plural, n)
                if got != e.msgstr_n[index]:
                    stale.append(f"{_where(e)} [n={n}]: .mo has {got!r}")
    assert not stale, "django.mo is older than django.po (run compilemessages):\n" + "\n".join(
        stale
    )
    # Nothing left over from strings that were removed from the .po either.
    extra = set(compiled._catalog) - expected_keys  # type: ignore[attr-defined]
    assert not extra, (
        f"django.mo holds entries no longer in django.po: {sorted(map(str, extra))[:10]}"
    )
    assert compiled.info().get("language") == "en"
    assert compiled.ngettext("x", "xs", 1) == "x" and compiled.ngettext("x", "xs", 2) == "xs"


# --- (c) the API answers in the requested language ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "Missing or invalid access token (Bearer token)."),
        ("en-US,en;q=0.9", "Missing or invalid access token (Bearer token)."),
        ("vi", "Thiếu hoặc sai mã truy cập (Bearer token)."),
    ],
)
def test_api_error_follows_accept_language(db: Any, language: str, detail: str) -> None:
    response = Client().get("/api/v1/units/X", headers={"accept-language": language})
    assert response.status_code == 401
    assert response.json()["detail"] == detail


# --- (d) the interface switches to English ------------------------------------------------


def test_logged_in_user_switching_to_english_sees_english_navigation(personas: Any) -> None:
    client = Client()
    client.force_login(personas.officer)
    page = client.get("/").content.decode()
    assert "Tổng quan" in page and "Đăng xuất" in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    for english in (
        "Dashboard",
        "Staff",
        "Emulation clusters and blocks",
        "Councils",
        "Log out",
        "Emulation and Commendation",
    ):
        assert english in page, english
    for vietnamese in ("Tổng quan", "Đăng xuất", "Cụm, khối thi đua", "Điều hướng chính"):
        assert vietnamese not in page, vietnamese

    people = client.get("/people/").content.decode()
    assert "Search and filter staff" in people

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tổng quan" in client.get("/").content.decode()
