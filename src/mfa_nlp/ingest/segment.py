"""Blocks -> passages (placeholder; the HTML/segmentation work replaces it)."""

from __future__ import annotations

from ..document import Passage
from . import Block


def make_passages(blocks: list[Block]) -> list[Passage]:
    out: list[Passage] = []
    for b in blocks:
        text = " ".join(b.text.split())
        if text:
            out.append(Passage(index=len(out), text=text, kind=b.kind))
    return out
