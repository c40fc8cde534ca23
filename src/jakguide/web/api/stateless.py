"""Stateless endpoints: assessment, labs, scores, responses, drugs, health. No login needed.

``POST /api/assess`` returns exactly what ``jakguide assess --format json`` prints for the same
input (a test runs both); FHIR read warnings are merged in front, as the CLI does. With
``?format=fhir`` or ``Accept: application/fhir+json`` it returns what ``--format fhir`` prints.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from fastapi import Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from jakguide import __version__
from jakguide.adapters.fhir.assessment_out import FHIR_JSON, assessment_bundle
from jakguide.adapters.native import MAX_DAY, MIN_DAY, load_patient_data
from jakguide.engine import assess, evaluate_labs
from jakguide.errors import UnknownIdError
from jakguide.instruments import instrument_names, response, response_names, score
from jakguide.kb.listing import drug_rows, monograph_dict
from jakguide.model import Assessment, AssessRequest, LabsReport, LabsRequest
from jakguide.web.api.documents import PATIENT_BODY, off_loop, parse_document, read_raw
from jakguide.web.bodies import api_router
from jakguide.web.deps import KbDep, StateDep
from jakguide.web.problems import PROBLEM_RESPONSES, ProblemError

router = api_router(prefix="/api", responses=PROBLEM_RESPONSES)

RegionQ = Annotated[Literal["US", "EU"], Query(description="US (FDA) or EU (EMA).")]
AsOfQ = Annotated[
    dt.date | None,
    Query(
        ge=MIN_DAY,
        le=MAX_DAY,
        description="The patient's 'today' (YYYY-MM-DD); default today, echoed.",
    ),
]
DrugsQ = Annotated[list[str] | None, Query(description="Only these agents (repeatable).")]
FormatQ = Annotated[
    Literal["json", "fhir"] | None,
    Query(
        alias="format",
        description="json (default) or fhir (a FHIR R4 Bundle, as `--format fhir`); "
        "`Accept: application/fhir+json` also selects fhir.",
    ),
]
Name = Annotated[str, Path(max_length=100)]


def today() -> dt.date:
    return dt.date.today()


def with_read_warnings(result: Assessment, warnings: list[str]) -> Assessment:
    """Read warnings first, then the engine's (as ``cli.assess_cmd`` merges them)."""
    if warnings:
        result = result.model_copy(update={"warnings": [*warnings, *result.warnings]})
    return result


def assessment_json(result: Assessment, warnings: list[str]) -> dict[str, Any]:
    """The CLI's JSON document for an assessment."""
    return with_read_warnings(result, warnings).model_dump(mode="json", exclude_none=False)


def wants_fhir(request: Request, fmt: str | None) -> bool:
    """``?format=`` decides; else an ``Accept`` range ``application/fhir+json`` (q > 0)."""
    if fmt is not None:
        return fmt == "fhir"
    for part in request.headers.get("accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() != FHIR_JSON:
            continue
        q = next((p.split("=", 1)[1] for p in params if p.replace(" ", "").startswith("q=")), "1")
        try:
            return float(q) > 0
        except ValueError:
            return True
    return False


def fhir_response(bundle: dict[str, Any]) -> Response:
    return Response(json.dumps(bundle, ensure_ascii=False), media_type=FHIR_JSON)


def json_response(model: BaseModel) -> Response:
    """Serialized by pydantic directly (the same JSON values as ``model_dump(mode="json")``)."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.post(
    "/assess",
    tags=["assessment"],
    openapi_extra=PATIENT_BODY,
    responses={
        200: {
            "model": Assessment,
            "description": "The assessment (CLI JSON), or with format=fhir a FHIR R4 Bundle.",
            "content": {FHIR_JSON: {"schema": {"type": "object"}}},
        }
    },
)
async def assess_endpoint(
    request: Request,
    kb: KbDep,
    condition: Annotated[str, Query(max_length=100, description="Condition id.")],
    region: RegionQ = "US",
    as_of: AsOfQ = None,
    drug: DrugsQ = None,
    fmt: FormatQ = None,
) -> Response:
    """Assess which JAK/TYK2 inhibitor suits a patient (native JSON or FHIR Bundle)."""
    day = as_of or today()
    req = AssessRequest(condition=condition, region=region, as_of=day, drugs=drug)
    fhir = wants_fhir(request, fmt)
    raw, media = await read_raw(request)

    def work() -> Response:
        loaded = load_patient_data(parse_document(raw, media), kb, day, "body")
        result = with_read_warnings(assess(loaded.patient, req, kb), loaded.warnings)
        if fhir:
            return fhir_response(assessment_bundle(result, loaded.patient, kb))
        return json_response(result)

    return await off_loop(work)


@router.post(
    "/labs",
    tags=["assessment"],
    openapi_extra=PATIENT_BODY,
    responses={200: {"model": LabsReport, "description": "Lab actions and monitoring."}},
)
async def labs_endpoint(
    request: Request,
    kb: KbDep,
    drug: Annotated[str, Query(max_length=100, description="The agent the labs are judged for.")],
    region: RegionQ = "US",
    as_of: AsOfQ = None,
) -> Response:
    """What each lab result means for this drug (as ``jakguide labs --format json``)."""
    day = as_of or today()
    req = LabsRequest(drug=drug, region=region, as_of=day)
    raw, media = await read_raw(request)

    def work() -> Response:
        loaded = load_patient_data(parse_document(raw, media), kb, day, "body")
        return json_response(evaluate_labs(loaded.patient, req, kb))

    return await off_loop(work)


def _known(name: str, names: list[str], what: str) -> str:
    key = name.strip().lower()
    if key not in names:
        raise ProblemError(
            404,
            "unknown-id",
            f"Unknown {what}.",
            field="name",
            value=name,
            reason=f"unknown {what}; accepted: " + ", ".join(sorted(names)),
        )
    return key


@router.post("/scores/{name}", tags=["instruments"])
def score_endpoint(
    name: Name,
    inputs: Annotated[
        dict[str, Any],
        Body(description="The instrument's inputs (see docs/instruments/<name>.md)."),
    ],
) -> dict[str, Any]:
    """Score a disease-activity instrument (as ``jakguide score NAME --format json``)."""
    key = _known(name, instrument_names(), "instrument")
    try:
        result = score(key, **inputs)
    except TypeError as exc:
        raise ProblemError(
            422,
            "invalid-input",
            "Unexpected input name.",
            field="body",
            value=sorted(inputs),
            reason=str(exc),
        ) from None
    return result.to_dict() | {"instrument": key}


class ResponseBody(BaseModel):
    baseline: Any
    current: Any


@router.post("/responses/{name}", tags=["instruments"])
def response_endpoint(name: Name, body: ResponseBody) -> dict[str, Any]:
    """Treatment response between a baseline and a follow-up (as ``jakguide response``)."""
    key = _known(name, response_names(), "response definition")
    result = response(key, body.baseline, body.current)
    return result.to_dict() | {"instrument": key}


@router.get("/drugs", tags=["knowledge"])
def drugs_endpoint(
    kb: KbDep,
    region: RegionQ = "US",
    condition: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Agents marketed in a region (optionally: approved there for a condition)."""
    rows = drug_rows(kb, region, condition)
    return {
        "knowledge_version": kb.version,
        "region": region,
        "condition": condition,
        "drugs": rows,
    }


@router.get("/drugs/{inn}", tags=["knowledge"])
def drug_endpoint(
    inn: Name, kb: KbDep, region: Annotated[Literal["US", "EU"] | None, Query()] = None
) -> dict[str, Any]:
    """A drug's monograph with sources (as ``jakguide drug INN --format json``)."""
    try:
        kb.require_drug(inn, "inn")
    except UnknownIdError as exc:
        raise ProblemError(
            404, "unknown-id", "Unknown drug.", field=exc.field, value=inn, reason=exc.reason
        ) from None
    return monograph_dict(kb, inn, region)


class TriageBody(BaseModel):
    drug: Annotated[str, Field(max_length=100)]
    symptoms: Annotated[
        list[Annotated[str, Field(max_length=200)]], Field(min_length=1, max_length=30)
    ]
    region: Literal["US", "EU"] = "US"


@router.post("/triage", tags=["patients"])
def triage_endpoint(body: TriageBody, kb: KbDep) -> dict[str, Any]:
    """How urgent symptoms are on a JAK-family medicine (as ``jakguide triage --format json``).

    Information for people taking the drug, not a diagnosis; nothing is stored.
    """
    from jakguide.guide.triage import triage

    return triage(body.drug, body.symptoms, body.region, kb).model_dump(mode="json")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    knowledge_version: str
    database: str
    schema_revision: str | None


_health_threads = anyio.CapacityLimiter(2)


@router.get("/health", tags=["meta"], response_model=Health)
async def health(app: StateDep) -> Health:
    """Liveness and readiness: the database answers and its schema revision.

    Runs outside admission control on threads and a database connection of its own, so it
    answers while the server sheds load (see ``web.admission``).
    """
    revision = await anyio.to_thread.run_sync(app.db.health, limiter=_health_threads)
    return Health(
        status="ok",
        version=__version__,
        knowledge_version=app.kb.version,
        database=app.db.engine.dialect.name,
        schema_revision=revision,
    )
