"""The services, declared as data in ``service-definitions.json``, and the discovery answer.

Why data: the discovery document, the routes and the docs all read the same file, so a service
cannot exist without its description and prefetch templates (the cds-hooks sandbox habit). Each
entry names the module under ``cds/services/`` that answers it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jakguide.errors import JakguideError

Hook = Literal["order-select", "order-sign", "patient-view"]
OVERRIDE_SYSTEM = "urn:jakguide:cds:override-reason"
"""jakguide's own code system for the reasons a clinician may give for overriding a card."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceDefinition(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    hook: Hook
    title: str
    description: str
    module: str = Field(pattern=r"^[a-z_]+$")
    version: str | None = None  # CDS Hooks 3.0: SemVer of the service
    hookVersion: str | None = None  # noqa: N815 (the wire name)
    prefetch: dict[str, str] = {}
    usageRequirements: str | None = None  # noqa: N815

    def discovery(self) -> dict[str, Any]:
        """This service as the discovery document lists it (no internal keys, no nulls)."""
        return self.model_dump(exclude={"module"}, exclude_none=True)


class OverrideReason(_Strict):
    code: str
    display: str

    def coding(self) -> dict[str, str]:
        return {"system": OVERRIDE_SYSTEM, "code": self.code, "display": self.display}


class ScreeningCard(_Strict):
    items: dict[str, str]  # screening item id -> short name; a missing result gives a card
    why: str


class Definitions(_Strict):
    services: list[ServiceDefinition]
    overrideReasons: list[OverrideReason]  # noqa: N815
    screeningCard: ScreeningCard  # noqa: N815

    def service(self, service_id: str) -> ServiceDefinition | None:
        return next((s for s in self.services if s.id == service_id), None)

    def discovery(self) -> dict[str, Any]:
        return {"services": [s.discovery() for s in self.services]}


@cache
def definitions() -> Definitions:
    """The bundled definitions, validated once (a broken file is a packaging error)."""
    text = files("jakguide.cds").joinpath("service-definitions.json").read_text("utf-8")
    try:
        return Definitions.model_validate(json.loads(text))
    except (ValidationError, json.JSONDecodeError) as exc:
        raise JakguideError(f"cds/service-definitions.json: {exc}") from None
