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

from .forms import acronym_forms, sq_forms, sq_word_forms, sr_forms, sr_scripts, sr_word_forms

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

#: Single-token forms that are a state only when written with a capital: Serbian "komori" is also
#: the locative of "komora" (chamber: "u Privrednoj komori"), "čad" is soot.
CAPITAL_ONLY: dict[str, frozenset[str]] = {"sr": frozenset({"komori", "cad"})}

#: Case endings of an acronym in the genitive (the case an assembly's name puts its organisation in).
GENITIVE_SUFFIXES: dict[str, tuple[str, ...]] = {"sq": ("s", "së", "it", "ës", "ve", "ut"), "sr": ("a", "e", "ova")}

#: Regions that contain a state name ("Amerika Latine", "Latinska Amerika"): matched so the
#: longer span wins over the state inside it, then dropped by the pipeline.
REGION = "REGION"

Pattern = tuple[str, str, str]  # (label, id, text)


def _resource(name: str) -> dict[str, dict[str, list[str]]]:
    data = json.loads(resources.files("mfa_nlp.resources").joinpath(name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _is_acronym(name: str) -> bool:
    core = name.replace(".", "").replace("-", "")
    return " " not in name and len(core) >= 2 and sum(c.isupper() or c.isdigit() for c in core) >= len(core) - 1


def _word_acronym(name: str) -> bool:
    """A long acronym also written and declined as a word: "Interpolit", "Interpola" (not "Nata")."""
    return len(name) >= 6 and name.isupper() and name.isalpha()


def _inflect(name: str, lang: str, *, definite: bool) -> set[str]:
    if lang == "sq":
        return sq_forms(name, definite=definite)
    if lang == "sr":
        return sr_forms(name)
    return {name}


def _hyphenated(name: str, lang: str, *, definite: bool) -> set[str]:
    """Forms of a name joined by a hyphen ("Guinea-Bisau", "Gvineja-Bisao"): texts write it with a
    hyphen or a space, and the first part takes the case ("Guinesë-Bisau", "Gvineji Bisao")."""
    at = name[: name.index("-")].count(" ") + 1  # the hyphen joins word at-1 and word at
    out: set[str] = set()
    for form in _inflect(name.replace("-", " "), lang, definite=definite):
        words = form.split()
        out.add(form)
        if len(words) > at:
            out.add(" ".join(words[: at - 1] + [words[at - 1] + "-" + words[at]] + words[at + 1 :]))
    return out


def expand(name: str, lang: str, *, definite: bool) -> set[str]:
    """All forms of one name in one language: acronym suffixes or case inflections, both scripts."""
    if _is_acronym(name):
        forms = acronym_forms(name, lang)
        if len(name) >= 4 and name.isupper() and name.isalpha():  # "Nato", "Unesco", "Interpol"
            forms |= acronym_forms(name.capitalize(), lang)
        if lang in ("sq", "sr") and _word_acronym(name):  # "Interpolit", "Interpola"
            word = name.capitalize()
            forms |= {f for _, f in sq_word_forms(word)} if lang == "sq" else set(sr_word_forms(word))
    elif "-" in name.strip("-") and all(p[:1].isupper() for p in name.split("-")):
        forms = _hyphenated(name, lang, definite=definite) | _inflect(name, lang, definite=definite)
    else:
        forms = _inflect(name, lang, definite=definite)
    return sr_scripts(forms) if lang == "sr" else forms


def _genitives(name: str, lang: str) -> set[str]:
    """The forms of an organisation's name after an assembly's name ("of Interpol", "e Interpolit")."""
    if lang == "en":
        return {f for f in expand(name, lang, definite=True) if not f.endswith("'s")}
    if _is_acronym(name):
        bases = {name, name.capitalize()} if len(name) >= 4 and name.isupper() and name.isalpha() else {name}
        out = set(bases) | {f"{b}-{s}" for b in bases for s in GENITIVE_SUFFIXES[lang]}
        if _word_acronym(name):
            word = name.capitalize()
            if lang == "sq":
                out |= {f for case, f in sq_word_forms(word) if case == "gen"}
            else:
                out.add(sr_word_forms(word)[1])
        return out
    if lang == "sq":
        return sq_forms(name, definite=True, cases=("gen",)) - {name}
    return sr_forms(name, cases=(1,)) - {name}


def assembly_names(lang: str) -> dict[str, set[str]]:
    """Names of the bodies of an organisation, per organisation id ("General Assembly of Interpol")."""
    data = json.loads(resources.files("mfa_nlp.resources").joinpath("assemblies.json").read_text(encoding="utf-8"))
    orgs = _resource("orgs.json")
    out: dict[str, set[str]] = {}
    for ident in data["orgs"]:
        names = out.setdefault(ident, set())
        for org_name in orgs.get(ident, {}).get(lang, []):
            for gen in _genitives(org_name, lang):
                for body in data["bodies"].get(lang, []):
                    if lang == "en":
                        names.update({f"{body} of {gen}", f"{gen} {body}"})
                        if not _is_acronym(org_name):
                            names.add(f"{body} of the {gen}")
                        else:
                            names.add(f"{gen}'s {body}")
                    else:
                        names.add(f"{body} {gen}")
    return out


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
    for ident, names in assembly_names(lang).items():
        for name in names:
            forms = sq_forms(name, definite=True) if lang == "sq" else sr_forms(name) if lang == "sr" else {name}
            out.update(("ORG", ident, form) for form in (sr_scripts(forms) if lang == "sr" else forms))
    return tuple(sorted(out))
