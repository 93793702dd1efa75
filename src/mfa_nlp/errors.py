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
    ├── OutputLockedError            another run is writing the same output (or index)
    ├── OutputWriteError             the output cannot be written: disk full, read-only, vanished
    ├── IndexDatabaseError           the --db file is not an mfa-nlp index, damaged or of another schema
    ├── QueryError                   a search query that cannot be run (e.g. far too long)
    ├── RecordError                  a tagged JSONL file is missing or a line is not a record
    ├── OutputFormatError            an output name or --format the writer does not know
    └── ModelError                   a model or pipeline file is missing, tampered or incompatible

Every message names the file, the reason and what to do. The library raises; only
the batch layer catches per document and writes an error row.
"""

from __future__ import annotations

import errno
import os


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


class OutputLockedError(MfaNlpError, RuntimeError):
    """Another process holds the lock on an output or index (the CLI exits with code 2)."""


_WRITE_HINTS = {
    errno.ENOSPC: "the disk is full: free space, then rerun",
    errno.EFBIG: "the file hit a size limit (disk quota or ulimit -f): free space or raise the limit, then rerun",
    errno.EDQUOT: "the disk quota is used up: free space, then rerun",
    errno.EROFS: "the file system is read-only: choose another -o, then rerun",
    errno.EACCES: "the folder is not writable: fix its permissions or choose another -o, then rerun",
    errno.EPERM: "the folder is not writable: fix its permissions or choose another -o, then rerun",
    errno.ENOENT: "the output folder vanished during the run: rerun to write it again",
}


class OutputWriteError(MfaNlpError, OSError):
    """An output could not be written (disk full, read-only or vanished folder); the CLI exits with code 2.

    The message names the file, the system's reason and what to do; what was written
    before the failure is left valid (whole lines only) and a rerun completes it.
    """

    def __init__(self, path: str | os.PathLike[str], exc: BaseException | None, action: str = "cannot write") -> None:
        self.path = str(path)
        code = getattr(exc, "errno", None)
        reason = getattr(exc, "strerror", None) or (str(exc) if exc else "")
        hint = _WRITE_HINTS.get(code or 0, "check the output folder, then rerun")
        super().__init__(f"{self.path}: {action}: {reason} ({hint}; the records written so far are kept)")


class IndexDatabaseError(MfaNlpError, ValueError):
    """The ``--db`` file is not an mfa-nlp index, is damaged, or has another schema version."""


class QueryError(MfaNlpError, ValueError):
    """A search query that cannot be run as given."""
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
    "IndexDatabaseError",
    "IngestError",
    "LimitExceededError",
    "MfaNlpError",
    "MfaNlpWarning",
    "ModelError",
    "NoTextLayerError",
    "OcrUnavailableError",
    "OutputFormatError",
    "OutputLockedError",
    "OutputWriteError",
    "QueryError",
    "RecordError",
    "UnsafeOutputError",
    "UnsupportedFormatError",
]
