"""Entity stage: states, organisations and political values with canonical ids.

``annotate_docs`` runs one cached spaCy pipeline per passage language (see :mod:`.nlp`) and
fills ``Passage.entities``; ``get_nlp`` gives the pipeline itself (for displacy).
"""

from __future__ import annotations

from collections import defaultdict

from ..document import Document, Entity, Passage
from .nlp import LABELS, get_nlp

__all__ = ["LABELS", "annotate_docs", "annotate_texts", "get_nlp", "lang_key"]

_BATCH = 256


def lang_key(lang: str | None) -> str:
    """The pipeline a passage language uses: ``en``, ``sq``, ``sr``, else ``xx`` (English rules)."""
    return lang if lang in ("en", "sq", "sr") else "xx"


def annotate_texts(texts: list[str], lang: str | None, *, english_model: str | None = None) -> list[list[Entity]]:
    """Entities of each text, all in one language.

    >>> [e.id for e in annotate_texts(["Kosova dhe BE-ja"], "sq")[0]]
    ['XKX', 'EU']
    """
    nlp = get_nlp(lang_key(lang), english_model)
    out = []
    for doc in nlp.pipe(texts, batch_size=_BATCH):
        out.append(
            [
                Entity(text=e.text, label=e.label_, id=e.ent_id_ or None, start=e.start_char, end=e.end_char)
                for e in doc.ents
            ]
        )
    return out


def annotate_docs(docs: list[Document], *, english_model: str | None = None) -> list[Document]:
    """Fill ``entities`` of every passage (and the document lists) in place; return the documents.

    Passages are grouped by language and run through ``nlp.pipe`` in batches.

    >>> from mfa_nlp.document import Passage
    >>> doc = Document(id="x", source="<text>", format="txt", passages=[Passage(0, "NATO and Georgia.", lang="en")])
    >>> annotate_docs([doc])[0].entities["STATE"]
    ['GEO']
    """
    groups: dict[str, list[Passage]] = defaultdict(list)
    for doc in docs:
        for passage in doc.passages:
            groups[lang_key(passage.lang or doc.lang)].append(passage)
    for lang, passages in groups.items():
        for passage, ents in zip(
            passages, annotate_texts([p.text for p in passages], lang, english_model=english_model), strict=True
        ):
            passage.entities = ents
    for doc in docs:
        doc.collect()
    return docs
