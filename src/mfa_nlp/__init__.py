"""mfa_nlp: a foreign ministry's press archive as structured, searchable knowledge.

>>> import mfa_nlp
>>> doc = mfa_nlp.analyze_text("The Ministry welcomed Germany's support for visa liberalisation.")
>>> doc.lang
'en'
"""

import logging

from ._version import __version__
from .batch import analyze_files
from .document import DUTIES, ENTITY_LABELS, Document, Entity, Passage
from .errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedPDFError,
    IngestError,
    LimitExceededError,
    MfaNlpError,
    MfaNlpWarning,
    ModelError,
    NoTextLayerError,
    UnsafeOutputError,
    UnsupportedFormatError,
)
from .export import load_records
from .ingest import Limits
from .notebook import to_dataframe
from .pipeline import Pipeline, analyze_file, analyze_text

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    """``mfa_nlp.events`` (the recognition ledger) is imported on first use: tagging does not need it."""
    if name == "events":
        import importlib

        return importlib.import_module(".events", __name__)
    raise AttributeError(f"module 'mfa_nlp' has no attribute {name!r}")

__all__ = [
    "DUTIES",
    "ENTITY_LABELS",
    "CorruptFileError",
    "Document",
    "EmptyDocumentError",
    "EncryptedPDFError",
    "Entity",
    "IngestError",
    "LimitExceededError",
    "Limits",
    "MfaNlpError",
    "MfaNlpWarning",
    "ModelError",
    "NoTextLayerError",
    "Passage",
    "Pipeline",
    "UnsafeOutputError",
    "UnsupportedFormatError",
    "__version__",
    "analyze_file",
    "analyze_files",
    "analyze_text",
    "events",
    "load_records",
    "to_dataframe",
]
