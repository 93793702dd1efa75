"""Entities stage (placeholder until the entity stage lands)."""

from __future__ import annotations

from .document import Document


def annotate_docs(docs: list[Document], *, english_model: str | None = None) -> list[Document]:
    return docs
