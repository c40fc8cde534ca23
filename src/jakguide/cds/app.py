"""The CDS Hooks routes, mounted on the jakguide app: discovery, calls, feedback.

Why every answer is built here: CDS clients expect CDS Hooks bodies (cards, or an
OperationOutcome on errors; CDS Hooks 3.0), not the REST API's problem details; so this router
turns every failure into a 4xx OperationOutcome itself. A FHIR server slower than the budget, or
failing, yields 200 with one info card naming what was unavailable; an unexpected error yields
200 with one info card saying nothing was checked (logged by type, without patient data). Never
a 500.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from jakguide.cds.call import Call
from jakguide.cds.cards import CardSpec, render
from jakguide.cds.config import CdsConfig
from jakguide.cds.definitions import ServiceDefinition, definitions
from jakguide.cds.feedback import CardLog, record_feedback
from jakguide.cds.prefetch import Gathered, PrefetchError, gather
from jakguide.cds.security import (
    Caller,
    CdsAuthError,
    CdsSecurity,
    endpoint_url,
    install_cors,
    refusal,
)
from jakguide.cds.wire import (
    FeedbackRequest,
    HookRequest,
    IssueCode,
    first_error,
    operation_outcome,
)
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.store.db import Database

LOG = logging.getLogger("jakguide.cds")
PREFIX = "/cds-services"
_NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class CdsState:
    """What the routes need, kept in ``app.state.cds``."""

    config: CdsConfig
    security: CdsSecurity | None
    kb: Knowledge
    db: Database
    public_url: str | None
    cards: CardLog


def _error(status: int, text: str, code: IssueCode = "invalid") -> JSONResponse:
    return JSONResponse(operation_outcome(text, code), status_code=status, headers=_NO_STORE)


def _state(request: Request) -> CdsState:
    found: CdsState = request.app.state.cds
    return found


async def _authorize(request: Request, state: CdsState) -> Caller:
    """The verified caller, or CdsAuthError (401) when no clients are trusted or a check fails."""
    if state.security is None:
        raise CdsAuthError(
            "no trusted CDS clients are configured (set JAKGUIDE_CDS_CLIENTS to a clients file)"
        )
    audience = endpoint_url(request, state.public_url)
    return await state.security.verify(request.headers.get("authorization"), audience)


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("body", raw[:40].decode("utf-8", "replace"), f"not JSON: {exc}") from None


router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
async def discovery() -> JSONResponse:
    """The services (no token needed: the spec's discovery is public)."""
    return JSONResponse(definitions().discovery())


@router.post("/{service_id}")
async def call_service(
    service_id: str, request: Request, background: BackgroundTasks
) -> JSONResponse:
    state = _state(request)
    service = definitions().service(service_id)
    if service is None:
        known = ", ".join(s.id for s in definitions().services)
        return _error(404, f"no CDS service {service_id!r}; services: {known}", "not-found")
    try:
        caller = await _authorize(request, state)
    except CdsAuthError as exc:
        return refusal(exc)
    try:
        body = HookRequest.model_validate(await _json(request))
    except InputError as exc:
        return _error(400, f"{exc.field}: {exc.reason}")
    except ValidationError as exc:
        where, value, why = first_error(exc)
        return _error(400, f"{where}: {value!r}: {why}", "required" if value is None else "invalid")
    if body.hook != service.hook:
        return _error(400, f"hook: {body.hook!r}: this service answers {service.hook!r}")
    config = state.config
    try:
        gathered = await gather(
            service,
            body,
            lambda url: (
                state.security is not None and state.security.allows_fhir_server(caller, url)
            ),
            config.fhir_timeout_seconds,
            config.fhir_max_pages,
        )
    except PrefetchError as exc:
        return _error(exc.status, exc.reason, exc.code)
    except Exception as exc:  # never a 500 to an EHR; logged by type only, without patient data
        LOG.error("CDS service %s: prefetch failed: %s", service.id, type(exc).__name__)
        gathered = Gathered(unavailable=["the record (the service failed to gather it)"])
    if gathered.unavailable:
        specs = [_unavailable_card(gathered)]
    else:
        call = Call(service, body, gathered.resources, state.kb, config, config.today())
        try:
            specs = await anyio.to_thread.run_sync(_cards, service, call)
        except InputError as exc:
            return _error(400, f"{exc.field}: {exc.value!r}: {exc.reason}")
        except Exception as exc:  # never a 500 to an EHR; logged by type only, without patient data
            LOG.error("CDS service %s failed: %s", service.id, type(exc).__name__)
            specs = [_failed_card()]
    cards = [render(s, service.id, body.hookInstance, config.smart_launch_url) for s in specs]
    if state.cards.add(service.id, cards, caller.client.iss):
        background.add_task(state.cards.flush)
    return JSONResponse({"cards": cards}, headers=_NO_STORE)


def _cards(service: ServiceDefinition, call: Call) -> list[CardSpec]:
    module = importlib.import_module(f"jakguide.cds.services.{service.module}")
    specs: list[CardSpec] = module.cards(call)
    return specs


def _unavailable_card(gathered: Gathered) -> CardSpec:
    lines = "\n".join(f"- {u}" for u in gathered.unavailable)
    return CardSpec(
        card_type="data-unavailable",
        rule="cds.fhir-server-unavailable",
        summary="jakguide checked nothing: data from the FHIR server were unavailable",
        detail="These data could not be fetched from the FHIR server in time, so no check "
        f"was run:\n\n{lines}",
        indicator="info",
    )


def _failed_card() -> CardSpec:
    return CardSpec(
        card_type="data-unavailable",
        rule="cds.internal-error",
        summary="jakguide checked nothing: the service failed on this request",
        detail="The service could not complete this check; no result is shown. The failure was "
        "logged for the operator.",
        indicator="info",
    )


@router.post("/{service_id}/feedback")
async def feedback(service_id: str, request: Request) -> JSONResponse:
    state = _state(request)
    if definitions().service(service_id) is None:
        return _error(404, f"no CDS service {service_id!r}", "not-found")
    try:
        caller = await _authorize(request, state)
    except CdsAuthError as exc:
        return refusal(exc)
    try:
        body = FeedbackRequest.model_validate(await _json(request))
    except InputError as exc:
        return _error(400, f"{exc.field}: {exc.reason}")
    except ValidationError as exc:
        where, value, why = first_error(exc)
        return _error(400, f"{where}: {value!r}: {why}")
    await anyio.to_thread.run_sync(state.cards.flush)  # the cards this feedback is about
    stored = await anyio.to_thread.run_sync(
        record_feedback, state.db, service_id, body.feedback, caller.client.iss
    )
    LOG.info("CDS feedback for %s: %d entries stored", service_id, stored)
    return JSONResponse({}, headers=_NO_STORE)


def register(
    app: FastAPI, config: CdsConfig | None = None, security: CdsSecurity | None = None
) -> None:
    """Mount the CDS Hooks routes on ``app`` (built by ``web.app.create_app``).

    Trusted clients come from ``security``, else from ``JAKGUIDE_CDS_CLIENTS``
    (``CdsSecurity.from_env``); without them discovery answers and every call is refused (401).
    """
    jak = app.state.jakguide
    app.state.cds = CdsState(
        config=config or CdsConfig.from_env(),
        security=security or CdsSecurity.from_env(),
        kb=jak.kb,
        db=jak.db,
        public_url=jak.settings.public_url,
        cards=CardLog(jak.db),
    )
    app.include_router(router)
    _flush_on_shutdown(app, app.state.cds.cards)
    install_cors(app, app.state.cds.security)


def _flush_on_shutdown(app: FastAPI, log: CardLog) -> None:
    """Write the waiting cards when the app stops (before the app closes its database)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            try:
                yield state
            finally:
                await anyio.to_thread.run_sync(log.flush)

    app.router.lifespan_context = lifespan
