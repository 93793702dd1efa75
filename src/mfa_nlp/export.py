"""Writers for tagged records (JSONL, Parquet, Elasticsearch bulk), the record schema, and the reader."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .document import DUTIES, ENTITY_LABELS, Document
from .errors import OutputWriteError


def load_records(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Read a tagged JSONL file back into Documents without re-running the pipeline.

    >>> docs = list(load_records("out/samples.jsonl"))  # doctest: +SKIP
    """
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Document.from_dict(json.loads(line))


# --- schema and index template (shipped in resources/) ------------------------------------
def record_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a tagged record.

    >>> record_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    return json.loads(resources.files("mfa_nlp.resources").joinpath("record.schema.json").read_text("utf-8"))


def es_template(index_name: str = "mfa-statements") -> dict[str, Any]:
    """An Elasticsearch/OpenSearch index template for records (nested passages, folding analyzer).

    >>> es_template("press")["index_patterns"]
    ['press*']
    """
    template = json.loads(resources.files("mfa_nlp.resources").joinpath("es_template.json").read_text("utf-8"))
    template["index_patterns"] = [f"{index_name}*"]
    return template


# --- formats -----------------------------------------------------------------------------------
FORMATS: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "es-bulk", ".parquet": "parquet", ".json": "jsonl"}


def infer_format(output: str | os.PathLike[str]) -> str:
    """The output format from the file name (``.parquet`` -> parquet, ``.ndjson`` -> es-bulk, else jsonl)."""
    return FORMATS.get(Path(output).suffix.lower(), "jsonl")


def _truncate_torn_tail(path: Path) -> None:
    """Drop a partial last line (a run killed mid-write) so the file is valid JSONL again."""
    with path.open("r+b") as fh:
        end = fh.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            block = fh.read(step)
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = pos - step + nl + 1
                if keep != end:
                    fh.truncate(keep)
                return
            pos -= step
        fh.truncate(0)


#: How :meth:`Document.to_dict` starts a record: its id first, as this module writes it.
_ID_PREFIX = re.compile(r'\{"id": "([^"\\]*)", ')
_PIPELINE_KEY = ', "pipeline": '


def _head(line: str) -> tuple[str, dict[str, Any]] | None:
    """(id, pipeline) of a record line written by this library, read without parsing its passages.

    The id opens the line and ``"pipeline"`` follows the passages, so only the tail from that
    key on is parsed; None when the line does not have that shape (then it is parsed whole).
    """
    m = _ID_PREFIX.match(line)
    at = line.rfind(_PIPELINE_KEY)
    if m is None or at < 0:
        return None
    pipeline = _tail_pipeline(line[at + 2 :])
    return (m.group(1), pipeline) if pipeline is not None else None


@lru_cache(maxsize=256)
def _tail_pipeline(tail: str) -> dict[str, Any] | None:
    """The ``pipeline`` of a record's tail (``"pipeline": {...}...}``); records of one run share it, so parse it once.

    Callers only read the dict (it is shared between calls).
    """
    try:
        pipeline = json.loads("{" + tail).get("pipeline")
    except (json.JSONDecodeError, AttributeError):
        return None
    return pipeline if isinstance(pipeline, dict) else None


def _scan(path: Path) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield (id, pipeline, raw line) of every valid record line in a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            head = _head(line)
            if head is None:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if not isinstance(data, dict):
                    continue
                head = data.get("id", ""), data.get("pipeline") or {}
            yield head[0], head[1], line


class AppendFile:
    """An append-only UTF-8 file written with ``os.write``; a failed write is cut back to the last whole write.

    A full disk, a file-size limit or an I/O error can leave part of a write on disk: the
    file is truncated back to where it was, so it only ever holds whole lines, and the
    failure is raised as :class:`OutputWriteError`. :meth:`sync` makes what was written
    durable; if the fsync fails (a delayed write error), the file is cut back to what the
    previous sync made durable. :meth:`check` notices a file that was deleted or replaced
    under the run (e.g. its folder removed), which writes alone never do.
    """

    def __init__(self, path: str | os.PathLike[str], *, truncate: bool = False) -> None:
        self.path = Path(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | (os.O_TRUNC if truncate else 0)
        try:
            self.fd = os.open(self.path, flags, 0o644)
            st = os.fstat(self.fd)
        except OSError as exc:
            raise OutputWriteError(self.path, exc, "cannot open for writing") from exc
        self.size, self.ino = st.st_size, st.st_ino
        self.synced = self.size  # what was there before is taken as durable

    def write(self, text: str, *, durable: bool = False) -> None:
        """Append ``text``; with ``durable`` also :meth:`sync` before returning."""
        data = memoryview(text.encode("utf-8"))
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError as exc:
            self._cut(self.size)
            raise OutputWriteError(self.path, exc) from exc
        self.size = os.fstat(self.fd).st_size
        if durable:
            self.sync()

    def sync(self) -> None:
        """fsync what was written since the last sync; on failure cut the file back to the last durable size."""
        if self.synced == self.size:
            return
        try:
            os.fsync(self.fd)
        except OSError as exc:
            self._cut(self.synced)
            raise OutputWriteError(self.path, exc) from exc
        self.synced = self.size

    def _cut(self, size: int) -> None:
        try:
            os.ftruncate(self.fd, size)  # shrinking always works, even at a size limit
            self.size = size
        except OSError:
            pass  # the next run's torn-tail check drops what is left

    def check(self) -> None:
        """Raise :class:`OutputWriteError` if the file is no longer at its path (deleted, folder removed)."""
        try:
            ino = os.stat(self.path).st_ino
        except OSError as exc:
            raise OutputWriteError(self.path, exc, "the file vanished during the run") from exc
        if ino != self.ino:
            raise OutputWriteError(self.path, None, "the file was replaced by another during the run")

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class RecordStore:
    """Where a tag run's records go: an append-only JSONL checkpoint, then the final format.

    JSONL output *is* the checkpoint. For Parquet and ES bulk the checkpoint is
    ``OUT.records.jsonl`` beside the output (kept for the next incremental run); at the end it
    is converted to a temporary file that is renamed over the output, so a killed run
    never leaves a half-written Parquet file. ``done`` holds the ids already tagged by
    ``pipeline``; records of another pipeline are replaced at the end (atomic rewrite).

    The manifest ``CHECKPOINT.files`` remembers each tagged file's size, mtime and inode. A run
    that ends with every record of one pipeline seals it: its last line records the checkpoint's
    own size, mtime and inode, that pipeline, and the converted outputs. The next run finds
    the seal intact (nothing has touched the checkpoint since) and trusts the manifest without
    reading the checkpoint; ``done`` is then read only if a file turns out new or changed.
    A Parquet or ES bulk output that the seal vouches for is not converted again when the
    run added nothing.
    """

    def __init__(
        self, output: str | os.PathLike[str], *, fmt: str, pipeline: dict[str, Any], index_name: str = "mfa-statements"
    ) -> None:
        self.output = Path(output)
        self.fmt = fmt
        self.index_name = index_name
        self.pipeline = dict(pipeline)
        self.checkpoint = self.output if fmt == "jsonl" else self.output.with_name(self.output.name + ".records.jsonl")
        self.manifest = self.checkpoint.with_name(self.checkpoint.name + ".files")
        self._done: set[str] | None = set()  # None: sealed, not read yet (see :attr:`done`)
        #: source path -> (size, mtime_ns, inode, id) of the files already tagged (see :meth:`known`)
        self.files: dict[str, tuple[int, int, int, str]] = {}
        self.stale = 0
        self._seal: dict[str, Any] | None = None  # the manifest's seal, if it holds for this checkpoint
        self._fh: AppendFile | None = None
        self._files_fh: AppendFile | None = None

    @property
    def done(self) -> set[str]:
        """Ids of the records in the checkpoint written by ``pipeline`` (read on first use when sealed)."""
        if self._done is None:
            self._done = self._read_checkpoint(whole=True)  # the seal held: it ends with a whole line
        return self._done

    def default_errors_path(self) -> Path:
        """``OUT.errors.jsonl`` beside the output."""
        stem = self.output.name[: -len(self.output.suffix)] if self.output.suffix else self.output.name
        return self.output.with_name(stem + ".errors.jsonl")

    def __enter__(self) -> RecordStore:
        try:
            self._open()
        except OutputWriteError:
            self._close()
            raise
        except OSError as exc:
            self._close()
            raise OutputWriteError(self.checkpoint, exc, "cannot open") from exc
        return self

    def _close(self) -> None:
        for fh in (self._fh, self._files_fh):
            if fh is not None:
                fh.close()

    def _open(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        seal = self._read_manifest()
        here = _file_key(self.checkpoint)
        if here is not None and seal and seal.get("checkpoint") == here and seal.get("pipeline") == self.pipeline:
            self._seal, self._done = seal, None
        elif here is not None:
            self._done = self._read_checkpoint()
        self._fh = AppendFile(self.checkpoint)
        self._files_fh = AppendFile(self.manifest)

    def _read_checkpoint(self, *, whole: bool = False) -> set[str]:
        """Ids of this pipeline's records in the checkpoint; the others are counted in :attr:`stale`."""
        if not whole:
            _truncate_torn_tail(self.checkpoint)
        done: set[str] = set()
        for doc_id, pipe, _ in _scan(self.checkpoint):
            if pipe == self.pipeline:
                done.add(doc_id)
            else:
                self.stale += 1
        return done

    def _read_manifest(self) -> dict[str, Any] | None:
        """Fill :attr:`files` from the manifest; return its seal (its last line), if it ends with one."""
        self._manifest_lines = 0
        if not self.manifest.exists():
            return None
        _truncate_torn_tail(self.manifest)
        lines = self.manifest.read_text(encoding="utf-8").splitlines()
        self._manifest_lines = len(lines)
        try:  # one parse for the whole file; line by line only if a line is damaged
            rows = json.loads("[" + ",".join(line for line in lines if line.strip()) + "]")
        except ValueError:
            rows = []
            for line in lines:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue  # a damaged line only costs that file a hash
        for row in rows:
            try:
                source, size, mtime, ino, doc_id = row
                self.files[source] = (int(size), int(mtime), int(ino), str(doc_id))
            except (ValueError, TypeError):
                continue
        last = rows[-1] if rows else None
        return last["sealed"] if isinstance(last, dict) and isinstance(last.get("sealed"), dict) else None

    def known(self, source: str, stat: os.stat_result) -> str | None:
        """The id of ``source`` if it was tagged by this pipeline and its size, mtime and inode are unchanged.

        This lets a rerun skip an unchanged file without reading it; ``tag --verify`` hashes instead.
        """
        seen = self.files.get(source)
        if seen and seen[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            if self._done is None or seen[3] in self._done:  # sealed: every id in the manifest is done
                return seen[3]
        return None

    def remember(self, entries: list[tuple[str, os.stat_result, str]]) -> None:
        """Record (source, stat, id) of files whose records are durable (or were already there)."""
        lines = []
        for source, st, doc_id in entries:
            row = (st.st_size, st.st_mtime_ns, st.st_ino, doc_id)
            if self.files.get(source) != row:
                self.files[source] = row
                lines.append(json.dumps([source, *row], ensure_ascii=False) + "\n")
        if lines:
            self._files_fh.write("".join(lines))
            self._manifest_lines += len(lines)
            self._seal = None  # the manifest no longer ends with it

    def append(self, records: list[dict[str, Any]], *, durable: bool = True) -> None:
        """Append records; with ``durable`` (the default) also make them durable (fsync) before returning.

        Without it the records are written (a killed process keeps them) and :meth:`sync` makes
        them durable later, so that one fsync serves many appends. Raises :class:`OutputWriteError`
        if they cannot be written or the file vanished; the file then still ends with a whole line.
        """
        if not records:
            return
        done = self.done  # read the checkpoint before it grows
        self._seal = None
        self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), durable=durable)
        self._fh.check()
        done.update(r["id"] for r in records)

    def sync(self) -> None:
        """Make every appended record durable (fsync); see :meth:`AppendFile.sync`."""
        if self._fh is not None:
            self._fh.sync()

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self._close()
        if self._manifest_lines > 2 * len(self.files) + 64:  # mostly superseded lines: rewrite it
            tmp = _atomic_target(self.manifest)
            try:
                tmp.write_text(
                    "".join(json.dumps([s, *row], ensure_ascii=False) + "\n" for s, row in self.files.items()),
                    encoding="utf-8",
                )
                os.replace(tmp, self.manifest)
                self._seal = None
            except OSError:  # only a cache: the appended manifest stays valid
                tmp.unlink(missing_ok=True)
        if exc_type is not None:
            return
        target = self.checkpoint
        try:
            if self.stale:
                self.stale = self._compact()
            target = self.output
            if self._seal is None or self._outputs() != self._seal.get("outputs"):
                if self.fmt == "parquet":
                    write_parquet(self.checkpoint, self.output)
                elif self.fmt == "es-bulk":
                    write_es_bulk(self.checkpoint, self.output, index_name=self.index_name)
                self._write_seal()
        except OSError as exc:
            self._remove_temporaries()
            if isinstance(exc, OutputWriteError):
                raise
            raise OutputWriteError(target, exc) from exc

    def _outputs(self) -> dict[str, Any]:
        """What the seal says of the converted outputs: their format, index name and (size, mtime, inode)."""
        if self.fmt == "parquet":
            return {"parquet": [_file_key(self.output), _file_key(documents_parquet_path(self.output))]}
        if self.fmt == "es-bulk":
            return {"es-bulk": [_file_key(self.output)], "index": self.index_name}
        return {}

    def _write_seal(self) -> None:
        """End the manifest with a seal if the checkpoint holds only this pipeline's records, all of them listed."""
        if self.stale or not self.checkpoint.exists():
            return
        # Still sealed and unread (only the outputs changed): the manifest is as the old seal vouched for it.
        if self._done is not None and any(row[3] not in self._done for row in self.files.values()):
            return  # a listed file's record is gone or of another pipeline: the next run must read the checkpoint
        seal = {"checkpoint": _file_key(self.checkpoint), "pipeline": self.pipeline, "outputs": self._outputs()}
        try:
            with self.manifest.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"sealed": seal}, ensure_ascii=False) + "\n")
        except OSError:
            pass  # only a cache: without a seal the next run reads the checkpoint

    def _remove_temporaries(self) -> None:
        try:
            for tmp in self.output.parent.glob(f".*.{os.getpid()}.tmp"):
                tmp.unlink(missing_ok=True)
            self.checkpoint.with_name(self.checkpoint.name + ".tmp").unlink(missing_ok=True)
        except OSError:
            pass  # the folder itself is gone or read-only: nothing of ours is left in it

    def _compact(self) -> int:
        """Drop records of an older pipeline whose document was re-tagged, and duplicates.

        Returns how many records of an older pipeline are left.
        """
        tmp = self.checkpoint.with_name(self.checkpoint.name + ".tmp")
        kept: set[str] = set()
        older = 0
        with tmp.open("w", encoding="utf-8") as out:
            for doc_id, pipe, line in _scan(self.checkpoint):
                current = pipe == self.pipeline
                if (not current and doc_id in self.done) or (current and doc_id in kept):
                    continue
                if current:
                    kept.add(doc_id)
                else:
                    older += 1
                out.write(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.checkpoint)
        return older


def _file_key(path: Path) -> list[int] | None:
    """[size, mtime_ns, inode] of a file as JSON keeps it, or None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _atomic_target(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_es_bulk(records: str | os.PathLike[str], output: str | os.PathLike[str], *, index_name: str) -> Path:
    """Write a JSONL file of records as Elasticsearch/OpenSearch bulk NDJSON (action + document pairs).

    >>> write_es_bulk("out/samples.jsonl", "out/samples.ndjson", index_name="mfa")  # doctest: +SKIP
    """
    out = Path(output)
    tmp = _atomic_target(out)
    with Path(records).open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            record = json.loads(line)
            dst.write(json.dumps({"index": {"_index": index_name, "_id": record["id"]}}) + "\n")
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return out


def documents_parquet_path(output: str | os.PathLike[str]) -> Path:
    """``OUT.documents.parquet`` beside the passages table ``OUT.parquet``."""
    out = Path(output)
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(stem + ".documents.parquet")


def _parquet_schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    strings = pa.list_(pa.string())
    common = [
        ("source", pa.string()),
        ("format", pa.string()),
        ("title", pa.string()),
        ("date", pa.string()),
        ("place", pa.string()),
    ]
    entity_cols = [(f"entities_{label}", strings) for label in ENTITY_LABELS]
    pipe = [("pipeline_version", pa.string()), ("pipeline_model", pa.string())]
    passages = pa.schema(
        [("doc_id", pa.string()), *common, ("doc_lang", pa.string()), ("passage_index", pa.int32()),
         ("text", pa.string()), ("lang", pa.string()), ("script", pa.string()), ("kind", pa.string()),
         ("duties", strings), *((f"score_{d}", pa.float64()) for d in DUTIES), *entity_cols, *pipe]
    )  # fmt: skip
    documents = pa.schema(
        [("id", pa.string()), *common, ("lang", pa.string()), ("script", pa.string()), ("passages", pa.int32()),
         ("duties", strings), *entity_cols, *pipe, ("ocr", pa.bool_()), ("ocr_pages", pa.list_(pa.int32())),
         ("ocr_confidence", pa.float64()), ("statement_id", pa.string())]
    )  # fmt: skip
    return passages, documents


def _passage_rows(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    pipe = record.get("pipeline") or {}
    for p in record["passages"]:
        ents: dict[str, set[str]] = {label: set() for label in ENTITY_LABELS}
        for e in p.get("entities") or []:
            if e.get("id") is not None:
                ents.setdefault(e["label"], set()).add(e["id"])
        row = {
            "doc_id": record["id"], "source": record["source"], "format": record["format"],
            "title": record.get("title"), "date": record.get("date"), "place": record.get("place"),
            "doc_lang": record.get("lang"), "passage_index": p["index"], "text": p["text"], "lang": p.get("lang"),
            "script": p.get("script"), "kind": p.get("kind"), "duties": list(p.get("duties") or []),
            "pipeline_version": pipe.get("version"), "pipeline_model": pipe.get("model"),
        }  # fmt: skip
        scores = p.get("scores") or {}
        row.update({f"score_{d}": scores.get(d) for d in DUTIES})
        row.update({f"entities_{label}": sorted(ents.get(label, ())) for label in ENTITY_LABELS})
        yield row


def _document_row(record: dict[str, Any]) -> dict[str, Any]:
    pipe = record.get("pipeline") or {}
    ents = record.get("entities") or {}
    row = {k: record.get(k) for k in ("id", "source", "format", "title", "date", "place", "lang", "script")}
    row.update(passages=len(record["passages"]), duties=list(record.get("duties") or []))
    row.update({f"entities_{label}": list(ents.get(label) or []) for label in ENTITY_LABELS})
    row.update(pipeline_version=pipe.get("version"), pipeline_model=pipe.get("model"))
    row.update(
        ocr=bool(record.get("ocr")),
        ocr_pages=list(record.get("ocr_pages") or []),
        ocr_confidence=record.get("ocr_confidence"),
    )
    row["statement_id"] = record.get("statement_id")
    return row


def write_parquet(records: str | os.PathLike[str], output: str | os.PathLike[str], *, batch: int = 2000) -> Path:
    """Write a JSONL file of records as two Parquet tables, streamed in batches.

    ``OUT.parquet`` holds one row per passage with its document's columns (scores as
    ``score_<duty>``, entity ids as ``entities_<LABEL>`` lists); ``OUT.documents.parquet``
    one row per document. Both are written to temporary files and renamed at the end.

    >>> write_parquet("out/samples.jsonl", "out/samples.parquet")  # doctest: +SKIP
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(output)
    docs_out = documents_parquet_path(out)
    p_schema, d_schema = _parquet_schemas()
    p_tmp, d_tmp = _atomic_target(out), _atomic_target(docs_out)
    with pq.ParquetWriter(p_tmp, p_schema) as pw, pq.ParquetWriter(d_tmp, d_schema) as dw:
        p_rows: list[dict[str, Any]] = []
        d_rows: list[dict[str, Any]] = []
        for record in _iter_json(records):
            p_rows.extend(_passage_rows(record))
            d_rows.append(_document_row(record))
            if len(p_rows) >= batch:
                pw.write_table(pa.Table.from_pylist(p_rows, schema=p_schema))
                p_rows = []
            if len(d_rows) >= batch:
                dw.write_table(pa.Table.from_pylist(d_rows, schema=d_schema))
                d_rows = []
        pw.write_table(pa.Table.from_pylist(p_rows, schema=p_schema))
        dw.write_table(pa.Table.from_pylist(d_rows, schema=d_schema))
    os.replace(d_tmp, docs_out)
    os.replace(p_tmp, out)
    return out


def _iter_json(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
