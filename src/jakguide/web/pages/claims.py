"""``/claims``: paste an article, get its claims about JAK-family agents judged (issue 17).

The page calls the claim checker's public entry point (``jakguide.claims.check_text``) and shows
what it returns; it judges nothing itself. The pasted text is untrusted: the template escapes it
(the highlighted copy is built by ``jakguide.claims.render.highlighted``, which escapes every
piece of the article).
"""

from __future__ import annotations

from fastapi.responses import Response
from markupsafe import Markup

from jakguide.web.deps import KbDep
from jakguide.web.pages.common import (
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    form_str,
    page_context,
    page_router,
    region_of,
    render_html,
)

router = page_router()
MAX_CHARS = 60_000


@router.get("/claims")
def claims_form(clin: ClinDep, kb: KbDep) -> Response:
    from jakguide.claims.model import KINDS, NOT_LOOKED_FOR

    return render_html(
        kb,
        "claims.html.j2",
        page_context(
            clin,
            "claims",
            "Check an article",
            text="",
            region="US",
            report=None,
            kinds=KINDS,
            not_looked_for=NOT_LOOKED_FOR,
        ),
    )


@router.post("/claims")
def claims_check(clin: ClinDep, kb: KbDep, form: FormDep) -> Response:
    from jakguide.claims import check_text
    from jakguide.claims.model import KINDS, NOT_LOOKED_FOR
    from jakguide.claims.render import highlighted

    check_csrf(form, clin)
    raw = form.get("text")
    if isinstance(raw, str) and len(raw) > MAX_CHARS:
        raise PageError(422, "Article too long", f"text: {len(raw)} characters; up to {MAX_CHARS}.")
    text = form_str(form, "text", MAX_CHARS)
    region = region_of(form_str(form, "region", 4) or None)
    if not text:
        raise PageError(422, "No text", "text: empty; paste the article to check.")
    report = check_text(text, kb, region)  # type: ignore[arg-type]
    return render_html(
        kb,
        "claims.html.j2",
        page_context(
            clin,
            "claims",
            "Claim check",
            text=text,
            region=region,
            report=report,
            summary=report.summary(),
            # highlighted() escapes every piece of the article itself
            marked=Markup(highlighted(text, report.claims)),
            kinds=KINDS,
            not_looked_for=NOT_LOOKED_FOR,
        ),
    )
