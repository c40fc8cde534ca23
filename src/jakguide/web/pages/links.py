"""Patient links and self-report: the clinician creates or revokes a link; the patient opens
their guide and a short self-report form through it.

Security (see ``jakguide.store.links``): the token is 256 random bits, stored as SHA-256,
expiring and revocable; every open, successful or not, is an audit row; patient pages are sent
with ``Referrer-Policy: no-referrer`` (the token is in the path) and ``noindex``; they read no
session cookie and take no patient id from the request: the link row names the one patient it
reaches. A form posted through a link needs no CSRF token: the unguessable link is the
credential, and another site cannot know it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.store import links as store_links
from jakguide.store.convert import to_patient
from jakguide.store.models import Clinic
from jakguide.store.records import Records
from jakguide.web.deps import AppState, KbDep, SessionDep
from jakguide.web.pages.common import (
    REGIONS,
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    config,
    form_str,
    page_context,
    page_router,
    render_html,
)
from jakguide.web.pages.patient_list import quiet_record
from jakguide.web.pages.patients import guide_request, guide_response
from jakguide.web.pages.scores import check_score, form_fields, parse_fields

router = page_router()

PATIENT_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
PATIENT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
#: Side effects a patient can tick (plain words; free text is possible too).
SIDE_EFFECTS = (
    "cold, sore throat or flu-like symptoms",
    "cold sores",
    "painful rash with blisters",
    "upset stomach, nausea or diarrhoea",
    "headache",
    "acne or spots",
    "feeling very tired",
    "cough or shortness of breath",
)
ITCH_MAX = 10
QUESTIONNAIRE_TITLES = {"basdai": "BASDAI", "dlqi": "DLQI"}


# --------------------------------------------------------------------------- clinician side


@router.post("/patients/{patient_id}/links")
def create_link(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
) -> Response:
    check_csrf(form, clin)
    records = Records(session, clin.actor, kb)
    row = records.get_patient(patient_id)
    drug = form_str(form, "drug", 100) or None
    if drug is not None and drug not in kb.drugs:
        raise PageError(422, "Unknown drug", f"{drug[:60]!r} is not a drug in the knowledge.")
    region = form_str(form, "region", 4) or "US"
    if region not in REGIONS:
        raise PageError(422, "Invalid region", "Use US or EU.")
    try:
        days = int(form_str(form, "days", 10) or store_links.DEFAULT_DAYS)
    except ValueError:
        raise PageError(422, "Invalid lifetime", "Enter the days as a whole number.") from None
    raw, link = store_links.create_link(
        session,
        row,
        clin.clinician.id,
        questionnaire=form_str(form, "questionnaire", 16),
        days=days,
        drug=drug,
        region=region,
    )
    session.commit()
    url = public_base(request) + f"/p/{raw}"
    return render_html(
        kb,
        "link_created.html.j2",
        page_context(
            clin, "patients", "Patient link created", pid=patient_id, label=row.label, url=url,
            link=link, qr=qr_data_uri(url),
        ),
        headers={"Referrer-Policy": "no-referrer"},
    )  # fmt: skip


def qr_data_uri(url: str) -> str:
    """The link as a QR code (SVG data URI; segno, offline) for the printable slip."""
    import segno

    code = segno.make(url, error="m", micro=False)
    found: str = code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
    return found


@router.post("/patients/{patient_id}/links/{link_id}/revoke")
def revoke_link(
    patient_id: str,
    link_id: Annotated[int, Path(ge=1, le=2**62)],
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
) -> Response:
    check_csrf(form, clin)
    Records(session, clin.actor, kb).get_patient(patient_id)
    if not store_links.revoke_link(session, patient_id, link_id, clin.clinician.id):
        raise PageError(404, "Not found", "This patient has no such link.")
    session.commit()
    return RedirectResponse(f"/patients/{patient_id}?added=link revoked#links-h", 303)


def public_base(request: Request) -> str:
    """Where patients reach the server: the configured public URL, else the address this
    server listens on; never the request's ``Host`` header (anyone can send any Host)."""
    configured = request.app.state.jakguide.settings.public_url
    if configured:
        return str(configured).rstrip("/")
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    scheme = request.url.scheme
    default = (scheme, port) in (("http", 80), ("https", 443))
    return f"{scheme}://{host}" + ("" if default else f":{port}")


# --------------------------------------------------------------------------- patient side


def _patient_page(
    kb: Knowledge, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    headers = {**PATIENT_HEADERS, "Content-Security-Policy": PATIENT_CSP}
    return render_html(kb, template, context, status=status, headers=headers)


def _open(request: Request, session: Session, token: str, what: str) -> store_links.Opened:
    """The link's patient, or a "not valid" page (the attempt is audited either way: unknown
    tokens in aggregate, see ``web.linkguard``; 429 after too many failures from one client)."""
    app: AppState = request.app.state.jakguide
    client = request.client.host if request.client else "unknown"
    wait = app.link_failures.retry_after(client)
    if wait is not None:
        raise PageError(
            429,
            "Too many attempts",
            f"Too many links that do not work were opened from here; try again in {wait} s.",
        )
    opened = store_links.open_link(session, token, what)
    session.commit()
    if opened is None:
        if not _known_token(session, token):
            app.link_failures.failed(client, app.db)
        raise PageError(
            404,
            "This link does not work",
            "The link has expired, was withdrawn, or is not complete. Ask your clinic for a "
            "new link.",
        )
    return opened


def _known_token(session: Session, token: str) -> bool:
    """Whether the token belongs to a link (expired or revoked ones are audited per link)."""
    if not token or len(token) > store_links.MAX_TOKEN_CHARS:
        return False
    digest = store_links.token_digest(token)
    found = session.scalar(
        select(store_links.PatientLink.id).where(store_links.PatientLink.token_hash == digest)
    )
    session.commit()
    return found is not None


def _today(request: Request, session: Session, opened: store_links.Opened) -> dt.date:
    fixed = config(request).as_of
    if fixed is not None:
        return fixed
    clinic = session.get(Clinic, opened.link.clinic_id)
    tz = ZoneInfo(clinic.timezone if clinic else "UTC")
    return dt.datetime.now(tz).date()


def _context(opened: store_links.Opened, token: str, **extra: Any) -> dict[str, Any]:
    link = opened.link
    return {
        "title": extra.pop("title", "Your pages"),
        "base": f"/p/{token}",
        "link": link,
        "questionnaire_title": QUESTIONNAIRE_TITLES.get(link.questionnaire, link.questionnaire),
        **extra,
    }


@router.get("/p/{token}")
def patient_home(request: Request, token: str, session: SessionDep, kb: KbDep) -> Response:
    opened = _open(request, session, token, "home")
    sent = request.query_params.get("sent") == "1"
    return _patient_page(kb, "p_home.html.j2", _context(opened, token, sent=sent))


def _guide(request: Request, token: str, session: Session, kb: Knowledge, fmt: str) -> Response:
    opened = _open(request, session, token, f"guide-{fmt}")
    link = opened.link
    if link.drug is None:
        raise PageError(404, "No guide", "Your clinic has not chosen a medicine guide for you.")
    day = _today(request, session, opened)
    patient = to_patient(quiet_record(session, opened.patient), kb, day)
    req = guide_request(kb, patient, link.drug, link.condition, link.region, day)
    response = guide_response(kb, patient, req, fmt, None)
    response.headers.update(PATIENT_HEADERS)
    return response


@router.get("/p/{token}/guide")
def patient_guide(request: Request, token: str, session: SessionDep, kb: KbDep) -> Response:
    return _guide(request, token, session, kb, "html")


@router.get("/p/{token}/guide.pdf")
def patient_guide_pdf(request: Request, token: str, session: SessionDep, kb: KbDep) -> Response:
    return _guide(request, token, session, kb, "pdf")


def _report_page(
    kb: Knowledge,
    opened: store_links.Opened,
    token: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    from jakguide.instruments import DLQI_NOTICE

    questionnaire = opened.link.questionnaire
    return _patient_page(
        kb,
        "p_report.html.j2",
        _context(
            opened,
            token,
            title="Tell your clinic how you are",
            fields=form_fields(questionnaire),
            values=values,
            errors=errors,
            side_effects=SIDE_EFFECTS,
            itch_max=ITCH_MAX,
            ask_itch=questionnaire == "dlqi",  # itch belongs to the skin questionnaires
            notice=DLQI_NOTICE if questionnaire == "dlqi" else None,
        ),
        status,
    )


@router.get("/p/{token}/report")
def report_form(request: Request, token: str, session: SessionDep, kb: KbDep) -> Response:
    opened = _open(request, session, token, "report")
    return _report_page(kb, opened, token, {"side_effects": []}, {})


@router.post("/p/{token}/report")
def report_submit(
    request: Request, token: str, form: FormDep, session: SessionDep, kb: KbDep
) -> Response:
    opened = _open(request, session, token, "report-submit")
    questionnaire = opened.link.questionnaire
    parsed = parse_fields(questionnaire, form)
    check_score(questionnaire, parsed)
    errors = parsed.errors
    itch: float | None = None
    raw_itch = form_str(form, "itch", 10)
    if raw_itch:
        try:
            itch = float(raw_itch)
            if not 0 <= itch <= ITCH_MAX:
                raise ValueError
        except ValueError:
            errors["itch"] = f"Choose a number from 0 to {ITCH_MAX}."
            itch = None
    ticked = [v for v in form.getlist("side_effects") if isinstance(v, str) and v in SIDE_EFFECTS]
    note = form_str(form, "note", 1000)
    values: dict[str, Any] = {k: form_str(form, k, 1000) for k in form if k != "side_effects"}
    values["side_effects"] = ticked
    if errors:
        return _report_page(kb, opened, token, values, errors, 422)
    try:
        store_links.add_self_report(
            session,
            opened,
            _today(request, session, opened),
            instrument=questionnaire,
            inputs=parsed.inputs,
            itch=itch,
            side_effects=ticked,
            note=note,
        )
    except InputError as exc:
        return _report_page(kb, opened, token, values, {"form": str(exc)}, 422)
    session.commit()
    return RedirectResponse(f"/p/{token}?sent=1", status_code=303)
