"""Language and script per passage and per document (placeholder until the language stage lands)."""

from __future__ import annotations

from .document import Document


def annotate(doc: Document) -> Document:
    """Set ``lang``/``script`` on every passage and on the document."""
    for p in doc.passages:
        p.lang, p.script = None, None
    return doc


def force(doc: Document, lang: str) -> Document:
    """Set one language on every passage and the document."""
    for p in doc.passages:
        p.lang = lang
    doc.lang = lang
    return doc
