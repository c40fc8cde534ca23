"""Building findings: every finding carries the sources of the facts it used."""

from __future__ import annotations

from collections.abc import Iterable

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation
from jakguide.kb.status import superseded_index
from jakguide.model import Finding, FindingKind, Severity, SourceRef, Status


def source_ref(kb: Knowledge, citation: Citation) -> SourceRef:
    doc = kb.source(citation.doc)
    return SourceRef(
        doc=citation.doc,
        section=citation.section,
        title=doc.title if doc else None,
        revision=doc.revision if doc else None,
        url=doc.cite_url() if doc else None,
        verified=citation.verified,
    )


def make(
    kb: Knowledge,
    rule: str,
    kind: FindingKind,
    severity: Severity,
    message: str,
    citations: Iterable[Citation] = (),
    facts: Iterable[str] = (),
    status: Status | None = None,
) -> Finding:
    refs: list[SourceRef] = []
    stale = superseded_index(kb)
    for c in citations:
        ref = source_ref(kb, c)
        if ref not in refs:
            refs.append(ref)
        why = stale.get((c.doc, c.section))
        if why is not None and why.message() not in message:  # say it once
            message = f"{message} {why.message()}"
    return Finding(
        rule=rule,
        kind=kind,
        severity=severity,
        message=message,
        facts=list(dict.fromkeys(facts)),
        sources=refs,
        status=status,
    )


def unverified(
    kb: Knowledge, rule: str, what: str, citation: Citation, *, decisive: bool = True
) -> Finding:
    """The policy for ``verified: false``: never silent, say what the value rests on.

    ``decisive`` facts changed this patient's status or dose (a warning); others were only shown
    (info).
    """
    note = f" ({citation.note})" if citation.note else ""
    return make(
        kb,
        f"{rule}.unverified",
        "unverified-fact",
        "warning" if decisive else "info",
        f"Unverified label fact used: {what}{note}. "
        + (
            "The conservative value is applied; check the current label."
            if decisive
            else "Check the current label."
        ),
        [citation],
    )
