"""Gazetteer patterns for STATE, ORG and VALUE, generated from pycountry and the resource files.

States come from pycountry (English names, and the ``sq``, ``sr@latin`` and ``sr`` gettext
catalogues), plus ``resources/states_extra.json`` (Kosovo, long and short forms). Organisations
and values come from ``resources/orgs.json`` and ``resources/values.json``. Every name is expanded
by the rules in :mod:`.forms` (Albanian and Serbian cases, both Serbian scripts, inflected acronyms).
"""

from __future__ import annotations

import gettext
import json
from functools import cache
from importlib import resources

from .forms import acronym_forms, sq_forms, sr_forms, sr_scripts

#: Languages with their own gazetteer; any other language uses the English one.
LANGS: tuple[str, ...] = ("en", "sq", "sr")
#: Gettext catalogues per language (pycountry's iso3166-1 domain).
CATALOGUES: dict[str, tuple[str, ...]] = {"en": (), "sq": ("sq",), "sr": ("sr@latin", "sr")}

#: Single-word state forms that are common words in that language ("mali" = the mountain in Albanian,
#: "mali" = small in Serbian); the multi-word names ("Mali i Zi") still match.
STOP_FORMS: dict[str, frozenset[str]] = {
    "sq": frozenset({"mali", "malit", "malin", "malia", "malisë", "malinë", "malija"}),
    "sr": frozenset({"mali", "malija", "maliju", "malijem", "мали", "малија", "малију", "малијем"}),
}

#: Regions that contain a state name ("Amerika Latine", "Latinska Amerika"): matched so the
#: longer span wins over the state inside it, then dropped by the pipeline.
REGION = "REGION"

Pattern = tuple[str, str, str]  # (label, id, text)


def _resource(name: str) -> dict[str, dict[str, list[str]]]:
    return json.loads(resources.files("mfa_nlp.resources").joinpath(name).read_text(encoding="utf-8"))


def _is_acronym(name: str) -> bool:
    core = name.replace(".", "").replace("-", "")
    return " " not in name and len(core) >= 2 and sum(c.isupper() or c.isdigit() for c in core) >= len(core) - 1


def expand(name: str, lang: str, *, definite: bool) -> set[str]:
    """All forms of one name in one language: acronym suffixes or case inflections, both scripts."""
    if _is_acronym(name):
        forms = acronym_forms(name, lang)
        if len(name) >= 4 and name.isupper() and name.isalpha():  # "Nato", "Unesco", "Interpol"
            forms |= acronym_forms(name.capitalize(), lang)
    elif lang == "sq":
        forms = sq_forms(name, definite=definite)
    elif lang == "sr":
        forms = sr_forms(name)
    else:
        forms = {name}
    return sr_scripts(forms) if lang == "sr" else forms


def _english_state_names(country: object) -> set[str]:
    names = set()
    for attr in ("name", "common_name", "official_name"):
        value = getattr(country, attr, None)
        if value:
            names.add(value.split(",")[0].split(" (")[0].strip())
    return names


@cache
def state_names(lang: str) -> dict[str, set[str]]:
    """Base names (before inflection) per ISO alpha-3 code for one language."""
    import pycountry

    names: dict[str, set[str]] = {}
    translators = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[c]) for c in CATALOGUES[lang]]
    for country in pycountry.countries:
        english = _english_state_names(country)
        if lang == "en":
            names[country.alpha_3] = english
        else:
            local = {t.gettext(country.name).split(",")[0].split(" (")[0].strip() for t in translators}
            names[country.alpha_3] = local
    # "Korea, Republic of" and "Korea, Democratic People's Republic of" both cut to "Korea":
    # a name shared by two codes is ambiguous, so only the curated extras may claim it.
    owners: dict[str, set[str]] = {}
    for code, found in names.items():
        for name in found:
            owners.setdefault(name, set()).add(code)
    for code in names:
        names[code] = {n for n in names[code] if len(owners[n]) == 1}
    for code, per_lang in _resource("states_extra.json").items():
        names.setdefault(code, set()).update(per_lang.get(lang, []))
    return names


@cache
def patterns(lang: str) -> tuple[Pattern, ...]:
    """Every (label, id, text) pattern of one language (unknown languages: English)."""
    lang = lang if lang in LANGS else "en"
    out: set[Pattern] = set()
    stop = STOP_FORMS.get(lang, frozenset())
    for code, names in state_names(lang).items():
        for name in names:
            out.update(("STATE", code, f) for f in expand(name, lang, definite=False) if f.lower() not in stop)
    for label, file in (("ORG", "orgs.json"), ("VALUE", "values.json"), (REGION, "regions.json")):
        for ident, per_lang in _resource(file).items():
            for name in per_lang.get(lang, []):
                out.update((label, ident, form) for form in expand(name, lang, definite=True))
    return tuple(sorted(out))
