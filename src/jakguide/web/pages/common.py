"""Shared machinery of the HTML pages: templates, the page route class, login and CSRF checks.

Why a route class: page handlers raise the same exceptions as the API (a record outside the
clinic, bad input), but a person should get an HTML page back, not problem JSON; and a page that
needs a login redirects to the login form instead of answering 401. Why our own session check:
HTML forms cannot send the ``X-CSRF-Token`` header, so page forms carry the session's CSRF token
in a hidden field (``csrf_token``) and every POST compares it with the session's (double submit:
the token is also in the ``jakguide_csrf`` cookie for scripts).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError
from starlette.datastructures import FormData

from jakguide import __version__
from jakguide.adapters.native import check_day
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import DISCLAIMER
from jakguide.store.audit import Actor
from jakguide.store.models import AuthToken, Clinician
from jakguide.store.records import RecordNotFoundError
from jakguide.web.denied import audit_denied
from jakguide.web.deps import SESSION_COOKIE, SessionDep, clinic_today

HERE = Path(__file__).parent.parent  # web/: templates and static files
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Clinician pages: everything from our own origin, no inline script or style.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
#: The guide document inlines its style sheet and has no scripts, images or forms.
GUIDE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
REGIONS = ("US", "EU")
STATUS_ORDER = (
    "eligible",
    "caution",
    "needs-data",
    "not-recommended",
    "not-indicated",
    "contraindicated",
)
STATUS_TEXT = {
    "eligible": "Eligible",
    "caution": "Caution",
    "needs-data": "Needs data",
    "not-recommended": "Not recommended",
    "not-indicated": "Not indicated",
    "contraindicated": "Contraindicated",
}


@dataclass
class PagesConfig:
    """Page settings kept on the app (``app.state.jakguide_pages``).

    ``as_of``: the default "today" of the pages (``jakguide demo --as-of``); None: today in the
    clinic's time zone.
    """

    as_of: dt.date | None = None


def config(request: Request) -> PagesConfig:
    found = getattr(request.app.state, "jakguide_pages", None)
    return found if isinstance(found, PagesConfig) else PagesConfig()


# --------------------------------------------------------------------------- templates


def _fmt_date(value: dt.date | dt.datetime | str | None) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {value:%b} {value.year}"


def _fmt_number(value: float | int | None, decimals: int = 1) -> str:
    if value is None:
        return "-"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _fmt_date
    env.filters["num"] = _fmt_number
    env.globals["STATUS_TEXT"] = STATUS_TEXT
    return env


ENV = _environment()


def base_context(kb: Knowledge) -> dict[str, Any]:
    """What every page shows: disclaimer, knowledge version and release date, app version."""
    return {
        "disclaimer": DISCLAIMER,
        "kb_version": kb.version,
        "kb_release": kb.index.release_date,
        "app_version": __version__,
        "analyte_names": {a.id: a.name for a in kb.analytes.values()},
        "clinician": None,
        "csrf": None,
        "nav": "",
    }


def render_html(
    kb: Knowledge,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    data = base_context(kb)
    data.update(context)
    html = ENV.get_template(template).render(**data)
    out = {"Content-Security-Policy": PAGE_CSP, "Referrer-Policy": "same-origin"}
    out.update(COMMON_HEADERS)
    out.update(headers or {})
    return HTMLResponse(html, status_code=status, headers=out)


# --------------------------------------------------------------------------- errors


class PageError(Exception):
    """An error a person should read as a page (status, title, message)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


class LoginRequiredError(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    kb: Knowledge = request.app.state.jakguide.kb
    headers = {}
    if request.url.path.startswith("/p/"):
        headers["Referrer-Policy"] = "no-referrer"
    return render_html(
        kb,
        "error.html.j2",
        {"status": status, "title": title, "message": message},
        status=status,
        headers=headers,
    )


def safe_next(raw: str | None) -> str:
    """A local path to go back to after login (never another origin)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/patients"
    return raw


class PageRoute(APIRoute):
    """Turns page errors into HTML: login redirects, 404 and 4xx pages (never problem JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequiredError as exc:
                target = "/login?next=" + quote(exc.next_url, safe="/")
                return RedirectResponse(target, status_code=303)
            except RecordNotFoundError as exc:
                await audit_denied(request, exc)
                return error_page(
                    request, 404, "Not found", f"There is no such {exc.resource} in your clinic."
                )
            except PageError as exc:
                return error_page(request, exc.status, exc.title, exc.message)
            except InputError as exc:
                return error_page(request, 422, "Invalid input", str(exc))
            except ValidationError as exc:  # a model built from form values (defence in depth)
                errs = exc.errors()
                where = ".".join(str(p) for p in errs[0]["loc"]) if errs else "form"
                msg = errs[0]["msg"] if errs else "invalid"
                return error_page(request, 422, "Invalid input", f"{where}: {msg}")
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()))
                return error_page(
                    request, 422, "Invalid input", f"{where}: {first.get('msg', 'invalid')}"
                )

        return handler


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


# --------------------------------------------------------------------------- login and CSRF


@dataclass(frozen=True)
class Clin:
    """The logged-in clinician of a page request."""

    clinician: Clinician
    token: AuthToken
    actor: Actor

    @property
    def csrf(self) -> str:
        return self.token.csrf_token or ""


def page_auth(request: Request, session: SessionDep) -> Clin:
    """The clinician behind the session cookie; otherwise a redirect to the login page."""
    from jakguide.store.accounts import resolve_token

    raw = request.cookies.get(SESSION_COOKIE, "")
    token = resolve_token(session, raw, "session") if raw else None
    if token is None:
        query = request.url.query
        raise LoginRequiredError(request.url.path + (f"?{query}" if query else ""))
    user = token.clinician
    actor = Actor(user.id, user.clinic_id, user.clinic.timezone)
    request.state.actor = actor
    return Clin(user, token, actor)


ClinDep = Annotated[Clin, Depends(page_auth)]


async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The submitted form (urlencoded or multipart), read once in the event loop; uploaded
    files are closed after the response."""
    form = await request.form(max_files=1, max_fields=400)
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(read_form)]


def check_csrf(form: FormData, clin: Clin) -> None:
    """403 unless the form's ``csrf_token`` is the session's CSRF token."""
    sent = form.get("csrf_token")
    expected = clin.csrf
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise PageError(
            403,
            "Form expired",
            "This form could not be checked (missing or wrong CSRF token). Reload the page and "
            "send it again.",
        )


def page_context(clin: Clin, nav: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"clinician": clin.clinician, "csrf": clin.csrf, "nav": nav, "title": title, **extra}


# --------------------------------------------------------------------------- values


def page_day(request: Request, actor: Actor | None, raw: str | None) -> dt.date:
    """The page's "today": ``?as_of=``, else the configured day, else today in the clinic."""
    if raw:
        try:
            return check_day(dt.date.fromisoformat(raw), "as_of")
        except ValueError:
            raise PageError(
                422, "Invalid date", f"as_of {raw[:40]!r} is not a date; use YYYY-MM-DD."
            ) from None
        except InputError as exc:
            raise PageError(422, "Invalid date", f"as_of {raw}: {exc.reason}.") from None
    fixed = config(request).as_of
    if fixed is not None:
        return fixed
    if actor is None:
        return dt.datetime.now(dt.UTC).date()
    return clinic_today(actor)


def region_of(raw: str | None, default: str = "US") -> str:
    if not raw:
        return default
    if raw not in REGIONS:
        raise PageError(422, "Invalid region", f"region {raw[:20]!r}: use US or EU.")
    return raw


def form_str(form: FormData, name: str, limit: int = 500) -> str:
    """A text field of the form, stripped (files and missing fields are empty); control
    characters and lone surrogates are dropped (no form field may store them)."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return _FORM_BAD.sub("", value).strip()[:limit]


_FORM_BAD = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff]")


def condition_name(kb: Knowledge, cid: str) -> str:
    found = kb.conditions.get(cid)
    return found.name if found is not None else cid


def analyte_name(kb: Knowledge, aid: str) -> str:
    found = kb.analyte(aid)
    return found.name if found is not None else aid


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
