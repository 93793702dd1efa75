"""Text normalisation and the rules that generate inflected and transliterated forms.

Matching runs on a normal form of each token (see :func:`normalize`): Cyrillic is
transliterated to Latin, diacritics are dropped, and words are lower-cased while
acronyms keep their case (so "WHO" is not "who" and "US" is not "us").
"""

from __future__ import annotations

from functools import lru_cache

from ..translit import strip_diacritics, to_cyrillic, to_latin


@lru_cache(maxsize=200_000)
def normalize(token: str) -> str:
    """The match form of one token: Latin script, no diacritics, lower case unless an acronym.

    >>> normalize("Kosovës"), normalize("Србије"), normalize("OKB-së"), normalize("WHO")
    ('kosoves', 'srbije', 'okb-se', 'WHO')
    """
    text = strip_diacritics(token)
    if len(text) >= 2 and text.isupper() and text.isalpha():
        return text
    return text.lower()


# --- inflection rules -------------------------------------------------------------------------
# Albanian: a name as pycountry gives it (indefinite, "Gjermani", "Kosovë", "Irak") or as a
# definite organisation head ("Bashkimi", "Gjykata", "Kombet"). Each rule returns the forms for
# the cases a ministry text uses, in a fixed order: indefinite, definite nominative,
# genitive/dative/ablative, accusative.
SQ_ARTICLE = {  # article after the head word, per case slot (nom, gen, acc)
    "e": ("e", "së", "e"),
    "i": ("i", "të", "e"),
    "të": ("të", "të", "të"),
}


def sq_word_forms(word: str, *, definite: bool = False) -> list[tuple[str, str]]:
    """(case, form) pairs for one Albanian noun. Case is ``nom``, ``gen`` or ``acc``."""
    w = word
    if definite:
        if w.endswith("et"):  # plural: Kombet, Shtetet
            return [("nom", w), ("gen", w[:-2] + "eve"), ("acc", w)]
        if w.endswith("jt"):  # plural: Ishujt -> Ishujve
            return [("nom", w), ("gen", w[:-1] + "ve"), ("acc", w)]
        if w.endswith("ea"):  # Guinea -> Guinesë / Guineës, Korea -> Koresë / Koreës
            s = w[:-1]
            return [("nom", w), ("gen", s + "së"), ("acc", s + "në"), ("gen", w[:-1] + "ës"), ("acc", w[:-1] + "ën")]
        if w.endswith(("ia", "eja")):  # Maqedonia -> Maqedonisë; Asambleja -> Asamblesë
            s = w[:-2] if w.endswith("eja") else w[:-1]
            return [("nom", w), ("gen", s + "së"), ("acc", s + "në")]
        if w.endswith("a"):  # Gjykata, Organizata, Kosova
            s = w[:-1]
            return [("nom", w), ("gen", s + "ës"), ("acc", s + "ën")]
        if w.endswith(("i", "u")):  # masculine definite: Bashkimi, Këshilli, Fondi, Iraku
            s = w[:-1]
            v = w[-1]
            return [("nom", w), ("gen", s + v + "t"), ("acc", s + v + "n")]
        return [("nom", w)]
    if w.endswith("i"):  # Gjermani, Serbi, Turqi
        return [("nom", w), ("nom", w + "a"), ("gen", w + "së"), ("acc", w + "në")]
    if w.endswith("ë"):  # Kosovë, Bosnjë
        s = w[:-1]
        return [("nom", w), ("nom", s + "a"), ("gen", s + "ës"), ("acc", s + "ën")]
    if w.endswith("a"):  # Kanada; Kosova (definite given as name)
        s = w[:-1]
        return [
            ("nom", w),
            ("nom", w + "ja"),
            ("gen", w + "së"),
            ("acc", w + "në"),
            ("gen", s + "ës"),
            ("acc", s + "ën"),
        ]
    if w[-1:] in "aeiouy":  # Kongo, Peru, Togo
        return [("nom", w), ("nom", w + "ja"), ("gen", w + "s"), ("gen", w + "së"), ("acc", w + "n"), ("acc", w + "në")]
    # consonant stem, masculine: Irak -> Iraku, Egjipt -> Egjipti
    out = [("nom", w)]
    if w.endswith("ër"):  # fleeting ë: Zvicër -> Zvicra, Zvicrës, Zvicrën
        s = w[:-2] + "r"
        out += [("nom", s + "a"), ("gen", s + "ës"), ("acc", s + "ën")]
    for v in "iu" if w[-1:] in "kgh" else "i":  # Iraku but Bangladeshi: both after k/g/h
        out += [("nom", w + v), ("gen", w + v + "t"), ("acc", w + v + "n")]
    return out


#: Leading words of a foreign name that stay as they are while the next word takes the case
#: ("Papua Guinesë së Re", "Shën Luçisë", "Papue"-less Serbian "Papua Nove Gvineje").
SQ_PREFIXES = frozenset(
    {"Papua", "Shën", "San", "Sao", "São", "Sri", "Burkina", "El", "Kosta", "Saint", "Sent", "Sen", "Sierra"}
)
SR_PREFIXES = frozenset({"Papua", "Sao", "San", "Šri", "Sri", "Burkina", "El", "Sent", "Sen", "Sijera", "Kabo"})


def sq_forms(name: str, *, definite: bool = False, cases: tuple[str, ...] | None = None) -> set[str]:
    """Inflect an Albanian name: the head word takes the case, the first article follows it.

    ``cases`` keeps only those cases (``nom``, ``gen``, ``acc``); the name as given is always kept.

    >>> sorted(sq_forms("Gjermani"))[:3]
    ['Gjermani', 'Gjermania', 'Gjermaninë']
    >>> "Papua Guinesë së Re" in sq_forms("Papua Guinea e Re")
    True
    """
    words = name.split()
    if not words:
        return set()
    if len(words) > 1 and words[0] in SQ_PREFIXES:  # "Papua" + "Guinea e Re": the rest inflects
        rest = " ".join(words[1:])
        inner = sq_forms(rest, definite=True, cases=cases)
        if len(words) == 2:  # "Sri Lankës", "Burkina Fasos": a single foreign word, either declension
            inner |= sq_forms(rest, definite=definite, cases=cases)
        return {name} | {f"{words[0]} {f}" for f in inner}
    forms = {name}
    if len(words) >= 3 and words[1] == "dhe":  # Bosnjë dhe Hercegovinë: both nouns agree
        a, b = sq_word_forms(words[0], definite=definite), sq_word_forms(words[2], definite=definite)
        for (ca, fa), (cb, fb) in zip(a, b, strict=False):
            if ca == cb and (cases is None or ca in cases):
                forms.add(" ".join([fa, "dhe", fb, *words[3:]]))
        return forms
    articles = [i for i, w in enumerate(words[1:], 1) if w in SQ_ARTICLE]
    for case, head in sq_word_forms(words[0], definite=definite or len(words) > 1):
        if cases is not None and case not in cases:
            continue
        rest = list(words[1:])
        slot = ("nom", "gen", "acc").index(case)
        for n, i in enumerate(articles):
            if n == 0 and i == 1:  # the article right after the head agrees with it
                rest[i - 1] = SQ_ARTICLE[words[i]][slot]
                # plural heads take "të" in the genitive ("Kombeve të Bashkuara")
                if case == "gen" and head.endswith("eve"):
                    rest[i - 1] = "të"
            elif slot and words[i] == "e":  # after an adjective: "Asamblesë Parlamentare të Këshillit"
                rest[i - 1] = "të"
        forms.add(" ".join([head, *rest]))
    return forms


# Serbian: five case slots (nominative, genitive, dative/locative, accusative, instrumental).
SR_ENDINGS: list[tuple[str, tuple[str, ...]]] = [  # (ending to replace, forms), first match wins
    ("ija", ("ija", "ije", "iji", "iju", "ijom")),
    ("ska", ("ska", "ske", "skoj", "sku", "skom")),  # Hrvatska, Evropska
    ("čka", ("čka", "čke", "čkoj", "čku", "čkom")),  # Nemačka
    ("ška", ("ška", "ške", "škoj", "šku", "škom")),  # Češka
    ("ška", ("ška", "ške", "škoj", "šku", "škom")),
    ("ka", ("ka", "ke", "ci", "ku", "kom")),  # Amerika -> Americi, Republika -> Republici
    ("a", ("a", "e", "i", "u", "om")),  # Kanada, Gora, Bosna, unija
    ("o", ("o", "a", "u", "o", "om")),  # Kosovo, Kraljevstvo, Monako
    ("e", ("e", "a", "u", "e", "em")),  # Čile
    ("i", ("i", "ija", "iju", "i", "ijem")),  # Mali, Haiti, Fidži
]
SR_ADJ_ENDINGS: list[tuple[str, tuple[str, ...]]] = [
    ("na", ("na", "ne", "noj", "nu", "nom")),  # Severna, Crna, Južna
    ("a", ("a", "e", "oj", "u", "om")),  # Evropska (covered above), Centralna
    ("no", ("no", "nog", "nom", "no", "nim")),  # Ujedinjeno
    ("ki", ("ki", "kog", "kom", "ki", "kim")),  # Evropski (savet)
    ("ni", ("ni", "nog", "nom", "ni", "nim")),  # Međunarodni
    ("i", ("i", "og", "om", "i", "im")),
]


#: Plural nouns of state names, whose adjectives take plural endings too: "Solomonova Ostrva",
#: "Solomonovih Ostrva", "Maršalskim ostrvima".
SR_PLURAL_NOUNS: dict[str, tuple[str, ...]] = {
    "ostrva": ("ostrva", "ostrva", "ostrvima", "ostrva", "ostrvima"),
}
SR_PLURAL_ADJ = ("a", "ih", "im", "a", "im")


def sr_word_forms(word: str, *, adjective: bool = False, plural: bool = False) -> list[str]:
    """The five case forms of one Serbian (Latin) word, by its ending."""
    if plural and not adjective and word.lower() in SR_PLURAL_NOUNS:
        forms = SR_PLURAL_NOUNS[word.lower()]
        return [f.capitalize() if word[:1].isupper() else f for f in forms]
    if plural and adjective and word.endswith(("a", "i", "e")):  # Solomonova, Maršalska, Zelenortska
        return [word[:-1] + e for e in SR_PLURAL_ADJ]
    table = SR_ADJ_ENDINGS if adjective else SR_ENDINGS
    for ending, forms in table:
        if word.endswith(ending):
            stem = word[: len(word) - len(ending)]
            return [stem + f for f in forms]
    if word[-1:].isalpha() and word[-1:].lower() not in "aeiou":  # consonant: Irak, Savet, Izrael
        return [word, word + "a", word + "u", word, word + "om"]
    return [word] * 5


# Endings that mark a leading adjective (Severna, Crna, Južna, Evropska, Ujedinjeno, Sjedinjene,
# Međunarodni); nouns such as "vladavina" or "Bosna" end otherwise.
_SR_ADJ_TAIL = (
    "ska",
    "čka",
    "ška",
    "ski",
    "čki",
    "ški",
    "rna",
    "žna",
    "lna",
    "dna",
    "vna",
    "čna",
    "jna",
    "tna",
    "ena",
    "eno",
    "ene",
    "ni",
    "ki",
    "ova",  # possessive: Solomonova (Ostrva), Nova (Gvineja)
    "ovi",  # Novi (Zeland)
    "eti",  # Sveti (Kits i Nevis)
    "eta",  # Sveta (Lucija, Stolica)
)


def _sr_head(words: list[str], start: int) -> int:
    """Index of the head noun: after the leading adjectives (Severna, Crna, Evropska, Ujedinjeno)."""
    i = start
    while i < len(words) - 1 and words[i + 1] != "i" and words[i].lower().endswith(_SR_ADJ_TAIL):
        i += 1
    return i


def sr_forms(name: str, *, cases: tuple[int, ...] | None = None) -> set[str]:
    """Inflect a Serbian name in Latin: leading adjectives agree with the first noun, the rest stays.

    ``cases`` keeps only those case slots (0 nominative, 1 genitive, 2 dative/locative, 3 accusative,
    4 instrumental); the name as given is always kept.

    >>> sorted(sr_forms("Srbija"))
    ['Srbija', 'Srbije', 'Srbiji', 'Srbijom', 'Srbiju']
    >>> sorted(sr_forms("Solomonova Ostrva"))[:2]
    ['Solomonova Ostrva', 'Solomonovih Ostrva']
    """
    words = name.split()
    if not words:
        return set()
    lead = 1 if len(words) > 1 and words[0] in SR_PREFIXES else 0  # "Papua" stays: "Papua Nove Gvineje"
    slots: list[list[str]] = [[w] * 5 for w in words[:lead]]
    head = _sr_head(words, lead)
    plural = words[head].lower() in SR_PLURAL_NOUNS
    for i in range(lead, head):
        slots.append(sr_word_forms(words[i], adjective=True, plural=plural))
    i = head
    slots.append(sr_word_forms(words[i], plural=plural))
    head_end = i + 1
    # "Bosna i Hercegovina", "Trinidad i Tobago": the noun after "i" agrees too
    if head_end + 1 < len(words) and words[head_end] == "i":
        slots.append([words[head_end]] * 5)
        slots.append(sr_word_forms(words[head_end + 1]))
        head_end += 2
    forms = {name}
    for case in range(5):
        if cases is None or case in cases:
            forms.add(" ".join([s[case] for s in slots] + words[head_end:]))
    return forms


def sr_scripts(forms: set[str]) -> set[str]:
    """Add the Cyrillic spelling of every Latin form (and the Latin of every Cyrillic one)."""
    out = set(forms)
    for form in forms:
        out.add(to_cyrillic(form))
        out.add(to_latin(form))
    return out


SQ_ACRONYM_SUFFIXES = (
    "ja",
    "së",
    "në",
    "s",
    "n",
    "i",
    "it",
    "in",
    "u",
    "ut",
    "un",
    "ës",
    "ën",
    "a",
    "ve",
    "ë",
    "ne",
    "se",
)
SR_ACRONYM_SUFFIXES = ("a", "u", "om", "e", "i", "ov", "ova", "ovom", "ovoj", "ovih", "ovi", "ove")


def acronym_forms(acronym: str, lang: str) -> set[str]:
    """Inflected acronyms: "NATO-s", "OKB-së" (sq); "EU-a", "УН-а" (sr); plain in English.

    >>> {"BE-ja", "BE-së"} <= acronym_forms("BE", "sq")
    True
    """
    forms = {acronym}
    suffixes = {"sq": SQ_ACRONYM_SUFFIXES, "sr": SR_ACRONYM_SUFFIXES}.get(lang, ())
    for suffix in suffixes:
        forms.add(f"{acronym}-{suffix}")
        forms.add(f"{acronym}–{suffix}")
    if lang == "en":
        forms.add(acronym + "'s")
    return forms
