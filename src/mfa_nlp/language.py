"""Language and script per passage and per document.

langdetect does the first guess (profiles loaded once, a fresh seeded detector per call,
so the answer never depends on call order or process). Rules tuned for this archive then
decide what langdetect cannot: Serbian (no langdetect profile; it says ``hr``, ``sl``,
``mk`` or ``bg``) in Latin or Cyrillic script, and Albanian written without ë/ç.
All per-language data lives in the tables below; one code path reads them.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .document import Document
from .ingest.text import repair_mojibake
from .translit import to_latin

#: Passages with fewer letters or words than this are too short to judge alone; they take the
#: document's language. Measured with bench/language.py: plain langdetect is right on 0.896 of
#: the test-set passages under 40 letters and on all of those with 40 or more.
MIN_LETTERS = 40
MIN_WORDS = 5

#: langdetect random trials per passage (its default is 7): 3 halves the time with the same
#: accuracy on the test set, because the rules below decide the hard cases anyway.
TRIALS = 3

#: First word of a Unicode character name -> ISO 15924 script code.
_SCRIPTS: dict[str, str] = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "GREEK": "Grek",
    "ARABIC": "Arab",
    "HEBREW": "Hebr",
    "CJK": "Hani",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "HANGUL": "Hang",
    "DEVANAGARI": "Deva",
    "THAI": "Thai",
    "GEORGIAN": "Geor",
    "ARMENIAN": "Armn",
    "BENGALI": "Beng",
    "TAMIL": "Taml",
}

#: Letters of the Serbian Cyrillic alphabet; Macedonian swaps ђ ћ for ѓ ќ and adds ѕ.
_SR_CYRL_ORDER = "абвгдђежзијклљмнњопрстћуфхцчџш"
_SR_CYRL = set(_SR_CYRL_ORDER)
_MK_ONLY_CYRL = set("ѓќѕ")
_SR_ONLY_CYRL = set("ђћ")

#: Marker words per language: weight 1.0 distinctive, 0.5 shared with a neighbour. An entry
#: ending in ``*`` is a stem (matches any word it begins). Serbian entries are written in
#: Latin script and also match Cyrillic text (transliterated before matching).
_MARKERS: dict[str, dict[str, float]] = {
    "sq": {
        **dict.fromkeys(
            "dhe të për per një nje është eshte që qe nga janë jane edhe kjo ky këtë kete "
            "këto keto tij saj kanë kane ishte tha gjithashtu mes midis drejt duke pas "
            "shtetit shtetet kosova kosovës kosoves kosovë kosove ministri ministria ministrja "
            "shqipërisë shqiperise takim takoi priti ndërmjet ndermjet sulmin denon dënon "
            "punëve puneve jashtme bashkimit evropian evropiane njohjen qeveria qeverisë "
            "qeverise deklaratë deklarate vizitë vizite njoftim ngushëllime ambasadorin "
            "marrëveshje marreveshje marrëdhëniet marredheniet zyrtare rëndësi rendesi "
            "mbështetjen mbeshtetjen bashkëpunimin bashkepunimin".split(),
            1.0,
        ),
        **dict.fromkeys("te ne me se ka si por do në i e".split(), 0.5),
    },
    "sr": dict.fromkeys(
        "vreme vremena dve dvije mleko mlijeko reč riječ deo gde pre posle sveta srpsk* "
        "srbij* beograd* saradn* bezbedn* hiljad* opštin* inostran* poslanik uslov* "
        "evropsk* istorij* ekonomsk* univerzitet* nedelj* treba takođe šta ko "
        "januar* februar* mart marta april* maj maja jun juna jul jula avgust* septemb* "
        "oktob* novemb* decemb* spoljn* rekao istakao izjavio naglasio metohij* "
        "priština prištin* uslijed vrijeme bijelo između izmedju kosovu kosova "
        "ujedinjenih nacija rezolucij* porodic* hleb saopšt* saučešć* ambasad* "
        "sprovo* ministark* poset* sedmic* zemljotres* hapšenj* biće neće".split(),
        1.0,
    ),
    "hr": dict.fromkeys(
        "tko tisuć* kruh tjed* siječ* veljač* ožuj* travanj travnja svibanj svibnja "
        "lipanj lipnja srpanj srpnja kolovoz* rujan rujna listopad* studenog* prosin* "
        "sveučilišt* suradn* europsk* općin* obitelj* povijest* gospodarsk* gospodarstv* "
        "tijekom također vanjsk* priopć* izvješć* čelni* glede ravnatelj* stoga hrvatsk* "
        "zagreb* veleposlan* ministric* sućut* poštivanj* sustav* podupir* "
        "bit tisuću zrakoplov*".split(),
        1.0,
    ),
    "sl": dict.fromkeys(
        "ki kot tudi smo bo bodo ter lahko vendar naj zelo kjer še sta bil bila bili "
        "zunanj* ministrstv* slovenij* ljubljan* skupaj sodelovanj* državami med dejal "
        "dejala podpira* pogovor* srečanj*".split(),
        1.0,
    ),
    "mk": dict.fromkeys(
        "е со во ги го дека кои ќе беше беа нема овој оваа македониј* скопје "
        "надвореш* министер* соработк* средба изјава амбасадорот министерството "
        "соопштени* заедничк* учествува* сочувств*".split(),
        1.0,
    ),
    "en": dict.fromkeys(
        "the and of to in is for on with that by was has have will minister ministers "
        "ministry foreign affairs today statement visit meeting met".split(),
        1.0,
    ),
    "de": dict.fromkeys(
        "der die das und mit dem den von zu im ist nicht auf für ein eine ministerin "
        "außenminister* auswärtig* botschaft* erklärung treffen gespräch* beileid".split(),
        1.0,
    ),
    "fr": dict.fromkeys(
        "le la les du et en un une est pour avec dans au aux ministre ambassade* "
        "déclaration communiqué entretien* condoléances".split(),
        1.0,
    ),
}

#: Languages whose marker words may overrule langdetect on short Latin-script passages.
_RESCUE: tuple[str, ...] = ("sq", "en", "de", "fr")

#: Words shared by Serbian, Croatian and Bosnian: they point to the group, not to one language.
_SH_SHARED = frozenset(
    "je i u sa za da su koji koja koje će nije od na iz bi biti kao ali ovo to se "
    "ministar ministarstvo primio sastanak izjava posjeta".split()
)


#: Languages langdetect confuses with Serbian written in Latin script.
_SOUTH_SLAVIC_LATN = {"hr", "sl", "bs", "sr", "cs", "sk", "pl"}
#: Languages langdetect gives for Serbian or Macedonian in Cyrillic.
_SOUTH_SLAVIC_CYRL = {"mk", "bg", "sr", "ru", "uk"}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class LanguageResult:
    """Language (ISO 639-1), script (ISO 15924), confidence in [0, 1] and whether it is reliable."""

    lang: str | None
    script: str | None
    confidence: float
    reliable: bool


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None
    return _SCRIPTS.get(first)


_DROP_ASCII_LETTERS = str.maketrans("", "", string.ascii_letters)


def _script_counts(text: str) -> Counter[str]:
    # The hot path of the language stage: ASCII letters are counted in bulk (C), and every
    # other distinct character is looked up once, however often it occurs.
    counts: Counter[str] = Counter()
    rest = text.translate(_DROP_ASCII_LETTERS)
    if len(rest) < len(text):
        counts["Latn"] = len(text) - len(rest)
    if not rest.isascii():
        for ch, n in Counter(rest).items():
            if ch > "\x7f" and ch.isalpha():
                script = _char_script(ch)
                if script:
                    counts[script] += n
    return counts


def scripts(text: str) -> Counter[str]:
    """Letters per ISO 15924 script in ``text``.

    >>> scripts("NATO и ЕУ")["Cyrl"]
    3
    """
    return _script_counts(text)


def detect_script(text: str) -> str | None:
    """Return the dominant ISO 15924 script of the letters in ``text`` (``None`` if it has none).

    >>> detect_script("Генерални секретар NATO-а")
    'Cyrl'
    """
    return _dominant(_script_counts(text))


class _ProfileRows(dict):  # type: ignore[type-arg]
    """langdetect's n-gram -> per-language probability table, each row built on first use.

    langdetect's own loader builds all ~88,000 rows of 55 floats up front (0.3-0.5 s, about
    40 MB), while a detector only ever reads the rows of the n-grams it meets. The keys are
    all there (``in`` stays a plain dict look-up, as the detector expects); a row is computed
    from the profiles' counts the first time it is read, with the very arithmetic langdetect uses.
    """

    __slots__ = ("_profiles", "_rows")

    def __getitem__(self, ngram: str) -> list[float]:
        row = self._rows.get(ngram)
        if row is None:
            if not dict.__contains__(self, ngram):
                raise KeyError(ngram)
            k = len(ngram)
            if 1 <= k <= 3:  # langdetect gives longer n-grams a key and no probability
                row = [0.0 if (c := freq.get(ngram)) is None else 1.0 * c / n[k - 1] for freq, n in self._profiles]
            else:
                row = [0.0] * len(self._profiles)
            self._rows[ngram] = row
        return row


def _load_profiles(factory: Any, directory: str) -> None:
    """Fill ``factory`` as ``DetectorFactory.load_profile(directory)`` does: same languages, order and values."""
    import json
    import os

    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    names = os.listdir(directory)  # langdetect's order, which fixes each language's column
    langs: list[str] = []
    profiles: list[tuple[dict[str, int], list[int]]] = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            lang, freq, n_words = data["name"], data["freq"], data["n_words"]
            if not (isinstance(freq, dict) and len(n_words) == 3 and all(n > 0 for n in n_words)):
                raise ValueError("expected a 'freq' table and three positive 'n_words'")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LangDetectException(ErrorCode.FormatError, f"Profile format error in {path!r}: {exc}") from exc
        if lang in langs:
            raise LangDetectException(ErrorCode.DuplicateLangError, "Duplicate the same language profile.")
        langs.append(lang)
        profiles.append((freq, n_words))
    if not langs:
        raise LangDetectException(ErrorCode.NeedLoadProfileError, f"Not found profile: {directory}")
    table = _ProfileRows.fromkeys(ngram for freq, _ in profiles for ngram in freq)
    # langdetect sizes each row by the folder's entries, profiles or not
    table._profiles = profiles + [({}, [1, 1, 1])] * (len(names) - len(langs))
    table._rows = {}
    factory.langlist = langs
    factory.word_lang_prob_map = table


@lru_cache(maxsize=1)
def _factory() -> Any:
    """langdetect profiles, loaded once into a private factory (the global one stays untouched)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    _load_profiles(factory, PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def _langdetect(text: str, trials: int = TRIALS) -> dict[str, float]:
    """langdetect probabilities for ``text``; a new detector with a fixed seed every call."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.n_trial = trials
    detector.append(text)
    try:
        return {p.lang: p.prob for p in detector.get_probabilities()}
    except LangDetectException:
        return {}


def plain_langdetect(text: str) -> str | None:
    """Seeded langdetect alone, with its default 7 trials (the baseline in bench/language.py)."""
    probs = _langdetect(text, trials=7)
    return max(probs, key=lambda k: probs[k]) if probs else None


def _index_markers() -> tuple[dict[str, list[tuple[str, float]]], dict[str, list[tuple[str, float]]]]:
    """``_MARKERS`` as two look-up tables: exact word -> [(lang, weight)], stem -> [(lang, weight)]."""
    exact: dict[str, list[tuple[str, float]]] = {}
    stems: dict[str, list[tuple[str, float]]] = {}
    for lang, table in _MARKERS.items():
        for entry, weight in table.items():
            target = stems if entry.endswith("*") else exact
            target.setdefault(entry.rstrip("*"), []).append((lang, weight))
    return exact, stems


_EXACT, _STEMS = _index_markers()


@lru_cache(maxsize=65536)
def _word_markers(word: str) -> tuple[tuple[str, float], ...]:
    """Marker hits of one lower-case word: exact entries first, else the longest matching stem."""
    if word in _EXACT:
        return tuple(_EXACT[word])
    for k in range(len(word), 2, -1):
        if word[:k] in _STEMS:
            return tuple(_STEMS[word[:k]])
    return ()


def _marker_scores(words: list[str], *, distinctive: bool = False) -> dict[str, float]:
    """Sum of marker weights per language over ``words`` (lower-case); only weight-1 markers if ``distinctive``."""
    scores = dict.fromkeys(_MARKERS, 0.0)
    for word in words:
        for lang, weight in _word_markers(word):
            if weight >= 1.0 or not distinctive:
                scores[lang] += weight
    return scores


def _decide_cyrillic(letters: set[str], words: list[str], probs: dict[str, float]) -> str | None:
    """Serbian vs Macedonian by alphabet and words; other Cyrillic languages by langdetect."""
    if letters - _SR_CYRL - _MK_ONLY_CYRL:  # ъ ы э щ ё й ю я і ...: Russian, Bulgarian, Ukrainian, ...
        return max(probs, key=lambda k: probs[k]) if probs else None
    scores = _marker_scores(words + [to_latin(w) for w in words])
    # Macedonian's postposed article: народот, министерот, самитот.
    articles = sum(len(w) >= 6 and w.endswith("от") for w in words)
    mk = scores["mk"] + articles + 3.0 * len(letters & _MK_ONLY_CYRL)
    sr = scores["sr"] + 3.0 * len(letters & _SR_ONLY_CYRL)
    return "mk" if mk > sr else "sr"


def _decide_latin(text: str, words: list[str], probs: dict[str, float]) -> str | None:
    """Albanian rescue, then Serbian vs Croatian vs Slovene by marker words (ties go to Serbian)."""
    top = max(probs, key=lambda k: probs[k]) if probs else None
    scores = _marker_scores(words)
    shared = sum(w in _SH_SHARED for w in words)
    slavic = scores["sr"] + scores["hr"] + scores["sl"] + 0.5 * shared
    for rescue in _RESCUE:  # short passages langdetect reads as a far-away language
        others = max([slavic] + [v for k, v in scores.items() if k not in {rescue, "sr", "hr", "sl"}])
        if (
            top != rescue
            and scores[rescue] >= 1.0
            and scores[rescue] / max(len(words), 1) >= 0.15
            and scores[rescue] > others
        ):
            return rescue
    if set(text.lower()) & set("ëç"):  # Albanian letters: never a South Slavic language
        return top
    if top in _SOUTH_SLAVIC_LATN or (slavic >= 1.0 and slavic > max(scores["sq"], scores["en"])):
        if top in {"cs", "sk", "pl"} and slavic < 1.0:
            return top
        if scores["hr"] >= 1.0 and scores["hr"] > scores["sr"] and scores["hr"] >= scores["sl"]:
            return "hr"
        no_sr_letters = not set(text.lower()) & set("ćđ")
        if scores["sl"] >= 2.0 and scores["sl"] > max(scores["sr"], scores["hr"]) and no_sr_letters:
            return "sl"
        return "sr"
    return top


def detect(text: str) -> LanguageResult:
    """Detect the language and script of one passage.

    >>> detect("Ministri i Punëve të Jashtme takoi ambasadorin e Francës në Prishtinë.").lang
    'sq'
    """
    text = repair_mojibake(unicodedata.normalize("NFC", text))
    script = detect_script(text)
    tokens = _WORD.findall(text)
    n_letters = sum(len(w) for w in tokens)
    if script is None or not tokens:
        return LanguageResult(None, script, 0.0, False)
    # Acronyms in another script (NATO inside Cyrillic) would only mislead the rules and langdetect.
    same_script = [w for w in tokens if _char_script(w[0]) == script]
    words = [w.lower() for w in same_script]
    letters = {c for w in words for c in w}
    if script == "Cyrl" and not letters - _SR_CYRL - _MK_ONLY_CYRL:
        # Serbian or Macedonian alphabet: the rules decide (langdetect has no Serbian profile);
        # confidence grows with the marker margin between the two.
        lang = _decide_cyrillic(letters, words, {})
        sr_vs_mk = _marker_scores(words + [to_latin(w) for w in words])
        margin = abs(sr_vs_mk["sr"] - sr_vs_mk["mk"]) + 3.0 * len(letters & (_SR_ONLY_CYRL | _MK_ONLY_CYRL))
        probs: dict[str, float] = {lang or "": 0.5 + 0.5 * margin / (margin + 1.0)}
    else:
        probs = _langdetect(" ".join(same_script))
        if script == "Cyrl":
            lang = _decide_cyrillic(letters, words, probs)
        elif script == "Latn":
            lang = _decide_latin(text, words, probs)
        else:
            lang = max(probs, key=lambda k: probs[k]) if probs else None
    if lang == "sr" or lang not in probs:
        slavic_mass = sum(p for k, p in probs.items() if k in _SOUTH_SLAVIC_LATN | _SOUTH_SLAVIC_CYRL)
        confidence = max(probs.get(lang or "", 0.0), slavic_mass if lang == "sr" else 0.0, 0.5)
    else:
        confidence = probs[lang]
    reliable = lang is not None and n_letters >= MIN_LETTERS and len(tokens) >= MIN_WORDS and confidence >= 0.5
    return LanguageResult(lang, script, round(float(confidence), 4), reliable)


#: A passage whose own distinctive marker words give the document's language at least this
#: weight, and this share of its words, with no rival language above half of it, is confirmed
#: without langdetect. Chosen with bench/language.py (document path): no passage changes its label.
CONFIRM_WEIGHT = 3.0
CONFIRM_SHARE = 0.2


def _words(text: str, script: str | None = None) -> tuple[str | None, list[str]]:
    """Dominant script (measured unless given) and the lower-case words written in it."""
    script = script or detect_script(text)
    return script, _lower_words(text, _WORD.findall(text), script)


def _dominant(counts: Counter[str]) -> str | None:
    """The script with most letters (ties: by name), as :func:`detect_script` chooses it."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def _lower_words(text: str, tokens: list[str], script: str | None) -> list[str]:
    """The lower-case words among ``tokens`` (``_WORD`` matches of ``text``) written in ``script``."""
    if text.isascii():  # every ASCII letter is Latin
        return [t.lower() for t in tokens] if script == "Latn" else []
    return [w.lower() for w in tokens if _char_script(w[0]) == script]


def _is_nfc(text: str) -> bool:
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def candidate(text: str, script: str | None = None) -> str | None:
    """The language whose distinctive marker words weigh most in a document's text.

    The words counted are those in ``script``, by default the text's dominant script.
    """
    _, words = _words(text, script)
    scores = _marker_scores(words, distinctive=True)
    best = max(scores, key=lambda k: scores[k]) if words else None
    return best if best and scores[best] > 0 else None


def likely_languages(sample: str) -> set[str]:
    """The languages a sample of a document (or an archive) likely needs pipelines for: cheap signals only.

    Cyrillic letters mean Serbian; Latin text means its marker-word :func:`candidate`, English
    when no marker word is found.

    >>> sorted(likely_languages("Ministri takoi ambasadorin. Министар је примио амбасадора."))
    ['sq', 'sr']
    """
    langs: set[str] = set()
    if not sample.strip():
        return langs
    counts = _script_counts(sample)
    if "Cyrl" in counts:
        langs.add("sr")
    if "Latn" in counts:
        langs.add(candidate(sample, script="Latn") or "en")
    return langs


def confirm(text: str, lang: str | None, script: str | None) -> LanguageResult | None:
    """Confirm a passage's language from cheap signals alone, or return None to run :func:`detect`.

    ``script`` is the passage's dominant script as :func:`detect_script` measures it.

    The signals are the script and the marker words: a passage in the document's script whose
    markers clearly point to the document's language needs no langdetect call. Serbian is
    confirmed only when no Croatian or Slovene marker competes; Albanian letters rule out Serbian.

    >>> confirm("The Minister met the Ambassador of Germany in Prishtina today.", "en", "Latn").lang
    'en'
    """
    if lang is None or script != "Latn" or lang not in _MARKERS:
        return None
    if unicodedata.is_normalized("NFC", text):  # ``script`` was measured on this very text
        own_script, words = _words(text, script)
    else:
        text = unicodedata.normalize("NFC", text)
        own_script, words = _words(text)
    if own_script != script:
        return None
    return _confirm_words(text, lang, script, words)


def _confirm_words(
    text: str, lang: str, script: str, words: list[str], scores: dict[str, float] | None = None
) -> LanguageResult | None:
    """:func:`confirm` once the passage's lower-case words in its script are known (and maybe their ``scores``)."""
    if len(words) < MIN_WORDS or sum(map(len, words)) < MIN_LETTERS:
        return None
    scores = dict(scores) if scores is not None else _marker_scores(words, distinctive=True)
    if lang == "sr":
        if set(text.lower()) & set("ëç") or scores["hr"] or scores["sl"] >= 1.0:
            return None
        scores["sr"] += 0.5 * sum(w in _SH_SHARED for w in words)
    mine = scores[lang]
    rivals = max(v for k, v in scores.items() if k != lang)
    if mine >= CONFIRM_WEIGHT and mine / len(words) >= CONFIRM_SHARE and rivals <= 0.5 * mine:
        return LanguageResult(lang, script, round(min(1.0, 0.5 + mine / (2 * len(words))), 4), True)
    return None


def annotate(doc: Document) -> Document:
    """Set ``lang``/``script`` on every passage and on the document.

    The document's marker words name a candidate language; each passage is confirmed by its
    own script and marker words (:func:`confirm`), and only passages whose cheap signals are
    weak or disagree get a :func:`detect` call (langdetect plus the rules). The document language is the
    language of most of its text by characters; passages too short (or too uncertain) to
    judge take it. Script is always measured per passage.
    """
    # Each passage is read once (scripts, words); the document's script and candidate language
    # are summed from the passages: the same as measuring their joined text.
    texts = [p.text for p in doc.passages]
    counts = [_script_counts(text) for text in texts]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    whole_script = _dominant(total)
    scripts_ = [_dominant(c) for c in counts]
    tokens = [_WORD.findall(text) for text in texts]
    words = [_lower_words(text, toks, whole_script) for text, toks in zip(texts, tokens, strict=True)]
    # Marker weights are 0.5 and 1: the document's sums are exactly the sums of its passages'.
    passage_scores = [_marker_scores(ws, distinctive=True) for ws in words]
    scores = dict.fromkeys(_MARKERS, 0.0)
    for ps in passage_scores:
        for k, v in ps.items():
            scores[k] += v
    best = max(scores, key=lambda k: scores[k]) if any(words) else None
    candidate_lang = best if best and scores[best] > 0 else None
    results: list[LanguageResult] = []
    for text, script, toks, ws, ps in zip(texts, scripts_, tokens, words, passage_scores, strict=True):
        if len(toks) < MIN_WORDS or sum(map(len, toks)) < MIN_LETTERS:  # too short to judge alone
            results.append(LanguageResult(None, script, 0.0, False))  # it takes the document's language below
            continue
        if script == whole_script and candidate_lang in _MARKERS and script == "Latn" and _is_nfc(text):
            confirmed = _confirm_words(text, candidate_lang, script, ws, ps)
        else:
            confirmed = confirm(text, candidate_lang, script)
        results.append(confirmed or detect(text))
    whole = "\n".join(texts)
    by_lang: Counter[str] = Counter()
    by_script: Counter[str] = Counter()
    for p, r in zip(doc.passages, results, strict=True):
        if r.reliable and r.lang:
            by_lang[r.lang] += len(p.text)
        if r.script:
            by_script[r.script] += len(p.text)
    if by_lang:
        doc_lang: str | None = min(by_lang.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    else:  # nothing long enough to judge alone: the whole document decides
        doc_lang = detect(whole).lang if whole.strip() else None
    doc_script = min(by_script.items(), key=lambda kv: (-kv[1], kv[0]))[0] if by_script else None
    for p, r in zip(doc.passages, results, strict=True):
        p.lang = r.lang if r.reliable else (doc_lang or r.lang)
        p.script = r.script
    doc.lang, doc.script = doc_lang, doc_script
    return doc


def force(doc: Document, lang: str) -> Document:
    """Set one language on every passage and the document; scripts are still measured."""
    scripts: Counter[str] = Counter()
    for p in doc.passages:
        p.lang = lang
        p.script = detect_script(p.text)
        if p.script:
            scripts[p.script] += len(p.text)
    doc.lang = lang
    doc.script = min(scripts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if scripts else None
    return doc
