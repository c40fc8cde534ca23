"""HTML pages for clinicians and patients, served by the same FastAPI app as the REST API.

Mounted automatically by ``create_app`` (``register(app)``). Pages are server-rendered Jinja2
templates with one small script (``static/app.js``) and one vendored library (Chart.js) for the
plots; everything is served from ``/static`` so the app works offline. Every page shows the
intended-use disclaimer and the knowledge version and release date.

| pages | module |
|---|---|
| ``/login``, ``/logout`` | ``auth`` |
| ``/drugs``, ``/sources`` | ``drugs`` |
| ``/assess`` | ``assess`` |
| ``/patients?q=&condition=&agent=&show=&sort=&page=`` (the list) | ``patient_list`` |
| ``/patients/...`` (new, record, timeline, assessment, guide) | ``patients`` |
| ``/patients/{id}/scores/new`` | ``scores`` |
| ``/patients/{id}/edit``, ``.../{kind}/new``, ``.../{kind}/{row}/{edit,delete}`` | ``edit`` |
| ``/patients/{id}/assessments/save`` (keep an assessment; edit and re-run) | ``saved`` |
| ``/patients/{id}/background`` (history, risk factors, reviewed lists) | ``background`` |
| ``/patients/{id}/links``, ``/p/{token}...`` (patient link and self-report) | ``links`` |
| ``/guides``, ``/triage``, ``/decide`` (public, no login, nothing stored) | ``public`` |
"""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from jakguide.web.pages import (
    assess,
    auth,
    background,
    claims,
    drugs,
    edit,
    links,
    patient_list,
    patients,
    public,
    saved,
    scores,
)
from jakguide.web.pages.common import STATIC, PagesConfig

__all__ = ["PagesConfig", "register", "set_default_as_of"]


def _api_docs() -> HTMLResponse:
    """Swagger UI for /openapi.json, from the vendored copy (static/vendor/swagger-ui)."""
    vendor = "/static/vendor/swagger-ui"
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="jakguide API",
        swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
        swagger_css_url=f"{vendor}/swagger-ui.css",
        swagger_favicon_url=f"{vendor}/favicon-32x32.png",
    )


def register(app: FastAPI) -> None:
    """Mount the static files and every page router on ``app``."""
    if not isinstance(getattr(app.state, "jakguide_pages", None), PagesConfig):
        app.state.jakguide_pages = PagesConfig()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/docs", _api_docs, methods=["GET"], include_in_schema=False)
    for module in (
        auth,
        drugs,
        assess,
        scores,
        edit,
        background,
        saved,
        links,
        patient_list,
        patients,
        claims,
        public,
    ):
        app.include_router(module.router)


def set_default_as_of(app: FastAPI, day: dt.date | None) -> None:
    """Make ``day`` the pages' "today" (``jakguide demo --as-of``); None: the clinic's today."""
    app.state.jakguide_pages = PagesConfig(as_of=day)
