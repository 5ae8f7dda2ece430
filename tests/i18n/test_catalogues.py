"""The catalogues: complete for what patients see, compiled, and no patient-facing text unmarked."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
# Pages a patient sees; every visible word in them must be marked for translation.
PATIENT_TEMPLATES = sorted((APP / "booking" / "templates").rglob("*.html"))


def extracted_ids() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
                "Column": (2,), "Report": (2,)}
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(APP), method_map, keywords=keywords):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def forms(value) -> list[str]:
    """A message's id or translation as a list (plural messages have several forms)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def key(message_id) -> str:
    return forms(message_id)[0]


def catalogue(code: str):
    with open(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_marked_string_is_translated(code):
    po = catalogue(code)
    translated = {key(m.id) for m in po if m.id and all(forms(m.string)) and not m.fuzzy}
    missing = sorted(extracted_ids() - translated)
    assert not missing, f"{code}: untranslated (run ./scripts/i18n and translate): {missing[:20]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(code):
    po = catalogue(code)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    with open(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.mo", "rb") as f:
        committed = read_mo(f)
    compiled.seek(0)
    fresh = read_mo(compiled)
    as_dict = lambda cat: {tuple(forms(m.id)): tuple(forms(m.string)) for m in cat if m.id}  # noqa: E731
    assert as_dict(committed) == as_dict(fresh), "messages.mo is stale: run ./scripts/i18n"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_survive_translation(code):
    for message in catalogue(code):
        if message.id:
            wanted = set(re.findall(r"%\(\w+\)s", key(message.id)))
            for string in forms(message.string):
                assert set(re.findall(r"%\(\w+\)s", string)) == wanted, message.id


TAGS = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", re.S)


@pytest.mark.parametrize("template", PATIENT_TEMPLATES, ids=lambda p: p.name)
def test_no_unmarked_text_in_patient_pages(template):
    text = TAGS.sub(" ", template.read_text())
    words = [w for w in re.findall(r"[^\W\d_][\w'’]*", text)]
    assert not words, f"{template.name}: text not marked for translation: {words[:10]}"
