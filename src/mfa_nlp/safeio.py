"""Model files written and read safely: skops with a type audit, hash-checked against a card.

The duty model (:mod:`mfa_nlp.duties`) and the link scorer (:mod:`mfa_nlp.link`) ship the
same way: a ``.skops`` file plus a JSON card that records its sha256 and the scikit-learn
version. Writing audits the types in the file against the caller's trusted list and pins the
zip entries' dates, so the same model gives the same bytes. Reading checks the card, the hash,
the scikit-learn version and the types before anything is loaded, so a tampered or foreign file
(a pickle renamed ``.skops``) is refused without running any of its code. Errors carry the
caller's code prefix (``M`` for the duty model, ``L`` for the link scorer) and say how to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import MfaNlpError, ModelError


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_card(folder: Path, card_file: str, *files: str, code: str, what: str, rebuild: str) -> dict[str, Any]:
    """The card of a model folder, after checking that it and ``files`` exist (``{code}001``/``{code}002``)."""
    missing = [name for name in (card_file, *files) if not (folder / name).is_file()]
    if missing:
        raise ModelError(f"[{code}001] no {what} in {folder}: {', '.join(missing)} missing. {rebuild}")
    try:
        return json.loads((folder / card_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"[{code}002] {folder / card_file}: the card is not valid JSON ({exc}). {rebuild}") from exc


def check_hash(path: Path, expected: Any, *, code: str, rebuild: str) -> None:
    """Refuse a file whose sha256 is not the one its card records (``{code}003``)."""
    digest = file_sha256(path)
    if digest != expected:
        raise ModelError(
            f"[{code}003] {path}: sha256 {digest[:12]}… does not match the card ({str(expected)[:12]}…): "
            f"the file was modified or belongs to another card. Restore the shipped files. {rebuild}"
        )


def load_skops(path: Path, card: dict[str, Any], trusted: Sequence[str], *, code: str, rebuild: str) -> Any:
    """Load a skops file after the hash, scikit-learn version and type checks (``{code}003``-``{code}007``)."""
    import sklearn
    import skops.io as sio

    check_hash(path, card.get("sha256"), code=code, rebuild=rebuild)
    trained_with = card.get("versions", {}).get("scikit-learn", "")
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(
            f"[{code}004] {path} was trained with scikit-learn {trained_with}, but {sklearn.__version__} "
            f"is installed. Install scikit-learn=={trained_with}, or: {rebuild}"
        )
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a foreign file
        raise ModelError(f"[{code}005] {path} is not a skops model file ({type(exc).__name__}: {exc}).") from exc
    unexpected = sorted(set(untrusted) - set(trusted))
    if unexpected:
        raise ModelError(
            f"[{code}006] {path} contains types that are not trusted: {', '.join(unexpected)}. "
            "Refusing to load it; only load model files built with this library's train commands."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=getattr(sklearn.exceptions, "InconsistentVersionWarning", Warning))
            return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"[{code}007] {path} could not be loaded ({type(exc).__name__}: {exc}). {rebuild}") from exc


def dump_skops(model: Any, path: Path, trusted: Sequence[str]) -> None:
    """Write ``model`` to ``path`` with skops: types audited, zip dates pinned, renamed into place.

    Raises:
        MfaNlpError: the model holds a type outside ``trusted`` (nothing is written).
    """
    import skops.io as sio

    tmp = path.with_suffix(path.suffix + ".tmp")
    sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
    unexpected = sorted(set(sio.get_untrusted_types(file=tmp)) - set(trusted))
    if unexpected:
        tmp.unlink()
        raise MfaNlpError(f"{path.name}: the model holds untrusted types {unexpected}; review, then add them.")
    _pin_zip_times(tmp)
    tmp.replace(path)


#: skops names array files and shared objects by ``id()``, a memory address: 12 digits or more.
_OBJECT_ID = re.compile(rb"(?<![0-9.])[0-9]{12,}(?![0-9])")


def _pin_zip_times(path: Path) -> None:
    """Rewrite a skops zip so the same model gives the same bytes.

    Every entry is dated 1980-01-01, and the memory addresses skops uses to name array files
    and shared objects are renumbered in order of first appearance in ``schema.json``.
    """
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    schema = next((data for info, data in entries if info.filename == "schema.json"), b"")
    numbers: dict[bytes, bytes] = {}
    for m in _OBJECT_ID.finditer(schema):
        numbers.setdefault(m.group(0), str(len(numbers) + 1).encode())

    def renumber(name: str) -> str:
        stem, dot, ext = name.partition(".")
        return numbers.get(stem.encode(), stem.encode()).decode() + dot + ext

    with zipfile.ZipFile(path, "w") as dst:
        for info, data in sorted(entries, key=lambda e: renumber(e[0].filename)):
            if info.filename == "schema.json":
                data = _OBJECT_ID.sub(lambda m: numbers[m.group(0)], data)
            pinned = zipfile.ZipInfo(renumber(info.filename), date_time=(1980, 1, 1, 0, 0, 0))
            pinned.compress_type = info.compress_type
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, data)
