"""The data that leaves the library: Document, Passage and Entity.

Plain dataclasses with ``to_dict``/``from_dict`` in the shape fixed by the record
format (``shared/spec/record.md``). No spaCy objects live here, so JSONL, Parquet
and notebooks work without spaCy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The seven duties, in the classifier's ``classes_`` order.
DUTIES: tuple[str, ...] = (
    "sovereignty",
    "recognition",
    "eu_integration",
    "nato_security",
    "regional_dialogue",
    "strategic_partners",
    "global_agenda",
)

#: Entity labels, in the order of a document's ``entities`` dict.
ENTITY_LABELS: tuple[str, ...] = ("STATE", "ORG", "VALUE")

#: Input formats a Document can come from.
FORMATS: tuple[str, ...] = ("html", "pdf", "txt", "image")


def content_id(data: bytes) -> str:
    """Return the stable id of a document: the SHA-256 of its bytes.

    >>> content_id(b"abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(data).hexdigest()


#: Behaviour that lives in upper layers (the duty model explains, the notebook module renders HTML).
#: They register themselves here, so these data classes import nothing above them.
_HOOKS: dict[str, Callable[..., Any]] = {}
#: The module that registers each hook, imported on first use when nobody has yet.
_HOOK_MODULES = {"explain": "mfa_nlp.duties", "passage_html": "mfa_nlp.notebook", "document_html": "mfa_nlp.notebook"}


def register_hook(name: str, fn: Callable[..., Any]) -> None:
    """Let an upper layer provide ``explain``, ``passage_html`` or ``document_html``."""
    if name not in _HOOK_MODULES:
        raise ValueError(f"unknown hook {name!r}; expected one of {sorted(_HOOK_MODULES)}")
    _HOOKS[name] = fn


def _hook(name: str) -> Callable[..., Any]:
    if name not in _HOOKS:
        import importlib

        importlib.import_module(_HOOK_MODULES[name])  # registers on import
    return _HOOKS[name]


@dataclass
class Entity:
    """A named state, organisation or political value inside one passage.

    ``start``/``end`` are character offsets into the passage text, so
    ``passage.text[entity.start:entity.end] == entity.text``.
    """

    text: str
    label: str
    id: str | None
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "label": self.label, "id": self.id, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            text=data["text"], label=data["label"], id=data.get("id"), start=int(data["start"]), end=int(data["end"])
        )


@dataclass
class Passage:
    """One paragraph, heading or list item of a document, in reading order.

    ``kind`` is ``"paragraph"``, ``"heading"`` or ``"list_item"`` (an added field;
    record.md allows additions).
    """

    index: int
    text: str
    lang: str | None = None
    script: str | None = None
    entities: list[Entity] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    kind: str = "paragraph"

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "lang": self.lang,
            "script": self.script,
            "entities": [e.to_dict() for e in self.entities],
            "duties": list(self.duties),
            "scores": dict(self.scores),
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(
            index=int(data["index"]),
            text=data["text"],
            lang=data.get("lang"),
            script=data.get("script"),
            entities=[Entity.from_dict(e) for e in data.get("entities") or []],
            duties=list(data.get("duties") or []),
            scores={k: float(v) for k, v in (data.get("scores") or {}).items()},
            kind=data.get("kind") or "paragraph",
        )

    @property
    def words(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())

    def explain(self, *, top: int = 8) -> dict[str, list[Any]]:
        """Why each duty was given: per duty, the features that pushed its score most.

        Uses the shipped duty model (loaded once). Returns ``{duty: [Reason(feature, weight), ...]}``.
        """
        return _hook("explain")(self, top=top)

    def _repr_html_(self) -> str:
        return _hook("passage_html")(self)


@dataclass
class Document:
    """One input statement: metadata plus passages in reading order.

    ``ocr`` is True when some text came from OCR; ``ocr_pages`` lists those pages (1-based)
    and ``ocr_confidence`` is Tesseract's mean word confidence over them (0-100).

    >>> doc = Document(id="x", source="a.txt", format="txt", passages=[Passage(0, "Hello.")])
    >>> doc.to_dict()["passages"][0]["text"]
    'Hello.'
    """

    id: str
    source: str
    format: str
    title: str | None = None
    date: str | None = None
    place: str | None = None
    lang: str | None = None
    script: str | None = None
    passages: list[Passage] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=lambda: {label: [] for label in ENTITY_LABELS})
    duties: list[str] = field(default_factory=list)
    pipeline: dict[str, Any] = field(default_factory=dict)
    ocr: bool = False
    ocr_pages: list[int] = field(default_factory=list)
    ocr_confidence: float | None = None
    #: Shared by the versions of one statement (set by ``mfa-nlp link``; None before linking).
    statement_id: str | None = None
    #: The other versions of the statement, each with its score and evidence (``mfa_nlp.link``).
    links: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All passages joined by blank lines."""
        return "\n\n".join(p.text for p in self.passages)

    def explain(self, *, top: int = 8) -> dict[int, dict[str, list[Any]]]:
        """:meth:`Passage.explain` for every passage that has a duty, keyed by passage index."""
        return {p.index: p.explain(top=top) for p in self.passages if p.duties}

    def _repr_html_(self) -> str:
        return _hook("document_html")(self)

    def collect(self) -> None:
        """Recompute the document-level ``entities`` and ``duties`` from the passages.

        Document entities are the sorted unique ids per label (spans with no id are
        left out); document duties are the duties of any passage, in DUTIES order.
        """
        ids: dict[str, set[str]] = {label: set() for label in ENTITY_LABELS}
        for passage in self.passages:
            for ent in passage.entities:
                if ent.id is not None:
                    ids.setdefault(ent.label, set()).add(ent.id)
        self.entities = {label: sorted(values) for label, values in ids.items()}
        present = {d for p in self.passages for d in p.duties}
        self.duties = [d for d in DUTIES if d in present] + sorted(present - set(DUTIES))

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "source": self.source,
            "format": self.format,
            "title": self.title,
            "date": self.date,
            "place": self.place,
            "lang": self.lang,
            "script": self.script,
            "passages": [p.to_dict() for p in self.passages],
            "entities": {k: list(v) for k, v in self.entities.items()},
            "duties": list(self.duties),
            "pipeline": dict(self.pipeline),
            "ocr": self.ocr,
            "ocr_pages": list(self.ocr_pages),
            "ocr_confidence": self.ocr_confidence,
        }
        if self.statement_id is not None:
            data["statement_id"] = self.statement_id
            data["links"] = [dict(link) for link in self.links]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        entities = {label: [] for label in ENTITY_LABELS}
        entities.update({k: list(v) for k, v in (data.get("entities") or {}).items()})
        return cls(
            id=data["id"],
            source=data["source"],
            format=data["format"],
            title=data.get("title"),
            date=data.get("date"),
            place=data.get("place"),
            lang=data.get("lang"),
            script=data.get("script"),
            passages=[Passage.from_dict(p) for p in data.get("passages") or []],
            entities=entities,
            duties=list(data.get("duties") or []),
            pipeline=dict(data.get("pipeline") or {}),
            ocr=bool(data.get("ocr")),
            ocr_pages=[int(n) for n in data.get("ocr_pages") or []],
            ocr_confidence=data.get("ocr_confidence"),
            statement_id=data.get("statement_id"),
            links=list(data.get("links") or []),
        )
