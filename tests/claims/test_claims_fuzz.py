"""Any text: the checker never fails, and every claim's offsets point at its text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakguide.claims import check_text
from jakguide.claims.render import to_html
from jakguide.kb.base import bundled_knowledge

WORDS = st.sampled_from([
    "Tofacitinib", "Rinvoq", "Opzelura", "cream", "JAK inhibitors", "are", "is", "not", "approved",
    "for", "psoriasis", "psoriatic arthritis", "RA", "AS", "in the EU", "FDA", "These include",
    "and", ",", ".", "?", "\n", " | ", "15 mg", "once daily", "JAK1", "may", "safe", "pregnancy",
    "blood tests", "side effects include", "<zz onload=x>", "&", "unlike", "first", "Several",
])  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_any_text(text: str) -> None:
    kb = bundled_knowledge()
    report = check_text(text, kb)
    for c in report.claims:
        assert text[c.start : c.end] == c.text
        assert c.verdict in ("true", "false", "partly-true", "not-checkable")
        if c.verdict in ("false", "partly-true"):
            assert c.correction
    assert "<zz" not in to_html(report, text)
