"""Settings of the CDS Hooks door, declared as data (name, environment variable, default, help).

Why its own table: these settings belong to the door, not to the store; ``docs/cds.md`` lists
them from :func:`settings_table`. Every variable is ``JAKGUIDE_CDS_<NAME>``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jakguide.errors import InputError
from jakguide.model import Region

ENV_PREFIX = "JAKGUIDE_CDS_"


class CdsConfig(BaseModel):
    """What the services need beyond the app's settings; build with :meth:`from_env`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: Region = Field(
        default="US", description="Regulatory region whose labels the cards cite (US or EU)."
    )
    as_of: dt.date | None = Field(
        default=None,
        description="Pin the assessment date (YYYY-MM-DD); unset: the day of the request (UTC).",
    )
    boxed_warning_card: bool = Field(
        default=True,
        description="Show the class boxed warning once per JAK order as an info card.",
    )
    smart_launch_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s]+$",
        description="SMART App Launch URL of jakguide's record page; unset: cards carry no links.",
    )
    fhir_timeout_seconds: float = Field(
        default=1.5,
        gt=0,
        le=30,
        description="Hard time budget for fetching missing prefetch from fhirServer.",
    )
    fhir_max_pages: int = Field(
        default=5, ge=1, le=100, description="Search result pages followed per prefetch query."
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> CdsConfig:
        """Settings from ``JAKGUIDE_CDS_<NAME>`` variables, then explicit overrides.

        Raises:
            InputError: a variable that does not parse (names the variable and the value).
        """
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = source.get(ENV_PREFIX + name.upper())
            if raw not in (None, ""):
                values[name] = raw
        values.update(overrides)
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "settings"
            raise InputError(ENV_PREFIX + name.upper(), err.get("input"), err["msg"]) from None

    def today(self) -> dt.date:
        """The assessment date: the pinned one, else today's date in UTC."""
        return self.as_of or dt.datetime.now(dt.UTC).date()


def settings_table() -> list[dict[str, str]]:
    """Name, environment variable, default and help of every setting (for the docs)."""
    return [
        {
            "env": ENV_PREFIX + name.upper(),
            "default": "" if info.default is None else str(info.default),
            "help": info.description or "",
        }
        for name, info in CdsConfig.model_fields.items()
    ]
