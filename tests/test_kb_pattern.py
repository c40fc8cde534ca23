"""Name patterns compiled on first search: the same matches as the compiled expression, and a
pickled pattern (the knowledge snapshot) carries its source, never a compiled expression."""

from __future__ import annotations

import pickle
import re

from jakguide.kb.base import Knowledge
from jakguide.kb.names import names
from jakguide.kb.pattern import LazyPattern

SOURCE = r"\b(adalimumab|humira|tofacitinib)\b"
TEXT = "Humira 40 MG/0.4ML Pen, then TOFACITINIB 5 mg; not adalimumab-aaty"


def test_a_lazy_pattern_finds_what_the_compiled_one_finds() -> None:
    lazy = LazyPattern(SOURCE, re.IGNORECASE)
    found = [m.group(1) for m in lazy.finditer(TEXT)]
    assert found == [m.group(1) for m in re.compile(SOURCE, re.IGNORECASE).finditer(TEXT)]
    assert found == ["Humira", "TOFACITINIB", "adalimumab"]


def test_a_pickled_pattern_carries_its_source_and_compiles_again_on_use() -> None:
    lazy = LazyPattern(SOURCE, re.IGNORECASE)
    lazy.compiled()  # used before pickling, as in a process that searched first
    data = pickle.dumps(lazy, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"_compile" not in data  # a compiled pattern pickles as a call of re._compile
    again = pickle.loads(data)
    assert again._compiled is None
    assert (again.source, again.flags) == (SOURCE, re.IGNORECASE)
    assert [m.group(1) for m in again.finditer(TEXT)] == ["Humira", "TOFACITINIB", "adalimumab"]


def test_the_knowledge_searches_free_text_after_a_snapshot_round_trip(kb: Knowledge) -> None:
    table = names(kb)
    before = (kb.ingredients_in_text(TEXT), [a.inn for a in table.in_text(TEXT)])
    copy = pickle.loads(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
    after = (copy.ingredients_in_text(TEXT), [a.inn for a in names(copy).in_text(TEXT)])
    assert after == before
    assert "tofacitinib" in after[0] and "adalimumab" in after[1]
