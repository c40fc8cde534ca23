"""Public pages, no login: the condition guides, symptom triage and the decision aid.

``/guides`` lists the condition guides; ``/guides/{condition}?region=`` is one guide (HTML, or
PDF with ``format=pdf``). ``/triage`` asks for a drug and symptoms and says how urgent they are
(``guide.triage``). ``/decide`` ("Is a JAK inhibitor right for me?") turns the reader's own
answers into a printable list of points to discuss. Both forms work by POST without JavaScript;
the answers are used for the one response and never stored or logged (the access log records only
the method and route).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from jakguide.errors import InputError, JakguideError
from jakguide.guide.condition import (
    SHARED,
    build_condition_guide,
    condition_guide_html,
    condition_guide_pdf,
)
from jakguide.guide.triage import INTENDED_USE, triage, triage_data
from jakguide.kb.base import Knowledge
from jakguide.web.deps import KbDep
from jakguide.web.pages.common import (
    COMMON_HEADERS,
    GUIDE_CSP,
    REGIONS,
    FormDep,
    PageError,
    page_day,
    page_router,
    region_of,
    render_html,
)

router = page_router()
# What the header and footer of these pages say (the site's default addresses clinicians).
PUBLIC_USE = (
    "Information for people with these conditions and people taking these medicines, from the "
    "drug labels. Not a diagnosis; it does not replace your care team."
)
GUIDE_CONDITIONS = (
    "plaque-psoriasis",
    "psoriatic-arthritis",
    "ankylosing-spondylitis",
    "rheumatoid-arthritis",
    "atopic-dermatitis",
    "alopecia-areata",
    "vitiligo",
    "ulcerative-colitis",
    "crohns-disease",
    "chronic-hand-eczema",
)
FACTORS = (
    "age",
    "smoking",
    "heart",
    "clots",
    "cancer",
    "infections",
    "pregnancy",
    "medicines",
    "earlier",
)
_MAX_SYMPTOMS = 30


def _plain(kb: Knowledge, cid: str) -> str:
    st = kb.guide.get(f"condition.{cid}")
    return st.text if st else kb.conditions[cid].name


def _text(kb: Knowledge, sid: str) -> str:
    return kb.guide[sid].text


@router.get("/guides")
def guides_index(kb: KbDep) -> Response:
    rows = [
        (cid, " or ".join(_plain(kb, c) for c in SHARED.get(cid, (cid,))))
        for cid in GUIDE_CONDITIONS
        if cid in kb.conditions
    ]
    return render_html(
        kb,
        "pub_guides.html.j2",
        {
            "title": "Guides to JAK medicines",
            "rows": rows,
            "regions": REGIONS,
            "nav": "guides",
            "disclaimer": PUBLIC_USE,
        },
    )


@router.get("/guides/{condition}")
def condition_guide_page(
    request: Request,
    condition: str,
    kb: KbDep,
    region: str | None = None,
    format: str = "html",
    as_of: str | None = None,
) -> Response:
    if condition not in kb.conditions:
        raise PageError(404, "Unknown condition", f"{condition[:60]!r} is not a condition we know.")
    reg = region_of(region)
    day = page_day(request, None, as_of)
    guide = build_condition_guide(condition, reg, day, kb)
    headers = dict(COMMON_HEADERS)
    if format == "pdf":
        try:
            data = condition_guide_pdf(guide)
        except JakguideError as exc:
            raise PageError(503, "PDF unavailable", str(exc)) from None
        name = f"guide-{condition}-{reg}.pdf"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(data, media_type="application/pdf", headers=headers)
    if format != "html":
        raise PageError(422, "Invalid format", f"format {format[:10]!r}: use html or pdf.")
    headers["Content-Security-Policy"] = GUIDE_CSP
    return Response(
        condition_guide_html(guide), media_type="text/html; charset=utf-8", headers=headers
    )


def _triage_context(kb: Knowledge, **extra: Any) -> dict[str, Any]:
    data = triage_data(kb)
    return {
        "title": "Check a symptom",
        "disclaimer": PUBLIC_USE,
        "nav": "triage",
        "drugs": sorted(kb.drugs),
        "regions": REGIONS,
        "symptoms": [(s.id, s.words[0]) for s in data.symptoms],
        "intended_use": INTENDED_USE,
        "numbers": {r: n.number for r, n in data.emergency_numbers.items()},
        "result": None,
        "chosen": {"drug": "", "region": "US", "ids": [], "words": ""},
        **extra,
    }


@router.get("/triage")
def triage_form(kb: KbDep) -> Response:
    return render_html(kb, "pub_triage.html.j2", _triage_context(kb))


@router.post("/triage")
def triage_post(kb: KbDep, form: FormDep) -> Response:
    drug = str(form.get("drug") or "").strip()
    region = region_of(str(form.get("region") or "US"))
    ids = [str(v) for v in form.getlist("symptom")][:_MAX_SYMPTOMS]
    words = str(form.get("words") or "")[:2000]
    free = [w.strip() for w in words.replace(";", "\n").splitlines() if w.strip()]
    chosen = {"drug": drug, "region": region, "ids": ids, "words": words}
    try:
        result = triage(drug, [*ids, *free][:_MAX_SYMPTOMS], region, kb)
    except InputError as exc:
        ctx = _triage_context(kb, chosen=chosen, error=str(exc))
        return render_html(kb, "pub_triage.html.j2", ctx, status=422)
    ctx = _triage_context(kb, chosen=chosen, result=result)
    return render_html(kb, "pub_triage.html.j2", ctx)


def _decide_context(kb: Knowledge, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Is a JAK medicine right for me?",
        "disclaimer": PUBLIC_USE,
        "nav": "decide",
        "intro": _text(kb, "decide.intro"),
        "factors": [(f, _text(kb, f"decide.{f}.ask")) for f in FACTORS],
        "points": None,
        **extra,
    }


@router.get("/decide")
def decide_form(kb: KbDep) -> Response:
    return render_html(kb, "pub_decide.html.j2", _decide_context(kb))


@router.post("/decide")
def decide_post(kb: KbDep, form: FormDep) -> Response:
    ticked = [f for f in FACTORS if form.get(f) == "yes"]
    points = [(_text(kb, f"decide.{f}.ask"), _text(kb, f"decide.{f}.means")) for f in ticked]
    sources = sorted(
        {
            (c.doc, c.section)
            for f in ticked
            for c in [
                kb.guide[f"decide.{f}.means"].source,
                *kb.guide[f"decide.{f}.means"].more_sources,
            ]
        }
    )
    titles = {doc: kb.sources[doc].title for doc, _ in sources if doc in kb.sources}
    ctx = _decide_context(
        kb,
        points=points,
        none=_text(kb, "decide.none") if not points else None,
        checks=_text(kb, "decide.checks"),
        sources=[(titles.get(d, d), s) for d, s in sources],
        ticked=ticked,
    )
    return render_html(kb, "pub_decide.html.j2", ctx)
