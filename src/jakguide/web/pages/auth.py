"""Login and logout pages (the same accounts, sessions and rate limit as ``/api/auth``).

The login form itself is protected against login CSRF by a double-submit token: the form page
sets a random ``jakguide_login`` cookie and puts the same value in a hidden field.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from jakguide.web.auth import check_credentials, start_session
from jakguide.web.deps import CSRF_COOKIE, SESSION_COOKIE, KbDep, SessionDep, StateDep
from jakguide.web.pages.common import (
    ClinDep,
    FormDep,
    check_csrf,
    form_str,
    page_router,
    render_html,
    safe_next,
)
from jakguide.web.problems import ProblemError

router = page_router()
LOGIN_COOKIE = "jakguide_login"


@router.get("/")
def home(request: Request) -> Response:
    """The start page: the patient list (which asks for a login when needed)."""
    return RedirectResponse("/patients", status_code=303)


def _login_page(
    kb: KbDep,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = render_html(
        kb,
        "login.html.j2",
        {
            "title": "Log in",
            "next": next_url,
            "username": username,
            "error": error,
            "login_nonce": nonce,
        },
        status=status,
        headers=headers,
    )
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login")
def login_form(kb: KbDep, next: str | None = None) -> Response:
    return _login_page(kb, safe_next(next))


@router.post("/login")
def login_submit(
    request: Request, form: FormDep, app: StateDep, session: SessionDep, kb: KbDep
) -> Response:
    next_url = safe_next(form_str(form, "next", 2000))
    username = form_str(form, "username", 200)
    password = form.get("password")
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = form_str(form, "login_nonce", 100)
    if not cookie or not hmac.compare_digest(cookie, sent):
        return _login_page(
            kb, next_url, username, "The login form expired; please log in again.", 403
        )
    if not username or not isinstance(password, str) or not password:
        return _login_page(kb, next_url, username, "Enter your username and password.", 422)
    try:
        user = check_credentials(app, request, session, username, password[:1000])
    except ProblemError as exc:
        headers = {k: v for k, v in (exc.headers or {}).items() if k == "Retry-After"}
        return _login_page(kb, next_url, username, str(exc.detail), exc.status_code, headers)
    response = RedirectResponse(next_url, status_code=303)
    start_session(app, request, response, session, user)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(clin: ClinDep, form: FormDep, session: SessionDep) -> Response:
    check_csrf(form, clin)
    token = session.merge(clin.token)
    session.delete(token)
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
