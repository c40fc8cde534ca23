"""Record CRUD: patients of the caller's clinic and their dated rows (labs, screening, ...).

Every route needs authentication, goes through the clinic-scoped ``Records`` repository (which
writes the audit rows) and commits before it answers. The per-kind routes are generated from the
``store.kinds`` table so that every kind gets the same five operations.
"""

# No `from __future__ import annotations`: FastAPI reads the per-kind body types at runtime.

from typing import Annotated, Any

from fastapi import Header, Path, Query, Response
from pydantic import BaseModel

from jakguide.store.kinds import KINDS, ChildKind
from jakguide.store.models import PatientRow
from jakguide.store.records import DuplicateRowError, etag
from jakguide.store.schemas import PatientIn, PatientOut
from jakguide.web.bodies import api_router
from jakguide.web.deps import RecordsDep
from jakguide.web.problems import PROBLEM_RESPONSES, ProblemError

router = api_router(prefix="/api/patients", tags=["records"], responses=PROBLEM_RESPONSES)

PatientId = Annotated[str, Path(max_length=64, description="Patient id (UUID).")]
RowId = Annotated[int, Path(ge=1, le=2**62)]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="The ETag of the record as read; a stale one answers 412 (nothing changed).",
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


class PatientPage(BaseModel):
    items: list[PatientOut]
    total: int
    limit: int
    offset: int


@router.get("", response_model=PatientPage)
def list_patients(records: RecordsDep, limit: Limit = 100, offset: Offset = 0) -> PatientPage:
    """The clinic's patients, oldest record first."""
    rows, total = records.list_patients(limit, offset)
    records.session.commit()
    items = [PatientOut.model_validate(r) for r in rows]
    return PatientPage(items=items, total=total, limit=limit, offset=offset)


def _tagged(response: Response, row: PatientRow) -> None:
    response.headers["ETag"] = etag(row)


@router.post("", response_model=PatientOut, status_code=201)
def create_patient(body: PatientIn, records: RecordsDep, response: Response) -> PatientOut:
    """Create a patient in the caller's clinic (dated rows are added per list)."""
    row = records.create_patient(body)
    records.session.commit()
    _tagged(response, row)
    return PatientOut.model_validate(row)


@router.get("/{patient_id}", response_model=PatientOut)
def get_patient(patient_id: PatientId, records: RecordsDep, response: Response) -> PatientOut:
    """The patient's fields; the ETag header is the version to send back in ``If-Match``."""
    row = records.get_patient(patient_id)
    out = PatientOut.model_validate(row)
    records.session.commit()
    _tagged(response, row)
    return out


@router.put("/{patient_id}", response_model=PatientOut)
def update_patient(
    patient_id: PatientId,
    body: PatientIn,
    records: RecordsDep,
    response: Response,
    if_match: IfMatch = None,
) -> PatientOut:
    """Replace the patient's fields (dated rows are unchanged). Send ``If-Match`` with the ETag
    read: if someone changed the record since, the answer is 412 and nothing is overwritten."""
    row = records.update_patient(patient_id, body, if_match)
    records.session.commit()
    _tagged(response, row)
    return PatientOut.model_validate(row)


@router.delete("/{patient_id}", status_code=204)
def delete_patient(
    patient_id: PatientId, records: RecordsDep, if_match: IfMatch = None
) -> Response:
    """Delete the patient with every row of their record (``If-Match`` honoured)."""
    records.delete_patient(patient_id, if_match)
    records.session.commit()
    return Response(status_code=204)


def _kind_routes(spec: ChildKind) -> None:
    """List, add, get, replace and delete for one kind of dated row."""
    model_in: Any = spec.model_in
    model_out: Any = spec.model_out
    name = spec.name
    what = spec.resource

    def _duplicate(exc: DuplicateRowError, body: BaseModel) -> ProblemError:
        existing = model_out.model_validate(exc.existing).model_dump(mode="json")
        return ProblemError(
            409,
            "duplicate",
            f"The record already has this {what}.",
            field="body",
            value=body.model_dump(mode="json"),
            reason=f"already in the record as {what} {exc.existing.id}",
            extra={"existing": existing},
        )

    def list_rows(patient_id: PatientId, records: RecordsDep) -> list[Any]:
        rows = records.list_rows(patient_id, name)
        out = [model_out.model_validate(r) for r in rows]
        records.session.commit()
        return out

    def add_row(
        patient_id: PatientId, body: model_in, records: RecordsDep, if_match: IfMatch = None
    ) -> Any:
        try:
            row = records.add_row(patient_id, name, body, if_match)
        except DuplicateRowError as exc:
            raise _duplicate(exc, body) from None
        out = model_out.model_validate(row)
        records.session.commit()
        return out

    def get_row(patient_id: PatientId, row_id: RowId, records: RecordsDep) -> Any:
        out = model_out.model_validate(records.get_row(patient_id, name, row_id))
        records.session.commit()
        return out

    def replace_row(
        patient_id: PatientId,
        row_id: RowId,
        body: model_in,
        records: RecordsDep,
        if_match: IfMatch = None,
    ) -> Any:
        try:
            row = records.update_row(patient_id, name, row_id, body, if_match)
        except DuplicateRowError as exc:
            raise _duplicate(exc, body) from None
        out = model_out.model_validate(row)
        records.session.commit()
        return out

    def delete_row(
        patient_id: PatientId, row_id: RowId, records: RecordsDep, if_match: IfMatch = None
    ) -> Response:
        records.delete_row(patient_id, name, row_id, if_match)
        records.session.commit()
        return Response(status_code=204)

    base = f"/{{patient_id}}/{name}"
    tags: list[str | Any] = [f"records: {name}"]
    router.add_api_route(
        base,
        list_rows,
        methods=["GET"],
        response_model=list[model_out],
        operation_id=f"list_{name}",
        summary=f"List the patient's {name}",
        tags=tags,
    )
    router.add_api_route(
        base,
        add_row,
        methods=["POST"],
        response_model=model_out,
        status_code=201,
        operation_id=f"add_{what}",
        summary=f"Add a {what}",
        tags=tags,
    )
    router.add_api_route(
        base + "/{row_id}",
        get_row,
        methods=["GET"],
        response_model=model_out,
        operation_id=f"get_{what}",
        summary=f"Get a {what}",
        tags=tags,
    )
    router.add_api_route(
        base + "/{row_id}",
        replace_row,
        methods=["PUT"],
        response_model=model_out,
        operation_id=f"replace_{what}",
        summary=f"Replace a {what}",
        tags=tags,
    )
    router.add_api_route(
        base + "/{row_id}",
        delete_row,
        methods=["DELETE"],
        status_code=204,
        operation_id=f"delete_{what}",
        summary=f"Delete a {what}",
        tags=tags,
    )


for _spec in KINDS.values():
    _kind_routes(_spec)
