"""Duty classifier (placeholder until the duty stage lands)."""

from __future__ import annotations

from pathlib import Path

from .document import Document


class DutyClassifier:
    model_id = None

    @classmethod
    def load(cls, model_dir: Path | None = None) -> "DutyClassifier":
        return cls()

    def annotate_docs(self, docs: list[Document]) -> list[Document]:
        return docs
