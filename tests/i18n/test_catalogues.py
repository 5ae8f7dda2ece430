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
PUBLIC_FORM_PAGES = ("fill.html", "_field.html", "done.html", "review_opt_out.html", "form_pdf.html")
PATIENT_TEMPLATES = sorted([*(APP / "booking" / "templates").rglob("*.html"),
                            *(APP / "intake" / "templates" / "intake" / name for name in PUBLIC_FORM_PAGES),
                            APP / "billing" / "templates" / "invoice_pdf.html"])


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


TAGS = re.compile(r"<style.*?</style>|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", re.S)


@pytest.mark.parametrize("template", PATIENT_TEMPLATES, ids=lambda p: p.name)
def test_no_unmarked_text_in_patient_pages(template):
    text = TAGS.sub(" ", template.read_text())
    words = [w for w in re.findall(r"[^\W\d_][\w'’]*", text)]
    assert not words, f"{template.name}: text not marked for translation: {words[:10]}"


def test_the_template_file_lists_what_the_code_marks():
    """app/translations/messages.pot is what ./scripts/i18n extracts today (none missing, none stale)."""
    with open(TRANSLATIONS_DIR / "messages.pot", "rb") as f:
        pot = {key(m.id) for m in read_po(f) if m.id}
    assert extracted_ids() == pot, "messages.pot is stale: run ./scripts/i18n"


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<[^>]*>", re.S)
# Words a language writes as English does ("minutes" in French, "a" in Portuguese), and
# technical words kept as they are.
SAME_WORDS = {"fr_CA": {"minute", "minutes", "a", "min", "code", "sms", "stop", "start"},
              "pt_PT": {"a", "min", "email", "emails", "ignore", "sms", "stop", "start"}}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", JINJA.sub(" ", text))}


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_shipped_message_is_written_in_each_language(code):
    """Every email and text Plinth sends to a client or provider exists in the language,
    with none of the English version's words left in it."""
    import app.intake.reviews  # noqa: F401  (they add the form and review emails)
    import app.intake.sending  # noqa: F401
    from app.messaging.template_defaults import DEFAULTS
    from app.messaging.templates import shipped

    for (kind, audience), english in DEFAULTS.items():
        translated = shipped(kind, audience, code)
        assert translated is not None, f"{code}: no {kind} for the {audience}"
        for part in ("subject", "body_text", "body_html"):
            source, text = getattr(english, part) or "", getattr(translated, part) or ""
            left = (_words(source) & _words(text)) - SAME_WORDS[code]
            assert not left, f"{code} {kind}/{audience} {part}: English left: {sorted(left)}"


def test_every_label_of_the_staff_screens_is_in_the_catalogue(app):
    """Labels, titles and menu entries of the registered screens are listed for extraction
    (python -m app.i18n.staff_labels writes app/i18n/staff_label_texts.py)."""
    from app.i18n.staff_label_texts import TEXTS
    from app.i18n.staff_labels import screen_texts

    with app.app_context():
        missing = sorted(screen_texts(app.appbuilder) - set(TEXTS))
    assert not missing, f"run python -m app.i18n.staff_labels and ./scripts/i18n: {missing[:20]}"
