"""Claims other than approval: route, frequency, dose, selectivity, onset, boxed warning.

Each is judged per agent against the monograph (forms, regimens, target) for the region; a
statement about the class is judged against every agent marketed there (true for all, partly
true, false for all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from jakguide.claims import more
from jakguide.claims.judge import REGION_NAMES, cite
from jakguide.claims.lexicon import Lexicon
from jakguide.claims.model import CLASS, Claim, Evidence, Verdict
from jakguide.claims.text import Span
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Monograph, Region

ROUTE_ORAL = re.compile(
    r"\b(taken (?:by mouth|orally)|by mouth|orally|(?:is|are) (?:an? )?oral|oral (?:pills?|"
    r"tablets?|medications?|medicines?|drugs?|treatments?|therap(?:y|ies)|options?)|"
    r"(?:is|are|as) (?:an? )?(?:[\w-]+ )?(?:pills?|tablets?|capsules?))\b",
    re.I,
)
ROUTE_TOPICAL = re.compile(
    r"\b(applied to the skin|(?:is|are) (?:an? )?(?:topical|creams?)|topical (?:creams?|"
    r"treatments?|therap(?:y|ies)|medications?)|rubbed into)\b",
    re.I,
)
ROUTE_INJECTED = re.compile(r"\b(injected|injections?|infusions?|intravenous(?:ly)?)\b", re.I)
FREQ = re.compile(
    r"\b(once or twice|once|twice|two times|three times)[\s-]+(?:a |per |each )?(day|daily)\b",
    re.I,
)
DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?mg\b(?!/)", re.I)
KINASE = re.compile(r"\b(JAK ?[123]|TYK ?2|TEC)\b", re.I)
SELECT_VERB = re.compile(r"\b(inhibit\w*|block\w*|target\w*|selective|inhibitor)\b", re.I)
ONSET = re.compile(
    r"\b(?:within|in as little as|in just|after (?:only|just))\s+(?:a few|few|several|\d+|one|two|"
    r"three|four|six|eight)\s+(days?|weeks?|months?)\b",
    re.I,
)
ONSET_VERB = re.compile(
    r"\b(work\w*|improv\w*|results?|relief|respon\w*|effect\w*|clear\w*)\b", re.I
)
NOT_KINASE = re.compile(
    r"\b(not|no|isn't|doesn't|does not|never|neither|nor|rather than|unlike)\b(?:\s+[\w/-]+){0,3}?"
    r"\s+(?:JAK ?[123]|TYK ?2|TEC)\b",
    re.I,
)
BOXED = re.compile(r"\bboxed warning\b|\bblack[- ]box\b", re.I)
CLASS_RE = re.compile(
    r"\b(JAK(?:/TYK2)? inhibitors|Janus kinase inhibitors|all JAK inhibitors)\b", re.I
)
_FREQ_WORDS = {
    "once or twice": {1, 2},
    "once": {1},
    "twice": {2},
    "two times": {2},
    "three times": {3},
}


def sentence_claims(
    kb: Knowledge, lex: Lexicon, sent: Span, region: Region, out: list[Claim]
) -> None:
    """Append the route, frequency, dose, selectivity, onset and boxed-warning claims."""
    agents = lex.agents(sent.text)
    ids = list(dict.fromkeys(a.id for a in agents))
    subjects = ids or ([CLASS] if CLASS_RE.search(sent.text) else [])
    if not subjects:
        return
    route = _claimed_route(sent.text)
    freq = FREQ.search(sent.text)
    named_doses = {float(m.group(1)) for m in DOSE.finditer(sent.text)}
    for subject in subjects:
        if route is not None:
            _add(out, kb, sent, subject, region, "route", route, _route_verdict)
        if freq is not None:
            judge: Judge = partial(_freq_verdict, doses=named_doses)
            _add(out, kb, sent, subject, region, "frequency", freq.group(0).lower(), judge)
    if len(ids) == 1:
        _single_agent(kb, sent, ids[0], region, out)
    more.sentence_claims(kb, sent, subjects, region, out)
    onset = ONSET.search(sent.text)
    if onset is not None and ONSET_VERB.search(sent.text):
        for subject in subjects:
            out.append(
                Claim(
                    sent.text,
                    sent.start,
                    sent.end,
                    subject,
                    None,
                    "onset",
                    "not-checkable",
                    [
                        Evidence(
                            "The knowledge holds trial results at set weeks, not an onset "
                            "of effect",
                            {"doc": "knowledge", "section": "efficacy"},
                        )
                    ],
                    None,
                    region,
                    onset.group(0),
                )
            )


def _single_agent(kb: Knowledge, sent: Span, inn: str, region: Region, out: list[Claim]) -> None:
    mono = kb.drugs[inn]
    for m in DOSE.finditer(sent.text):
        dose_verdict, ev, corr = _dose_verdict(mono, float(m.group(1)), region)
        out.append(
            Claim(
                sent.text,
                sent.start,
                sent.end,
                inn,
                None,
                "dose",
                dose_verdict,
                ev,
                corr,
                region,
                m.group(0),
            )
        )
    kinases = {k.upper().replace(" ", "") for k in KINASE.findall(sent.text)}
    if kinases and SELECT_VERB.search(sent.text) and not NOT_KINASE.search(sent.text):
        labelled = set(mono.target.kinases)
        ev = [Evidence(mono.target.text, cite(mono.target.source))]
        mentioned = {k for k in kinases if k in mono.target.text.upper().replace(" ", "")}
        if kinases == labelled:
            verdict: Verdict = "true"
            corr = None
        elif kinases & labelled or mentioned:
            verdict, corr = (
                "partly-true",
                f"As labelled, {mono.inn} inhibits {', '.join(sorted(labelled))}.",
            )
        else:
            verdict, corr = (
                "false",
                f"As labelled, {mono.inn} inhibits {', '.join(sorted(labelled))}.",
            )
        out.append(
            Claim(
                sent.text,
                sent.start,
                sent.end,
                inn,
                None,
                "selectivity",
                verdict,
                ev,
                corr,
                region,
                "/".join(sorted(kinases)),
            )
        )
    if BOXED.search(sent.text) and not re.search(r"\b(no|not|without)\b", sent.text, re.I):
        label = mono.regions.get("US")
        if label is not None and label.boxed_warning is not None:
            out.append(
                Claim(
                    sent.text,
                    sent.start,
                    sent.end,
                    inn,
                    None,
                    "boxed-warning",
                    "true",
                    [Evidence(label.boxed_warning.title, cite(label.boxed_warning.source))],
                    None,
                    "US",
                    "has a boxed warning",
                )
            )


def _claimed_route(text: str) -> str | None:
    found = [
        r
        for r, rx in (
            ("oral", ROUTE_ORAL),
            ("topical", ROUTE_TOPICAL),
            ("injected", ROUTE_INJECTED),
        )
        if rx.search(text)
    ]
    return found[0] if len(found) == 1 else None


Result = tuple[Verdict, list[Evidence], str | None]
Judge = Callable[[Monograph, str, Region], Result | None]


def _add(
    out: list[Claim],
    kb: Knowledge,
    sent: Span,
    subject: str,
    region: Region,
    kind: str,
    asserted: str,
    fn: Judge,
) -> None:
    monos = kb.marketed(region) if subject == CLASS else [kb.drugs[subject]]
    pairs = [(m, fn(m, asserted, region)) for m in monos]
    kept = [(m, r) for m, r in pairs if r is not None]
    results = [r for _, r in kept]
    if not results:
        return
    if subject != CLASS:
        verdict, ev, corr = results[0]
    else:
        verdicts = {r[0] for r in results}
        ev = [e for r in results for e in r[1][:1]]
        wrong = [m.inn for m, r in kept if r[0] != "true"]
        if verdicts == {"true"}:
            verdict, corr = "true", None
        elif verdicts == {"false"}:
            verdict, corr = "false", f"Not so for any agent ({', '.join(wrong)})."
        elif "not-checkable" in verdicts and "true" not in verdicts:
            verdict, corr = "not-checkable", None
        else:
            verdict, corr = "partly-true", f"Not so for {', '.join(wrong)}."
    out.append(
        Claim(
            sent.text,
            sent.start,
            sent.end,
            subject,
            None,
            kind,
            verdict,
            ev,
            corr,
            region,
            asserted,
        )
    )


def _route_verdict(mono: Monograph, claimed: str, region: Region) -> Result | None:
    routes = {f.route for f in mono.forms}
    ev = [
        Evidence(
            f"{mono.inn}: {', '.join(f.name + ' (' + f.route + ')' for f in mono.forms)}",
            cite(mono.forms[0].source),
        )
    ]
    want = {"oral": {"oral"}, "topical": {"topical"}, "injected": {"subcutaneous", "intravenous"}}[
        claimed
    ]
    if routes <= want:
        return "true", ev, None
    if routes == {"topical"} and claimed != "topical":
        return "not-checkable", ev, None  # other products of the INN are not encoded
    if routes & want:
        return "partly-true", ev, f"{mono.inn} also comes as {', '.join(sorted(routes - want))}."
    return "false", ev, f"{mono.inn} is {', '.join(sorted(routes))}."


def _freq_verdict(
    mono: Monograph, claimed: str, region: Region, doses: set[float] | None = None
) -> Result | None:
    """How often, over every regimen in the region (or those of a dose the sentence names)."""
    label = mono.regions.get(region)
    if label is None:
        return None
    regimens = [r for i in label.indications for r in i.regimens]
    if doses and any(r.dose_mg in doses for r in regimens):
        regimens = [r for r in regimens if r.dose_mg in doses]
    per_day = {r.per_day for r in regimens}
    if not per_day:
        return None
    want = _FREQ_WORDS[re.sub(r"[\s-]+(a |per |each )?(day|daily)$", "", claimed)]
    ind = label.indications[0]
    ev = [
        Evidence(
            f"{REGION_NAMES[region]} {mono.inn} regimens: "
            + "; ".join(sorted({r.text for i in label.indications for r in i.regimens}))[:400],
            cite(ind.regimens[0].source),
        )
    ]
    times = ", ".join(f"{n}x/day" for n in sorted(per_day))
    if per_day <= want:
        return "true", ev, None
    if per_day & want:
        return "partly-true", ev, f"{mono.inn} regimens are {times}."
    return "false", ev, f"{mono.inn} regimens are {times}."


def _dose_verdict(mono: Monograph, mg: float, region: Region) -> Result:
    def doses(reg: Region) -> set[float]:
        label = mono.regions.get(reg)
        if label is None:
            return set()
        out = {r.dose_mg for i in label.indications for r in i.regimens if r.dose_mg is not None}
        out |= {a.regimen.dose_mg for a in label.adjustments if a.regimen and a.regimen.dose_mg}
        return out

    strengths = set()
    for f in mono.forms:
        for s in f.strengths:
            m = re.fullmatch(r"(\d+(?:\.\d+)?) mg", s)
            if m:
                strengths.add(float(m.group(1)))
    here, there = doses(region), doses("EU" if region == "US" else "US")
    ev = [
        Evidence(
            f"{REGION_NAMES[region]} {mono.inn} doses (mg): "
            f"{', '.join(f'{d:g}' for d in sorted(here)) or 'none held'}; strengths: "
            f"{', '.join(f.name + ' ' + '/'.join(f.strengths) for f in mono.forms)}",
            cite(mono.forms[0].source),
        )
    ]
    if mg in here or mg in strengths:
        return "true", ev, None
    if mg in there:
        return "partly-true", ev, f"{mg:g} mg is a dose of {mono.inn} in the other region only."
    if not here or {f.route for f in mono.forms} == {"topical"}:
        return "not-checkable", ev, None
    return "false", ev, f"{mono.inn} doses are {', '.join(f'{d:g}' for d in sorted(here))} mg."
