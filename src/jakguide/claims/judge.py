"""Verdicts on approval claims, read from the knowledge's indication lists.

Precision over recall: an approval claim is ``false`` only where the knowledge holds the agent's
complete indication list for the region and route. A monograph covers the routes of its forms;
an INN whose monograph holds only topical forms may name another product (oral ruxolitinib is a
haematology product the knowledge does not encode), so an unqualified INN of such an agent is
not settled unless the text names the cream or the brand. An indication kept ``verified: false``
settles nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jakguide.claims.model import Evidence, Verdict
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, Monograph, Region

Status = Literal["approved", "unverified", "subtype", "absent", "unsettled", "no-label"]
REGION_NAMES = {"US": "US (FDA)", "EU": "EU (EMA)"}


def cite(c: Citation) -> dict[str, str]:
    return {"doc": c.doc, "section": c.section}


@dataclass(frozen=True)
class Approval:
    status: Status
    evidence: list[Evidence]
    narrower: tuple[str, ...] = ()


def cond_name(kb: Knowledge, cid: str) -> str:
    cond = kb.conditions.get(cid)
    return cond.name if cond else cid


def _covered(mono: Monograph, route: str | None) -> bool:
    routes = {f.route for f in mono.forms}
    if route is None:
        return routes != {"topical"}
    return route in routes


def approval_status(
    kb: Knowledge, inn: str, cid: str, region: Region, route: str | None
) -> Approval:
    """Whether ``inn`` is approved for ``cid`` in ``region``, as far as the knowledge settles."""
    mono = kb.drugs[inn]
    label = mono.regions.get(region)
    if label is None:
        return Approval(
            "no-label",
            [
                Evidence(
                    f"{mono.inn} has no {REGION_NAMES[region]} label "
                    "in the knowledge (not marketed there)",
                    {"doc": "knowledge", "section": f"drugs/{inn}"},
                )
            ],
        )
    hits = [i for i in label.indications if i.condition == cid]
    if hits:
        ind = hits[0]
        ev = [Evidence(f"{REGION_NAMES[region]}: {ind.text}", cite(ind.source))]
        if not ind.source.verified:
            return Approval("unverified", ev)
        return Approval("approved", ev)
    listed = ", ".join(cond_name(kb, i.condition) for i in label.indications)
    ev = [
        Evidence(
            f"{REGION_NAMES[region]} indications of {mono.inn}: {listed}",
            {"doc": label.label, "section": "Indications"},
        )
    ]
    for note in (*label.notes, *mono.notes):
        topic = note.topic.lower().replace(" ", "-")
        about = (
            "not-approved" in topic or topic == cid or cid.replace("-", " ") in note.text.lower()
        )
        if about and "approved" in note.text.lower():
            ev.append(Evidence(note.text, cite(note.source)))
    narrower = tuple(i.condition for i in label.indications if i.condition.endswith("-" + cid))
    if narrower:
        return Approval("subtype", ev, narrower)
    if not _covered(mono, route):
        forms = ", ".join(f.name for f in mono.forms)
        ev.append(
            Evidence(
                f"The knowledge covers {forms} only; other products of {mono.inn} are not encoded",
                cite(mono.forms[0].source),
            )
        )
        return Approval("unsettled", ev)
    return Approval("absent", ev)


def _other(region: Region) -> Region:
    return "EU" if region == "US" else "US"


def judge_approval(
    kb: Knowledge,
    inn: str,
    cid: str,
    region: Region,
    *,
    explicit: bool,
    route: str | None,
    negated: bool,
) -> tuple[Verdict, list[Evidence], str | None]:
    """Verdict, evidence and correction for "INN is (not) approved for CID in REGION"."""
    here = approval_status(kb, inn, cid, region, route)
    there = approval_status(kb, inn, cid, _other(region), route)
    name, cname = kb.drugs[inn].inn, cond_name(kb, cid)
    ev = list(here.evidence)
    if there.status == "approved":
        ev.extend(there.evidence[:1])
    where = REGION_NAMES[region]
    if here.status in ("unverified", "unsettled"):
        return "not-checkable", ev, None
    if here.status == "subtype":
        sub = ", ".join(cond_name(kb, c) for c in here.narrower)
        return (
            "partly-true",
            ev,
            f"In the {where}, {name} is approved for {sub} only, not {cname} in general.",
        )
    if here.status == "approved":
        if negated:
            return "false", ev, f"{name} is approved for {cname} in the {where}."
        return "true", ev, None
    # absent or no label in this region
    elsewhere = there.status == "approved"
    other_name = REGION_NAMES[_other(region)]
    elsewhere_only = f"{name} is approved for {cname} in the {other_name}, not in the {where}."
    if negated:
        if elsewhere and not explicit:
            return "partly-true", ev, elsewhere_only
        if here.status == "absent" or explicit:
            return "true", ev, None
        return "not-checkable", ev, None
    if elsewhere and not explicit:
        return "partly-true", ev, elsewhere_only
    if here.status == "absent" or (here.status == "no-label" and explicit):
        return "false", ev, _not_approved(kb, inn, cid, region)
    if here.status == "no-label" and there.status == "absent":
        return "false", ev, _not_approved(kb, inn, cid, region)
    return "not-checkable", ev, None


def _not_approved(kb: Knowledge, inn: str, cid: str, region: Region) -> str:
    mono = kb.drugs[inn]
    label = mono.regions.get(region)
    cname = cond_name(kb, cid)
    if label is None:
        return (
            f"{mono.inn} is not authorised in the {REGION_NAMES[region]}; "
            f"it is not approved for {cname} there."
        )
    listed = ", ".join(cond_name(kb, i.condition) for i in label.indications)
    return (
        f"{mono.inn} is not approved for {cname} in the {REGION_NAMES[region]}; "
        f"it is approved for {listed}."
    )


def judge_first(
    kb: Knowledge, inn: str, cid: str, region: Region, route: str | None
) -> tuple[Verdict, list[Evidence], str | None]:
    """ "First/only approved for CID": false only if never approved for it in any region."""
    here = approval_status(kb, inn, cid, region, route)
    there = approval_status(kb, inn, cid, _other(region), route)
    states = {here.status, there.status}
    ev = here.evidence + there.evidence[:1]
    if states <= {"absent", "no-label"} and "absent" in states:
        name, cname = kb.drugs[inn].inn, cond_name(kb, cid)
        return "false", ev, f"{name} has never been approved for {cname} (US or EU)."
    return "not-checkable", ev, None


def judge_class_approval(
    kb: Knowledge, cid: str, region: Region, *, negated: bool, existential: bool
) -> tuple[Verdict, list[Evidence], str | None]:
    """A statement about the class, judged against every agent marketed in ``region``."""
    approved: list[str] = []
    unsettled: list[str] = []
    others: list[str] = []
    ev: list[Evidence] = []
    for mono in kb.marketed(region):
        st = approval_status(kb, mono.id, cid, region, None)
        if st.status == "approved":
            approved.append(mono.inn)
            ev.append(st.evidence[0])
        elif st.status == "absent":
            others.append(mono.inn)
        else:
            unsettled.append(mono.inn)
    cname, where = cond_name(kb, cid), REGION_NAMES[region]
    ev.append(
        Evidence(
            f"{where}: approved for {cname}: {', '.join(approved) or 'none'}; not approved: "
            f"{', '.join(others) or 'none'}; not settled: {', '.join(unsettled) or 'none'}",
            {"doc": "knowledge", "section": "indications of every agent"},
        )
    )
    verb = "is" if len(approved) == 1 else "are"
    only = f"In the {where}, only {', '.join(approved)} {verb} approved for {cname}."
    if negated:
        if approved:
            return "false", ev, only
        return ("true" if not unsettled else "not-checkable"), ev, None
    if existential:
        if approved:
            return "true", ev, None
        if not unsettled:
            return "false", ev, f"No JAK-family agent is approved for {cname} in the {where}."
        return "not-checkable", ev, None
    if approved and not others and not unsettled:
        return "true", ev, None
    if approved:
        return "partly-true", ev, only
    if not unsettled:
        return "false", ev, f"No JAK-family agent is approved for {cname} in the {where}."
    return "not-checkable", ev, None
