"""Exceptions raised by mfa_nlp, and the warning category for recoverable oddities.

Hierarchy::

    MfaNlpError                      root: catch this to catch everything we raise
    ├── IngestError                  a file could not be turned into a Document
    │   ├── UnsupportedFormatError   not .html/.htm/.pdf/.txt or an image, or content of another kind
    │   ├── CorruptFileError         damaged or not what its name says (e.g. not a PDF)
    │   ├── EncryptedPDFError        password-protected PDF
    │   ├── NoTextLayerError         a scan without text, and OCR is off (--ocr never) or found nothing
    │   │   └── OcrUnavailableError  OCR is needed but Tesseract or a language pack is not installed
    │   ├── EmptyDocumentError       no text found at all
    │   └── LimitExceededError       larger / longer / slower than the configured limits
    ├── UnsafeOutputError            an output path would overwrite an input
    ├── RecordError                  a tagged JSONL file is missing or a line is not a record
    ├── OutputFormatError            an output name or --format the writer does not know
    └── ModelError                   a model or pipeline file is missing, tampered or incompatible

Every message names the file, the reason and what to do. The library raises; only
the batch layer catches per document and writes an error row.
"""

from __future__ import annotations


class MfaNlpError(Exception):
    """Root of all mfa_nlp errors."""


class MfaNlpWarning(UserWarning):
    """Recoverable oddity (e.g. no statistical English pipeline installed)."""


class IngestError(MfaNlpError, ValueError):
    """A file could not be read into a Document.

    Args:
        source: the path (or ``<text>``) of the input.
        reason: what is wrong with it.
        hint: what the user can do about it.
    """

    default_hint = "check the file, or skip it; the rest of the batch goes on"

    def __init__(self, source: str, reason: str, hint: str | None = None) -> None:
        self.source = str(source)
        self.reason = reason
        self.hint = hint or self.default_hint
        super().__init__(f"{self.source}: {reason} ({self.hint})")


class UnsupportedFormatError(IngestError):
    default_hint = "give an .html, .htm, .pdf, .txt, .png, .jpg or .tif file"


class CorruptFileError(IngestError):
    default_hint = "the file is damaged or not what its extension says; re-export or re-download it"


class EncryptedPDFError(IngestError):
    default_hint = "remove the password (e.g. qpdf --decrypt) and tag the decrypted copy"


class NoTextLayerError(IngestError):
    default_hint = "the file is a scan with no text layer; tag it with --ocr auto (needs Tesseract)"


class OcrUnavailableError(NoTextLayerError):
    default_hint = (
        "install Tesseract: apt-get install tesseract-ocr tesseract-ocr-sqi tesseract-ocr-srp "
        "tesseract-ocr-srp-latn tesseract-ocr-eng"
    )


class EmptyDocumentError(IngestError):
    default_hint = "the file has no readable text; check that it is the right file"


class LimitExceededError(IngestError):
    default_hint = "raise the limit (see --max-bytes / --max-pages / --timeout) if the file is genuine"


class UnsafeOutputError(MfaNlpError, ValueError):
    """An output path would overwrite an input (a usage error: the CLI exits with code 2)."""


class RecordError(MfaNlpError, ValueError):
    """A tagged JSONL file is missing, or one of its lines is not a tagged record."""


class OutputFormatError(MfaNlpError, ValueError):
    """An output file name or format that the writer does not know (a usage error: exit code 2)."""


class ModelError(MfaNlpError, RuntimeError):
    """A model file is missing, tampered with or incompatible."""


__all__ = [
    "CorruptFileError",
    "EmptyDocumentError",
    "EncryptedPDFError",
    "IngestError",
    "LimitExceededError",
    "MfaNlpError",
    "MfaNlpWarning",
    "ModelError",
    "NoTextLayerError",
    "OcrUnavailableError",
    "OutputFormatError",
    "RecordError",
    "UnsafeOutputError",
    "UnsupportedFormatError",
]
