"""Plain-text files (placeholder; the ingestion work replaces it)."""

from __future__ import annotations

import re

from . import Block, Parsed


def parse_txt(data: bytes, *, source: str) -> Parsed:
    text = data.decode("utf-8-sig", errors="replace")
    return Parsed(blocks=[Block(t) for t in re.split(r"\n\s*\n", text) if t.strip()])
