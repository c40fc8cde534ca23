"""Side effects, pregnancy and monitoring claims, and boxed-warning statements about the class.

The knowledge's adverse-reaction lists and monitoring tables are not exhaustive, so a side effect
or a test the knowledge does not hold is ``not-checkable``, never ``false``; "no blood tests are
needed" is ``false`` where the label's monitoring table lists any. Pregnancy: "safe in pregnancy"
is ``false`` where the region's label contraindicates it, says to avoid it or does not recommend
it; "avoid in pregnancy" is ``true`` there and ``partly-true`` where the label only urges caution.
"""

from __future__ import annotations

import re

from jakguide.claims.judge import REGION_NAMES, cite
from jakguide.claims.model import CLASS, Claim, Evidence, Verdict
from jakguide.claims.text import Span
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Monograph, Region

SIDE = re.compile(
    r"\b(?:(?:common|frequent|serious|main|usual|typical)\s+)?(?:side[- ]effects?|adverse "
    r"(?:reactions?|effects?))\b[^.]*?\b(?:include|includes|including|are|such as)\b\s+([^.;]+)",
    re.I,
)
PREG_SAFE = re.compile(r"\bsafe\b[^.]{0,40}\bpregnan\w*", re.I)
PREG_AVOID = re.compile(
    r"\b(avoid\w*|not (?:be )?(?:used|taken|recommended)|must not|should not|"
    r"contraindicated)\b[^.]{0,50}\bpregnan\w*",
    re.I,
)
NO_TESTS = re.compile(
    r"\b(no|without|don't need|do not need|doesn't need|does not need|not require)\b[^.]{0,30}"
    r"\b(blood tests?|lab(?:oratory)? tests?|monitoring)\b",
    re.I,
)
TESTS = re.compile(r"\b(blood tests?|lab(?:oratory)? (?:tests?|monitoring)|monitor\w*)\b", re.I)
GROUPS = {
    "cholesterol": re.compile(r"\b(cholesterol|lipids?)\b", re.I),
    "blood counts": re.compile(
        r"\b(blood counts?|white (?:blood )?cells?|lymphocytes?|"
        r"neutrophils?|haemoglobin|hemoglobin|anaemia|anemia)\b",
        re.I,
    ),
    "liver": re.compile(r"\b(liver (?:enzymes?|tests?|function)|transaminases?)\b", re.I),
}
ANALYTES = {
    "cholesterol": {"ldl-cholesterol", "total-cholesterol", "hdl-cholesterol", "triglycerides"},
    "blood counts": {"lymphocytes", "neutrophils", "hemoglobin", "wbc", "platelets"},
    "liver": {"alt", "ast"},
}
BOXED = re.compile(r"\b(boxed warning|black[- ]box)", re.I)
_NO_BOXED = re.compile(r"\bno boxed warning\b", re.I)


def _split_terms(raw: str) -> list[str]:
    parts = re.split(r",|\band\b|\bor\b", raw)
    return [p.strip(" .:()") for p in parts if p.strip(" .:()")][:8]


def _claim(
    sent: Span,
    agent: str,
    kind: str,
    verdict: Verdict,
    ev: list[Evidence],
    corr: str | None,
    region: Region,
    asserted: str,
) -> Claim:
    return Claim(
        sent.text, sent.start, sent.end, agent, None, kind, verdict, ev, corr, region, asserted
    )


def sentence_claims(
    kb: Knowledge, sent: Span, subjects: list[str], region: Region, out: list[Claim]
) -> None:
    """Append side-effect, pregnancy, monitoring and class boxed-warning claims."""
    side = SIDE.search(sent.text)
    for subject in subjects:
        monos = kb.marketed(region) if subject == CLASS else [kb.drugs[subject]]
        if side and subject != CLASS:
            out.append(_side_effects(kb.drugs[subject], sent, region, _split_terms(side.group(1))))
        if PREG_SAFE.search(sent.text) or PREG_AVOID.search(sent.text):
            safe = bool(PREG_SAFE.search(sent.text)) and not PREG_AVOID.search(sent.text)
            _aggregate(
                out,
                sent,
                subject,
                region,
                "pregnancy",
                "safe in pregnancy" if safe else "avoid in pregnancy",
                [_pregnancy(m, region, safe=safe) for m in monos],
                monos,
            )
        if TESTS.search(sent.text):
            none = bool(NO_TESTS.search(sent.text))
            groups = [g for g, rx in GROUPS.items() if rx.search(sent.text)]
            asserted = "no tests needed" if none else "tests: " + (", ".join(groups) or "blood")
            _aggregate(
                out,
                sent,
                subject,
                region,
                "monitoring",
                asserted,
                [_monitoring(m, region, none=none, groups=groups) for m in monos],
                monos,
            )
        if (
            subject == CLASS
            and BOXED.search(sent.text)
            and not re.search(r"\b(no|not|without)\b", sent.text, re.I)
        ):
            oral = re.search(r"\boral\b", sent.text, re.I)
            us = [
                m for m in kb.marketed("US") if not oral or any(f.route == "oral" for f in m.forms)
            ]
            _aggregate(
                out,
                sent,
                CLASS,
                "US",
                "boxed-warning",
                "the class has a boxed warning",
                [_boxed(m) for m in us],
                us,
            )


Result = tuple[Verdict, list[Evidence], str | None]


def _aggregate(
    out: list[Claim],
    sent: Span,
    subject: str,
    region: Region,
    kind: str,
    asserted: str,
    results: list[Result | None],
    monos: list[Monograph],
) -> None:
    kept = [(m, r) for m, r in zip(monos, results, strict=True) if r is not None]
    if not kept:
        return
    if subject != CLASS:
        verdict, ev, corr = kept[0][1]
        out.append(_claim(sent, subject, kind, verdict, ev, corr, region, asserted))
        return
    verdicts = {r[0] for _, r in kept}
    ev = [e for _, r in kept for e in r[1][:1]]
    wrong = [m.inn for m, r in kept if r[0] in ("false", "partly-true")]
    if verdicts == {"true"}:
        v: Verdict = "true"
        corr = None
    elif "not-checkable" in verdicts:
        v, corr = "not-checkable", None
    elif verdicts == {"false"}:
        v, corr = "false", f"Not so for any agent ({', '.join(wrong)})."
    else:
        v, corr = "partly-true", f"Not so for {', '.join(wrong)}."
    out.append(_claim(sent, CLASS, kind, v, ev, corr, region, asserted))


def _side_effects(mono: Monograph, sent: Span, region: Region, terms: list[str]) -> Claim:
    held = [a for a in mono.adverse_reactions if a.region in (None, region)]
    found: list[Evidence] = []
    missing: list[str] = []
    for term in terms:
        t = term.lower()
        hit = next((a for a in held if t in a.term.lower() or a.term.lower() in t), None)
        if hit is None:
            missing.append(term)
        else:
            found.append(Evidence(f"{mono.inn}: {hit.term} ({hit.population})", cite(hit.source)))
    verdict: Verdict = "true" if terms and not missing else "not-checkable"
    if missing:
        found.append(
            Evidence(
                f"not in the adverse reactions the knowledge holds: {', '.join(missing)}",
                {"doc": "knowledge", "section": "adverse_reactions"},
            )
        )
    return _claim(sent, mono.id, "side-effect", verdict, found, None, region, ", ".join(terms))


def _pregnancy(mono: Monograph, region: Region, *, safe: bool) -> Result | None:
    label = mono.regions.get(region)
    rep = label.reproduction if label else None
    if rep is None:
        return None
    ev = [Evidence(f"{REGION_NAMES[region]} {mono.inn}: {rep.pregnancy_text}", cite(rep.source))]
    strict = rep.pregnancy in ("contraindicated", "avoid", "not-recommended")
    if safe:
        if strict:
            return (
                "false",
                ev,
                f"{mono.inn} in pregnancy: {rep.pregnancy} ({REGION_NAMES[region]}).",
            )
        return "partly-true", ev, f"The {REGION_NAMES[region]} label urges caution in pregnancy."
    if strict:
        return "true", ev, None
    return "partly-true", ev, f"The {REGION_NAMES[region]} label urges caution, not avoidance."


def _monitoring(mono: Monograph, region: Region, *, none: bool, groups: list[str]) -> Result | None:
    label = mono.regions.get(region)
    if label is None or not label.monitoring:
        return None
    held = {m.analyte for m in label.monitoring}
    ev = [
        Evidence(
            f"{REGION_NAMES[region]} {mono.inn} monitoring: "
            + "; ".join(m.text for m in label.monitoring)[:400],
            cite(label.monitoring[0].source),
        )
    ]
    if none:
        return "false", ev, f"The {REGION_NAMES[region]} label lists laboratory monitoring."
    if not groups:
        return "true", ev, None
    hits = [g for g in groups if ANALYTES[g] & held]
    if len(hits) == len(groups):
        return "true", ev, None
    return "not-checkable", ev, None


def _boxed(mono: Monograph) -> Result | None:
    label = mono.regions.get("US")
    if label is None:
        return None
    if label.boxed_warning is not None:
        return (
            "true",
            [
                Evidence(
                    f"{mono.inn}: {label.boxed_warning.title}", cite(label.boxed_warning.source)
                )
            ],
            None,
        )
    for note in label.notes:
        if _NO_BOXED.search(note.text):
            return (
                "false",
                [Evidence(note.text, cite(note.source))],
                f"{mono.inn} has no boxed warning.",
            )
    return "not-checkable", [], None
