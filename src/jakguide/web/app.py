"""The FastAPI application factory: ``create_app(settings)``.

Why a factory: tests build apps on temporary stores, ``jakguide serve`` builds one from the
environment, and nothing happens at import time. Migrations run here (before the first request)
when ``settings.migrate_on_start`` is set. HTML pages are mounted by ``jakguide.web.pages`` when
that module exists: it must expose ``register(app: FastAPI) -> None``.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from jakguide import __version__
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.model import Patient
from jakguide.store.db import Database
from jakguide.store.settings import Settings
from jakguide.web import auth, problems
from jakguide.web.admission import Admission
from jakguide.web.api import record_views, records
from jakguide.web.api import stateless as api
from jakguide.web.api.documents import FHIR_BUNDLE_SCHEMA
from jakguide.web.deps import AppState
from jakguide.web.middleware import AccessLog, BodyLimit, CatchAll, NoStore
from jakguide.web.ratelimit import LoginLimiter

PAGES_MODULE = "jakguide.web.pages"
THREAD_HEADROOM = 8
IMPORT_PATHS = (r"/api/patients/import", r"/api/patients/[^/]+/import")
# CDS Hooks calls carry the patient's prefetched record: they get the import limit.
CDS_PATHS = (r"/cds-services/[^/]+",)

Mount = Callable[[FastAPI], None]


def create_app(
    settings: Settings | None = None,
    *,
    knowledge: Knowledge | None = None,
    mounts: Iterable[Mount] = (),
    cds: Mount | None = None,
) -> FastAPI:
    """Build the app: API routers, problem handlers, body limits, optional pages.

    Args:
        settings: defaults to ``Settings.from_env()``.
        knowledge: defaults to ``load_knowledge(settings.knowledge)``.
        mounts: extra ``register(app)`` callables (HTML pages, ...).
        cds: how to mount the CDS Hooks door (``jakguide.cds.app.register``, configured);
            default: from the environment (``JAKGUIDE_CDS_*``).
    """
    settings = settings or Settings.from_env()
    kb = knowledge or load_knowledge(settings.knowledge)
    db = Database(settings, migrate=settings.migrate_on_start)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Threads for every admitted request plus headroom for the audit of a denied lookup;
        # sized with the database pool (store.db) so neither waits on the other.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = settings.max_concurrent_requests + THREAD_HEADROOM
        yield
        app.state.jakguide.link_failures.flush(db)
        db.dispose()

    app = FastAPI(
        title="jakguide",
        version=__version__,
        summary="Sourced decision support for JAK/TYK2 inhibitors; patient records.",
        description="Decision support for clinicians; not a substitute for clinical judgement. "
        "Errors are RFC 9457 problem details (application/problem+json).",
        lifespan=lifespan,
        # FastAPI's own docs pages load Swagger UI from a CDN; the pages module serves /docs
        # from the vendored copy instead, so the app works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.jakguide = AppState(
        settings=settings,
        kb=kb,
        db=db,
        limiter=LoginLimiter(settings.login_max_failures, settings.login_window_seconds),
    )
    problems.install(app)
    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(record_views.router)  # before records: /patients/import is literal
    app.include_router(records.router)
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        overrides=[(p, settings.max_import_bytes) for p in (*IMPORT_PATHS, *CDS_PATHS)],
    )
    app.add_middleware(NoStore)
    app.add_middleware(CatchAll)
    app.add_middleware(
        Admission,
        slots=settings.max_concurrent_requests,
        queue=settings.max_queued_requests,
        queue_timeout=settings.queue_timeout_seconds,
        deadline=settings.request_timeout_seconds,
    )
    app.add_middleware(AccessLog)
    for mount in (*_optional_pages(), *mounts, cds or _cds_from_env):
        mount(app)
    _custom_openapi(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (``jakguide serve --workers N``): settings from the
    environment, and the long-lived objects frozen out of the garbage collector's full passes
    (the knowledge graph is large; scanning it stalls requests for tens of milliseconds)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def _cds_from_env(app: FastAPI) -> None:
    """The CDS Hooks door (``/cds-services``), configured from the environment."""
    from jakguide.cds.app import register

    register(app)


def _optional_pages() -> list[Mount]:
    if importlib.util.find_spec(PAGES_MODULE) is None:
        return []
    module = importlib.import_module(PAGES_MODULE)
    register = getattr(module, "register", None)
    return [register] if callable(register) else []


def _custom_openapi(app: FastAPI) -> None:
    """Add the schemas of bodies read raw (native patient, FHIR Bundle) to the spec."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        # Prefixed names: the record models reuse some of these classes in another mode.
        patient = Patient.model_json_schema(ref_template="#/components/schemas/Native{model}")
        for name, sub in patient.pop("$defs", {}).items():
            schemas["Native" + name] = sub
        schemas["NativePatient"] = patient
        schemas["FhirBundle"] = FHIR_BUNDLE_SCHEMA
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
