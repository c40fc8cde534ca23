"""Find the claims in an article and judge each: the door's one entry point, ``check_text``.

Rule-based: a clause with an approval word ("approved", "licensed", "indicated", "used for")
and a condition name makes one claim per agent it names (or one ``class`` claim when it names
the JAK class and no agent). A sentence naming a condition and an approval word but no agent,
followed by "These include A and B", is resolved to A and B. A line whose header row speaks of
approval or indications turns the rows below it into approval claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jakguide.claims import other
from jakguide.claims.judge import judge_approval, judge_class_approval, judge_first
from jakguide.claims.lexicon import Lexicon, Mention
from jakguide.claims.model import CLASS, Claim, Report
from jakguide.claims.text import Span, clauses, sentences
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Region

APPROVAL = re.compile(
    r"\b(approved|approval|approvals|licen[cs]ed|authori[sz]ed|authori[sz]ation|indicated|"
    r"indications?)\b",
    re.I,
)
USE = re.compile(
    r"\b(used (?:off[- ]label )?(?:for|to treat|in)|prescribed (?:for|to treat)|treats|"
    r"(?:a |an )?treatment (?:option )?(?:of|for))\b",
    re.I,
)
# Negation counts only where it governs the approval word ("is not approved", "has never been
# licensed", "No JAK inhibitor is approved", "... but not for X"): "X, which is approved for Y,
# is not a JAK1 inhibitor" is not a negated approval.
_NEG = r"(?:not|never|no longer|isn't|aren't|hasn't|haven't|wasn't|weren't|neither|nor)"
_TRIGGER = (
    r"(?:approved|licen[cs]ed|authori[sz]ed|indicated|used|prescribed|FDA-approved|cleared|"
    r"approval)"
)
NEGATION = re.compile(
    rf"\b{_NEG}\b(?:\s+[\w-]+){{0,3}}?\s+{_TRIGGER}\b|^\W*(?:but\s+|and\s+)?not\b|"
    rf"\bno\s+(?:[\w/-]+\s+){{0,4}}(?:is|are|has|have)\s+(?:yet\s+)?(?:been\s+)?{_TRIGGER}\b|"
    rf"\bnone\s+(?:of\s+\w+\s+)?(?:is|are|has|have)\b",
    re.I,
)
NOT_ONLY = re.compile(r"\bnot (?:only|just|simply|merely)\b", re.I)
# "Unlike deucravacitinib, upadacitinib is not approved for psoriasis": the first agent is the
# contrast, not the subject.
CONTRAST = re.compile(
    r"\b(unlike|except(?: for)?|apart from|other than|besides|compared (?:with|to)|versus|vs\.?|"
    r"instead of|rather than)\s+$",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|could|off[- ]label|investigational|investigated|studied|being tested|trials?|"
    r"expected|pending|under review|hoped?|potential(?:ly)?|promising|sometimes|occasionally|"
    r"considered|explored|submitted|filed|awaiting|seeking|unclear|not clear|not sure|"
    r"uncertain)\b",
    re.I,
)
CLASS_RE = re.compile(
    r"\b(JAK(?:/TYK2)?[- ]inhibitors|Janus kinase(?: \(JAK\))? inhibitors|JAK inhibitor class|"
    r"(?:all|every|no|any) JAK(?:/TYK2)? inhibitor)\b",
    re.I,
)
EXISTENTIAL = re.compile(
    r"\b(several|some|a few|many|two|three|four|certain|a number of|multiple|various|other)\s+"
    r"(?:\w+\s+){0,2}(JAK|Janus|agents|drugs|medicines|medications|inhibitors)",
    re.I,
)
RESOLVE = re.compile(
    r"^\s*(these|they|those|such agents|such drugs|examples)\s+(include|are|comprise)\b", re.I
)
FIRST = re.compile(
    r"\b(first|(?<=the )only|(?<=the )sole)\b(?:\s+[\w/-]+){0,5}?\s+(?:to be\s+|ever\s+)?"
    r"(approved|licen[cs]ed|"
    r"authori[sz]ed)\b",
    re.I,
)
TABLE_HEADER = re.compile(
    r"(\||\t| {3,}).*\b(approved|indications?|licen[cs]ed)\b|"
    r"\b(approved|indications?)\b.*(\||\t| {3,})",
    re.I,
)
TABLE_ROW = re.compile(r"\||\t| {3,}")
REGION_US = re.compile(r"\b(FDA|U\.S\.|US|USA|United States|America)\b")
REGION_EU = re.compile(r"\b(EMA|EU|European|Europe|CHMP)\b")


@dataclass
class _Ctx:
    kb: Knowledge
    lex: Lexicon
    region: Region
    claims: list[Claim]


def check_text(text: str, kb: Knowledge, region: Region = "US") -> Report:
    """Every claim the checker recognises in ``text``, judged against ``kb`` for ``region``."""
    ctx = _Ctx(kb, Lexicon(kb), region, [])
    sents = sentences(text)
    in_table = False
    i = 0
    while i < len(sents):
        sent = sents[i]
        if TABLE_HEADER.search(sent.text) and not ctx.lex.agents(sent.text):
            in_table = True
            i += 1
            continue
        if in_table and TABLE_ROW.search(sent.text):
            _table_row(ctx, sent)
            i += 1
            continue
        in_table = False
        nxt = sents[i + 1] if i + 1 < len(sents) else None
        if nxt is not None and _resolves(ctx, sent, nxt):
            i += 2
            continue
        _sentence(ctx, sent)
        if not sent.text.rstrip().endswith("?"):
            region_here = _regions(sent.text, ctx.region)[0][0]
            other.sentence_claims(ctx.kb, ctx.lex, sent, region_here, ctx.claims)
        i += 1
    ctx.claims.sort(key=lambda c: (c.start, c.agent))
    return Report(ctx.claims, region, kb.version)


def _regions(text: str, default: Region) -> tuple[list[Region], bool]:
    found: list[Region] = []
    if REGION_US.search(text):
        found.append("US")
    if REGION_EU.search(text):
        found.append("EU")
    return (found, True) if found else ([default], False)


def _table_row(ctx: _Ctx, row: Span) -> None:
    agents = ctx.lex.agents(row.text)
    conds = ctx.lex.conditions(row.text)
    if len({a.id for a in agents}) != 1 or not conds:
        return
    regions, explicit = _regions(row.text, ctx.region)
    for cond in conds:
        _approval(
            ctx,
            row,
            agents[0],
            cond.id,
            regions,
            explicit,
            negated=False,
            asserted="approved (table row)",
        )


def _resolves(ctx: _Ctx, sent: Span, nxt: Span) -> bool:
    """ "Several agents are approved for X. These include A and B." -> claims on A and B."""
    if not RESOLVE.search(nxt.text) or ctx.lex.agents(sent.text):
        return False
    if not (APPROVAL.search(sent.text) or USE.search(sent.text)):
        return False
    conds = ctx.lex.conditions(sent.text)
    agents = ctx.lex.agents(nxt.text)
    if not conds or not agents:
        return False
    both = Span(sent.start, nxt.end, sent.text + " " + nxt.text)
    negated = _negated(sent.text)
    if HEDGE.search(sent.text):
        for a in agents:
            for c in conds:
                _hedged(ctx, both, a.id, c.id)
        return True
    regions, explicit = _regions(sent.text, ctx.region)
    for a in agents:
        for c in conds:
            _approval(
                ctx,
                both,
                a,
                c.id,
                regions,
                explicit,
                negated=negated,
                asserted="not approved" if negated else "approved",
            )
    return True


def _sentence(ctx: _Ctx, sent: Span) -> None:
    prev_agents: list[Mention] = []
    prev_trigger = False
    if sent.text.rstrip().endswith("?"):
        return  # a question asserts nothing
    for clause in clauses(sent):
        agents = [
            a
            for a in ctx.lex.agents(clause.text)
            if not CONTRAST.search(clause.text[max(0, a.start - 25) : a.start])
        ]
        conds = _objects(clause.text, ctx.lex.conditions(clause.text))
        trigger = bool(APPROVAL.search(clause.text) or USE.search(clause.text))
        use = bool(USE.search(clause.text)) and not APPROVAL.search(clause.text)
        if not agents and prev_agents and conds and (trigger or prev_trigger):
            agents, trigger = prev_agents, True
        if agents:
            prev_agents, prev_trigger = agents, trigger
        if not trigger or not conds:
            continue
        claim_span = Span(sent.start, sent.end, sent.text)
        regions, explicit = _regions(clause.text, ctx.region)
        if not agents:
            _class(ctx, claim_span, clause, conds, regions, explicit)
            continue
        if HEDGE.search(clause.text):
            for a, c in _pairs(agents, conds):
                _hedged(ctx, claim_span, a.id, c)
            continue
        negated = _negated(clause.text)
        first = FIRST.search(clause.text)
        for a, c in _pairs(agents, conds):
            if first and not negated:
                for reg in regions:
                    verdict, ev, corr = judge_first(ctx.kb, a.id, c, reg, a.route)
                    ctx.claims.append(
                        Claim(
                            claim_span.text,
                            claim_span.start,
                            claim_span.end,
                            a.id,
                            c,
                            "first-approved",
                            verdict,
                            ev,
                            corr,
                            reg,
                            f"{first.group(1).lower()} approved",
                        )
                    )
                continue
            asserted = ("not " if negated else "") + ("used for" if use else "approved")
            _approval(ctx, claim_span, a, c, regions, explicit, negated=negated, asserted=asserted)


_BEFORE_TRIGGER = re.compile(
    r"^\W*(?:drugs?|medicines?|medications?|treatments?|therap(?:y|ies)|agents?)?\W*"
    r"(?:approved|approval|licen[cs]ed|indication)",
    re.I,
)
_PATIENT = re.compile(r"\b(?:with|who have|who has|having|has|have)\s+(?:\w+\s+){0,2}$", re.I)


def _objects(text: str, conds: list[Mention]) -> list[Mention]:
    """The conditions an approval word can govern in ``text``.

    A condition counts when it follows the approval word ("approved for X") or is named right
    before it ("X drugs approved", "X: approved"); "people with psoriasis ..., for which
    upadacitinib is approved" names psoriasis as the patients' condition, not the indication.
    With two or more, one named as the patients' ("approved for PsA in people with psoriasis")
    is dropped.
    """
    first = APPROVAL.search(text) or USE.search(text)
    if first is None:
        return conds
    kept = [
        c for c in conds
        if c.start > first.start() or _BEFORE_TRIGGER.match(text[c.end : c.end + 40])
    ]  # fmt: skip
    if len(kept) > 1:
        direct = [c for c in kept if not _PATIENT.search(text[max(0, c.start - 30) : c.start])]
        kept = direct or kept
    return kept


def _negated(text: str) -> bool:
    """Negation governing the approval word ("not only approved for X" is not one)."""
    return bool(NEGATION.search(NOT_ONLY.sub(" ", text)))


def _pairs(agents: list[Mention], conds: list[Mention]) -> list[tuple[Mention, str]]:
    """Agents before conditions: every pair; interleaved: each agent with what follows it."""
    if max(a.start for a in agents) < min(c.start for c in conds) or max(
        c.start for c in conds
    ) < min(a.start for a in agents):
        out = [(a, c.id) for a in agents for c in conds]
    else:
        out = []
        for k, a in enumerate(agents):
            stop = agents[k + 1].start if k + 1 < len(agents) else 10**9
            out += [(a, c.id) for c in conds if a.start < c.start < stop]
    seen: set[tuple[str, str]] = set()
    uniq = []
    for a, c in out:
        if (a.id, c) not in seen:
            seen.add((a.id, c))
            uniq.append((a, c))
    return uniq


def _approval(
    ctx: _Ctx,
    span: Span,
    agent: Mention,
    cid: str,
    regions: list[Region],
    explicit: bool,
    *,
    negated: bool,
    asserted: str,
) -> None:
    for reg in regions:
        verdict, ev, corr = judge_approval(
            ctx.kb, agent.id, cid, reg, explicit=explicit, route=agent.route, negated=negated
        )
        ctx.claims.append(
            Claim(
                span.text,
                span.start,
                span.end,
                agent.id,
                cid,
                "approval",
                verdict,
                ev,
                corr,
                reg,
                asserted,
            )
        )


def _hedged(ctx: _Ctx, span: Span, inn: str, cid: str) -> None:
    from jakguide.claims.model import Evidence

    ctx.claims.append(
        Claim(
            span.text,
            span.start,
            span.end,
            inn,
            cid,
            "approval",
            "not-checkable",
            [
                Evidence(
                    "hedged statement (may / off-label / under study): the labels do not settle it",
                    {"doc": "", "section": ""},
                )
            ],
            None,
            ctx.region,
            "hedged",
        )
    )


def _class(
    ctx: _Ctx, span: Span, clause: Span, conds: list[Mention], regions: list[Region], explicit: bool
) -> None:
    if not CLASS_RE.search(clause.text) and not EXISTENTIAL.search(clause.text):
        return
    if HEDGE.search(clause.text):
        for c in conds:
            _hedged(ctx, span, CLASS, c.id)
        return
    negated = _negated(clause.text)
    existential = bool(EXISTENTIAL.search(clause.text))
    for c in conds:
        for reg in regions:
            verdict, ev, corr = judge_class_approval(
                ctx.kb, c.id, reg, negated=negated, existential=existential
            )
            asserted = (
                "no agent approved"
                if negated
                else "some agents approved"
                if existential
                else "the class is approved"
            )
            ctx.claims.append(
                Claim(
                    span.text,
                    span.start,
                    span.end,
                    CLASS,
                    c.id,
                    "approval",
                    verdict,
                    ev,
                    corr,
                    reg,
                    asserted,
                )
            )
