"""Blocks -> passages: cleaning, boilerplate, merging and long-paragraph splitting."""

from __future__ import annotations

from mfa_nlp.ingest import Block
from mfa_nlp.ingest.segment import MAX_CHARS, clean_text, make_passages, split_long, split_sentences


def test_segment_clean_text_removes_invisible_characters() -> None:
    raw = "Ministria\u00a0e  Punëve\u00ad të Jash\u00adtme\u200b\u200d  e\u0308 Kosovës\n"
    assert clean_text(raw) == "Ministria e Punëve të Jashtme ë Kosovës"


def test_segment_drops_boilerplate_in_three_languages() -> None:
    blocks = [
        Block(t)
        for t in [
            "Share",
            "Print",
            "Shpërndaje",
            "Podeli",
            "Подели",
            "Foto",
            "Tweet",
            "Share | Tweet | Print",
            "•",
            "12",
        ]
    ]
    blocks.append(Block("Kosovo welcomes the decision of the Council."))
    assert [p.text for p in make_passages(blocks)] == ["Kosovo welcomes the decision of the Council."]


def test_segment_merges_short_real_fragment_into_next_paragraph() -> None:
    passages = make_passages([Block("Ministri Hoxhaj"), Block("takoi sot ambasadorin e Gjermanisë.")])
    assert [p.text for p in passages] == ["Ministri Hoxhaj takoi sot ambasadorin e Gjermanisë."]


def test_segment_keeps_kinds_and_numbers_passages_in_order() -> None:
    blocks = [
        Block("Next steps", "heading"),
        Block("signing a memorandum;", "list_item"),
        Block("The Ministry will report back."),
    ]
    passages = make_passages(blocks)
    assert [(p.index, p.kind) for p in passages] == [(0, "heading"), (1, "list_item"), (2, "paragraph")]


def test_segment_sentences_respect_abbreviations_and_ordinals() -> None:
    text = (
        "Mr. Pacolli met Dr. Rexhepi in St. Gallen. Ministar je 7. marta 2018. godine primio ambasadora. "
        "Ky është p.sh. rasti i nr. 5 të listës. To je, tj. sporazum. The U.S. delegation agreed!"
    )
    assert split_sentences(text) == [
        "Mr. Pacolli met Dr. Rexhepi in St. Gallen.",
        "Ministar je 7. marta 2018. godine primio ambasadora.",
        "Ky është p.sh. rasti i nr. 5 të listës.",
        "To je, tj. sporazum.",
        "The U.S. delegation agreed!",
    ]


def test_segment_splits_long_paragraph_at_sentence_ends() -> None:
    sentences = [
        f"Sentence number {i} of the statement mentions Mr. Smith and the EU visa roadmap of 2018." for i in range(40)
    ]
    text = " ".join(sentences)
    assert len(text) > 2 * MAX_CHARS
    passages = make_passages([Block(text)])
    assert len(passages) >= 3
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert " ".join(p.text for p in passages) == text  # nothing lost, order kept
    assert all(p.text.endswith("2018.") for p in passages)


def test_segment_short_paragraph_is_not_split() -> None:
    assert split_long("One sentence. Another sentence.") == ["One sentence. Another sentence."]
