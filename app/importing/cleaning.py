"""One row of a client CSV → the client's values, or every reason it cannot be imported.

Pure (no database): the rules come from ``app/setup/validation.py`` (email, phone to E.164
with the location's country) and the column sizes of ``Client``; dates are read in the
clinic's locale order (day/month or month/day), ISO dates always.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from babel.dates import get_date_format
from flask_babel import gettext

from app.i18n import N_
from app.importing.cells import neutralise
from app.models import Client
from app.plausible_dates import check_birth_date
from app.setup.validation import InvalidValue, check_email, check_phone

# Importable client fields, their labels (English ids, translated where shown: ``field_label``)
# and the headers clinics use for them (en, pt, fr).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_name": (N_("First name"), ("first name", "firstname", "given name", "forename", "nome", "primeiro nome", "prénom", "prenom")),
    "last_name": (N_("Last name"), ("last name", "lastname", "surname", "family name", "apelido", "sobrenome", "nom de famille", "nom")),
    "full_name": (N_("Full name (split at the last space)"), ("name", "full name", "client", "patient", "nome completo", "nom complet")),
    "preferred_name": (N_("Preferred name"), ("preferred name", "nickname", "goes by")),
    "date_of_birth": (N_("Date of birth"), ("date of birth", "dob", "birth date", "birthdate", "birthday", "data de nascimento", "date de naissance")),
    "email": (N_("Email"), ("email", "e-mail", "email address", "courriel", "correio eletrónico")),
    "phone": (N_("Phone"), ("phone", "mobile", "cell", "cell phone", "telephone", "phone number", "telefone", "telemóvel", "telemovel", "téléphone", "telephone", "cellulaire")),
    "tax_id": (N_("Tax id"), ("tax id", "tax number", "nif", "contribuinte", "sin", "nas", "health card", "vat")),
    "address_line1": (N_("Address"), ("address", "street", "address line 1", "morada", "adresse")),
    "address_line2": (N_("Address line 2"), ("address line 2", "address 2")),
    "city": (N_("City"), ("city", "town", "cidade", "localidade", "ville")),
    "region": (N_("Province / region"), ("province", "state", "region", "distrito", "région")),
    "postal_code": (N_("Postal code"), ("postal code", "postcode", "zip", "zip code", "código postal", "codigo postal", "code postal")),
    "country": (N_("Country (2 letters)"), ("country", "país", "pays")),
    "alerts": (N_("Alerts / notes"), ("alerts", "notes", "alert", "notas", "observações", "remarques")),
}
DATE_ORDERS = ("DMY", "MDY", "YMD")
_DATE_PARTS = re.compile(r"^\s*(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def field_label(name: str) -> str:
    """A client field's label in the reader's language ("Date of birth", "Data de nascimento")."""
    return gettext(FIELDS[name][0])


def field_word(name: str) -> str:
    """The label inside a sentence: "same email", "mesmo NIF" (an acronym keeps its capitals)."""
    label = field_label(name)
    return label if label.split()[0].isupper() else label[:1].lower() + label[1:]


def guess_mapping(header: list[str]) -> list[str | None]:
    """For each column, the client field its header names (or None: not imported)."""
    taken: set[str] = set()
    mapping: list[str | None] = []
    for title in header:
        key = _simplify(title)
        found = next((name for name, (label, synonyms) in FIELDS.items()
                      if name not in taken and (key == _simplify(label) or key in map(_simplify, synonyms))), None)
        if found:
            taken.add(found)
        mapping.append(found)
    return mapping


def _simplify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-.]+", " ", text).strip()


def locale_date_order(locale: str) -> str:
    """The clinic's short date order, for dates that are not ISO: "DMY" or "MDY"."""
    pattern = get_date_format("short", locale=locale).pattern
    day, month = pattern.find("d"), pattern.find("M")
    return "DMY" if day < month else "MDY"


def parse_date(text: str, order: str, *, this_year: int) -> date:
    """A date as typed in a spreadsheet; ISO (1980-05-17) is always understood."""
    match = _DATE_PARTS.match(text)
    if not match:
        raise InvalidValue(gettext("“%(text)s” is not a date (write it like 17/05/1980 or 1980-05-17).", text=_short(text)))
    a, b, c = match.groups()
    if len(a) == 4:
        year, month, day = a, b, c
    elif order == "YMD":
        year, month, day = a, b, c
    elif order == "MDY":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    y = int(year)
    if len(year) <= 2:
        # Two-digit years of birth: the most recent century that is not in the future.
        y += 2000 if 2000 + y <= this_year else 1900
    try:
        return date(y, int(month), int(day))
    except ValueError as exc:
        raise InvalidValue(gettext("“%(text)s” is not a real date (read as day %(day)s, month %(month)s, year %(year)s).",
                                   text=_short(text), day=day, month=month, year=y)) from exc


def normalise_tax_id(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value).upper()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _max_length(name: str) -> int | None:
    return getattr(Client.__table__.c[name].type, "length", None)


@dataclass
class CleanRow:
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean_row(cells: list[str], mapping: list[str | None], *, region: str, date_order: str,
              this_year: int) -> CleanRow:
    """The row's client values; ``problems`` lists every reason it cannot be imported."""
    out = CleanRow()
    raw: dict[str, str] = {}
    for index, name in enumerate(mapping):
        if name and index < len(cells) and cells[index].strip():
            raw[name] = cells[index].strip()
    if "full_name" in raw:
        full = raw.pop("full_name")
        first, _, last = full.rpartition(" ")
        raw.setdefault("first_name", first or full)
        raw.setdefault("last_name", last if first else "")
    for name, text in raw.items():
        label = field_label(name)
        try:
            value = _clean_value(name, text, region=region, date_order=date_order, this_year=this_year)
        except InvalidValue as exc:
            out.problems.append(f"{label}: {exc}")
            continue
        limit = _max_length(name)
        if isinstance(value, str) and limit and len(value) > limit:
            out.problems.append(gettext("%(field)s is %(length)s characters long; at most %(limit)s fit.",
                                        field=label, length=len(value), limit=limit))
            continue
        if isinstance(value, str) and neutralise(value) != value:
            out.warnings.append(gettext("%(field)s starts with “%(char)s”; it is kept as text and exported with a leading apostrophe.",
                                        field=label, char=value[0]))
        if value not in (None, ""):
            out.values[name] = value
    for required in ("first_name", "last_name"):
        if not out.values.get(required) and not any(p.startswith(field_label(required)) for p in out.problems):
            out.problems.append(gettext("%(field)s is missing.", field=field_label(required)))
    return out


def _clean_value(name: str, text: str, *, region: str, date_order: str, this_year: int):
    if name == "email":
        return check_email(text)
    if name == "phone":
        return check_phone(text, region)
    if name == "date_of_birth":
        born = parse_date(text, date_order, this_year=this_year)
        if born.year > this_year:
            raise InvalidValue(gettext("%(date)s is not a plausible date of birth.", date=born.isoformat()))
        return check_birth_date(born, date(this_year, 12, 31))
    if name == "tax_id":
        return normalise_tax_id(text)
    if name == "country":
        if not re.fullmatch(r"[A-Za-z]{2}", text):
            raise InvalidValue(gettext("“%(text)s” is not a two-letter country code (CA, PT, FR...).", text=_short(text)))
        return text.upper()
    return text
