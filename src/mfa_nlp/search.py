"""The embedded search index: tagged records -> SQLite FTS5 with facet tables, and ranked search.

Tables: ``documents`` (one row per record, keyed by id with its pipeline version),
``passages`` (text and metadata), ``passages_fts`` (FTS5 over the passage text and
a Latin transliteration of Cyrillic text, tokenizer ``unicode61 remove_diacritics 2``
so that "Kosoves" finds "Kosovës" and "Kosovo" finds "Косово"), and the facets
``passage_duty`` and ``document_entity``. ``documents.statement_id`` (from ``mfa-nlp link``) groups
the versions of one statement; an index built before it existed (schema 1) gets the column
when it is next opened for indexing, and ``search`` refuses it with the command that upgrades it.

Concurrency: the database is in WAL mode, so a ``search`` reads the last committed state
while an ``index`` run writes (it commits every few hundred records); one ``index`` at a
time holds the sidecar lock ``DB.lock`` (:mod:`mfa_nlp.lock`), and any other writer waits
up to :data:`BUSY_TIMEOUT` seconds for SQLite's own lock. The schema version is kept in
``PRAGMA user_version``: an index from an older release is upgraded in place when its
tables allow it, and refused with what to do when they do not.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import IndexDatabaseError, QueryError
from .translit import to_latin

if TYPE_CHECKING:
    import pandas as pd

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, version TEXT, model TEXT, source TEXT, format TEXT, title TEXT,
    date TEXT, place TEXT, lang TEXT, duties TEXT, entities TEXT, statement_id TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER, text TEXT, lang TEXT,
    script TEXT, duties TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, latin, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS passage_duty (passage INTEGER, duty TEXT, score REAL);
CREATE TABLE IF NOT EXISTS passage_entity (passage INTEGER, label TEXT, id TEXT);
CREATE TABLE IF NOT EXISTS document_entity (doc_id TEXT, label TEXT, id TEXT);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id);
CREATE INDEX IF NOT EXISTS passages_lang ON passages (lang);
CREATE INDEX IF NOT EXISTS documents_date ON documents (date);
CREATE INDEX IF NOT EXISTS passage_duty_idx ON passage_duty (duty, passage);
CREATE INDEX IF NOT EXISTS passage_entity_idx ON passage_entity (label, id, passage);
CREATE INDEX IF NOT EXISTS document_entity_idx ON document_entity (label, id, doc_id);
CREATE INDEX IF NOT EXISTS document_entity_doc ON document_entity (doc_id);
"""
#: Index schema version (``PRAGMA user_version``): 1 = before statement_id, 2 = with it.
SCHEMA_VERSION = 2



log = logging.getLogger(__name__)

#: Seconds a connection waits for another writer's lock before giving up.
BUSY_TIMEOUT = 30.0
#: The columns each table must have; an index missing one cannot be upgraded in place
#: (``documents.statement_id`` can: it is added when a schema-1 index is next opened for indexing).
_COLUMNS: dict[str, set[str]] = {
    "documents": {"id", "version", "model", "source", "format", "title", "date", "place", "lang", "duties", "entities"},
    "passages": {"rowid", "doc_id", "idx", "text", "lang", "script", "duties"},
    "passages_fts": {"text", "latin"},
}
#: Longest query accepted: far above any real search, far below what would slow FTS5 down.
MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64


def connect(db: str | os.PathLike[str], *, readonly: bool = False) -> sqlite3.Connection:
    """Open an index database (created if needed unless ``readonly``), checking its schema.

    Raises :class:`IndexDatabaseError` for a file that is not SQLite, not an mfa-nlp index,
    damaged, or of a schema this release cannot read or upgrade.
    """
    path = Path(db)
    try:
        if readonly:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        else:
            con = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
    except sqlite3.Error as exc:
        raise _db_error(path, exc) from exc
    try:
        _check_schema(con, path, writable=not readonly)
    except sqlite3.Error as exc:
        con.close()
        raise _db_error(path, exc) from exc
    except BaseException:
        con.close()
        raise
    return con


def _db_error(path: Path, exc: BaseException) -> IndexDatabaseError:
    """A clear message for what SQLite said about ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return IndexDatabaseError(
            f"{path}: another process has been writing the index for over {BUSY_TIMEOUT:g} s ({text}); try again"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return IndexDatabaseError(
            f"{path}: not a readable SQLite index ({text}); give the path of an index built by `mfa-nlp index`, "
            f"or delete the file and build it again with `mfa-nlp index RECORDS --db {path}`"
        )
    return IndexDatabaseError(f"{path}: cannot use the index ({text}); check the file and its folder")


def _check_schema(con: sqlite3.Connection, path: Path, *, writable: bool) -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]  # fails on a file that is not SQLite
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
    if not tables:
        if not writable:
            raise IndexDatabaseError(f"{path}: an empty database, not an index; build it with `mfa-nlp index`")
        con.execute("PRAGMA journal_mode = WAL")
        con.executescript(_SCHEMA)
        con.execute("CREATE INDEX IF NOT EXISTS documents_statement ON documents (statement_id)")
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.commit()
        return
    if "documents" not in tables or "passages_fts" not in tables:
        raise IndexDatabaseError(
            f"{path}: an SQLite database but not an mfa-nlp index (tables: {', '.join(sorted(tables)[:8])}); "
            "give another --db"
        )
    if version > SCHEMA_VERSION:
        raise IndexDatabaseError(
            f"{path}: built by a newer mfa-nlp (index schema v{version}; this release reads v{SCHEMA_VERSION}); "
            "upgrade mfa-nlp, or index into another --db"
        )
    missing = [
        f"{table}.{col}"
        for table, cols in _COLUMNS.items()
        for col in sorted(cols - ({"rowid"} | {r[1] for r in con.execute(f"PRAGMA table_info({table})")}))
    ]
    if missing:
        raise IndexDatabaseError(
            f"{path}: built by an older mfa-nlp (index schema v{version}, without {', '.join(missing)}); it cannot "
            f"be upgraded in place: delete it and run `mfa-nlp index RECORDS --db {path}` again"
        )
    if version < SCHEMA_VERSION and not writable:
        raise IndexDatabaseError(
            f"{path}: index schema {version} predates statement ids; upgrade it in place with "
            f"`mfa-nlp index OUT.jsonl --db {path}` (link OUT.jsonl first with `mfa-nlp link OUT.jsonl --in-place`)."
        )
    if writable:
        con.execute("PRAGMA journal_mode = WAL")
    if version < SCHEMA_VERSION and writable:
        columns = {row[1] for row in con.execute("PRAGMA table_info(documents)")}
        if "statement_id" not in columns:  # schema 1: add the column; values come with the next index run
            con.execute("ALTER TABLE documents ADD COLUMN statement_id TEXT")
        con.executescript(_SCHEMA)  # adds the tables and indexes it lacks
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.commit()
        log.info("%s: index upgraded from schema v%d to v%d", path, version, SCHEMA_VERSION)
    if writable:
        con.execute("CREATE INDEX IF NOT EXISTS documents_statement ON documents (statement_id)")
        con.commit()


def _records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line of a killed run


def _delete_document(con: sqlite3.Connection, doc_id: str) -> None:
    rows = [r[0] for r in con.execute("SELECT rowid FROM passages WHERE doc_id = ?", (doc_id,))]
    for rowid in rows:
        con.execute("DELETE FROM passages_fts WHERE rowid = ?", (rowid,))
        con.execute("DELETE FROM passage_duty WHERE passage = ?", (rowid,))
        con.execute("DELETE FROM passage_entity WHERE passage = ?", (rowid,))
    con.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
    con.execute("DELETE FROM document_entity WHERE doc_id = ?", (doc_id,))
    con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def build_index(
    records: str | os.PathLike[str], db: str | os.PathLike[str], *, wait: bool | float = False, batch: int = 500
) -> dict[str, int]:
    """Index a tagged JSONL file into ``db``; incremental by (document id, pipeline version).

    A record already indexed with the same pipeline version is left alone (its ``statement_id``
    is updated if linking changed it); one from another version replaces the old rows.
    Returns counts of added, replaced, unchanged and relinked.
    One ``build_index`` per database at a time: another one raises
    :class:`~mfa_nlp.errors.OutputLockedError` naming the holder, or waits with ``wait=True``.
    Commits every ``batch`` records, so searches see the index grow and a killed run keeps its work.

    >>> build_index("out/samples.jsonl", "out/archive.db")  # doctest: +SKIP
    {'added': 12, 'replaced': 0, 'unchanged': 0, 'passages': 87}
    """
    from .lock import exclusive

    with exclusive(db, wait=wait, what="the index"):
        con = connect(db)
        try:
            return _index_into(con, records, batch)
        except sqlite3.Error as exc:
            raise _db_error(Path(db), exc) from exc
        finally:
            con.close()


def _index_into(con: sqlite3.Connection, records: str | os.PathLike[str], batch: int) -> dict[str, int]:
    counts = {"added": 0, "replaced": 0, "unchanged": 0, "relinked": 0, "passages": 0}
    rows = con.execute("SELECT id, version, model, statement_id FROM documents").fetchall()
    known = {row[0]: (row[1], row[2]) for row in rows}
    linked = {row[0]: row[3] for row in rows}
    written = 0
    try:
        for rec in _records(records):
            pipe = rec.get("pipeline") or {}
            version = (pipe.get("version"), pipe.get("model"))
            if rec["id"] in known:
                if known[rec["id"]] == version:
                    counts["unchanged"] += 1
                    if linked.get(rec["id"]) != rec.get("statement_id"):
                        con.execute("UPDATE documents SET statement_id = ? WHERE id = ?",
                                    (rec.get("statement_id"), rec["id"]))  # fmt: skip
                        counts["relinked"] += 1
                    continue
                _delete_document(con, rec["id"])
                counts["replaced"] += 1
            else:
                counts["added"] += 1
            known[rec["id"]] = version
            _insert(con, rec, version)
            counts["passages"] += len(rec.get("passages") or [])
            written += 1
            if written % batch == 0:
                con.commit()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return counts


def _insert(con: sqlite3.Connection, rec: dict[str, Any], version: tuple[Any, Any]) -> None:
    ents = rec.get("entities") or {}
    con.execute(
        "INSERT INTO documents (id, version, model, source, format, title, date, place, lang, duties, entities,"
        " statement_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (rec["id"], version[0], version[1], rec.get("source"), rec.get("format"), rec.get("title"), rec.get("date"),
         rec.get("place"), rec.get("lang"), json.dumps(rec.get("duties") or []), json.dumps(ents, ensure_ascii=False),
         rec.get("statement_id")),
    )  # fmt: skip
    con.executemany(
        "INSERT INTO document_entity VALUES (?,?,?)",
        [(rec["id"], label, ent_id) for label, ids in ents.items() for ent_id in ids],
    )
    for p in rec.get("passages") or []:
        duties = list(p.get("duties") or [])
        cur = con.execute(
            "INSERT INTO passages (doc_id, idx, text, lang, script, duties) VALUES (?,?,?,?,?,?)",
            (rec["id"], p["index"], p["text"], p.get("lang"), p.get("script"), json.dumps(duties)),
        )
        rowid = cur.lastrowid
        latin = to_latin(p["text"])
        con.execute(
            "INSERT INTO passages_fts (rowid, text, latin) VALUES (?,?,?)",
            (rowid, p["text"], latin if latin != p["text"] else ""),
        )
        scores = p.get("scores") or {}
        con.executemany("INSERT INTO passage_duty VALUES (?,?,?)", [(rowid, d, scores.get(d)) for d in duties])
        pents = {(e["label"], e["id"]) for e in p.get("entities") or [] if e.get("id") is not None}
        con.executemany("INSERT INTO passage_entity VALUES (?,?,?)", [(rowid, lab, i) for lab, i in sorted(pents)])


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def fts_query(text: str) -> str:
    """Turn user text into a safe FTS5 query: every term quoted, ``"a phrase"`` and ``OR`` kept.

    Cyrillic is transliterated so that it meets the Latin shadow column. FTS5 operators
    (``NEAR(``, ``*``, ``-``, ``^``, ``col:``, ``AND``, ``NOT``, parentheses, unbalanced
    quotes) are read as plain words. A query over :data:`MAX_QUERY_CHARS` characters or
    :data:`MAX_QUERY_TERMS` terms raises :class:`QueryError`.

    >>> fts_query('visa "liberalisation process" OR NATO*')
    '"visa" "liberalisation process" OR "NATO"'
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long, over the limit of {MAX_QUERY_CHARS:,}; "
            "search for a few telling words or a phrase instead"
        )
    parts: list[str] = []
    for match in _TOKEN.finditer(to_latin(text.replace("\x00", " "))):
        phrase, word = match.groups()
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        term = phrase if phrase is not None else word
        # Keep letters/digits only: FTS5 would split on the rest anyway, and quotes can't break out.
        term = " ".join(re.findall(r"\w+", term))
        if term:
            parts.append('"' + term + '"')
    while parts and parts[-1] == "OR":
        parts.pop()
    terms = sum(len(p.split()) for p in parts if p != "OR")
    if terms > MAX_QUERY_TERMS:
        raise QueryError(
            f"the query has {terms} words, over the limit of {MAX_QUERY_TERMS}; search for fewer, more telling words"
        )
    return " ".join(parts)


def search(
    db: str | os.PathLike[str],
    query: str,
    *,
    duty: list[str] | str | None = None,
    state: list[str] | str | None = None,
    org: list[str] | str | None = None,
    value: list[str] | str | None = None,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    marks: tuple[str, str] = ("[", "]"),
    collapse: bool = False,
) -> pd.DataFrame:
    """Ranked passages (bm25) matching ``query`` with facet filters, as a DataFrame.

    Every row carries its document's ``statement_id``. With ``collapse`` there is one row per
    statement (its best passage), and ``versions`` lists the statement's other documents
    (``{"doc_id", "lang", "source", "title"}``); unlinked documents are statements of their own.

    ``duty`` filters passages; ``state``/``org``/``value`` filter documents that mention the
    entity id; ``since``/``until`` are inclusive ``YYYY-MM-DD`` bounds on the document date.
    The ``snippet`` column marks matches with ``marks`` (``[`` and ``]``). Facet values are
    bound as parameters, never spliced into SQL: ``state="DEU' OR 1=1 --"`` matches nothing.
    Raises :class:`IndexDatabaseError` for a file that is not a usable index and
    :class:`QueryError` for a query that cannot be run (see :func:`fts_query`).

    >>> search("out/archive.db", "visa liberalisation", duty="eu_integration", limit=5)  # doctest: +SKIP
    """
    import pandas as pd

    if not Path(db).exists():
        raise FileNotFoundError(f"{db}: no such index; build it with `mfa-nlp index OUT.jsonl --db {db}`")
    where: list[str] = []
    args: list[Any] = []
    match = fts_query(query)
    if match:
        where.append("passages_fts MATCH ?")
        args.append(match)
    for label, wanted in (("STATE", state), ("ORG", org), ("VALUE", value)):
        for ent_id in _as_list(wanted):
            where.append(
                "EXISTS (SELECT 1 FROM document_entity e WHERE e.doc_id = p.doc_id AND e.label = ? AND e.id = ?)"
            )
            args += [label, ent_id]
    for d in _as_list(duty):
        where.append("EXISTS (SELECT 1 FROM passage_duty pd WHERE pd.passage = p.rowid AND pd.duty = ?)")
        args.append(d)
    if lang:
        where.append("p.lang = ?")
        args.append(lang)
    if since:
        where.append("d.date >= ?")
        args.append(since)
    if until:
        where.append("d.date <= ?")
        args.append(until)
    if match:
        select = "bm25(passages_fts) AS score, snippet(passages_fts, -1, ?, ?, '…', 24) AS snippet"
        args = [*marks, *args]
        order = "score"
    else:
        select = "0.0 AS score, substr(p.text, 1, 160) AS snippet"
        order = "d.date DESC, p.rowid"
    sql = f"""
        SELECT {select}, p.doc_id, p.idx AS passage, p.lang, p.duties, d.source, d.date, d.title, d.entities,
               d.statement_id, p.rowid AS _rowid
        FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid JOIN documents d ON d.id = p.doc_id
        {"WHERE " + " AND ".join(where) if where else ""}
    """
    if collapse:  # the best passage of each statement (a document not linked is its own statement)
        sql = f"""
            SELECT * FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY COALESCE(statement_id, doc_id)
                                             ORDER BY {order.replace("d.date", "date").replace("p.rowid", "_rowid")})
                          AS _rank
                FROM ({sql}) AS hits
            ) WHERE _rank = 1
            ORDER BY {order.replace("d.date", "date").replace("p.rowid", "_rowid")} LIMIT ?
        """
    else:
        sql += f" ORDER BY {order} LIMIT ?"
    con = connect(db, readonly=True)
    try:
        frame = pd.read_sql_query(sql, con, params=[*args, int(limit)])
        if collapse:
            others = "SELECT id, lang, source, title FROM documents WHERE statement_id = ? AND id != ? ORDER BY lang"
            frame["versions"] = [
                [{"doc_id": i, "lang": lang, "source": src, "title": title}
                 for i, lang, src, title in con.execute(others, (sid, doc))] if sid else []
                for sid, doc in zip(frame["statement_id"], frame["doc_id"], strict=True)
            ]  # fmt: skip
    except sqlite3.Error as exc:
        raise _db_error(Path(db), exc) from exc
    except pd.errors.DatabaseError as exc:  # pandas wraps what SQLite raises while reading
        raise _db_error(Path(db), exc.__cause__ or exc) from exc
    finally:
        con.close()
    frame = frame.drop(columns=[c for c in ("_rowid", "_rank") if c in frame.columns])
    frame["duties"] = frame["duties"].map(json.loads)
    frame["entities"] = frame["entities"].map(json.loads)
    # bm25 is "smaller is better"; show a positive relevance instead.
    frame["score"] = -frame["score"]
    return frame


def _as_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
