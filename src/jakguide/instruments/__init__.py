"""Disease-activity instruments and treatment response for psoriasis, PsA and axial SpA.

Public API::

    score(name, **inputs) -> Score           e.g. score("basdai", q1=2, q2=10, ...)
    response(name, baseline, current) -> Response
    categorize(name, value) -> str           published category of a value

Instruments: pasi, psoriasis-severity, dlqi, napsi, pga, basdai, basfi, asdas-crp, asdas-esr,
dapsa, mda. Responses: pasi, asdas, asas, basdai, dapsa. Invalid input raises
:class:`InstrumentInputError` naming the item, the value and what is accepted. Thresholds are
compared exactly (decimal inputs, no binary floating-point error); every cut-off is a named
module constant citing its source.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jakguide.instruments.errors import InstrumentInputError

if TYPE_CHECKING:
    from jakguide.instruments.dlqi import DLQI_NOTICE
    from jakguide.instruments.model import Response, Score, SourceRef

# Loaded on first use (PEP 562): the instrument modules cite the knowledge's source table when
# they are imported, which the CLI's ``--help`` does not need.
_HOME = {
    "DLQI_NOTICE": "jakguide.instruments.dlqi",
    "Response": "jakguide.instruments.model",
    "Score": "jakguide.instruments.model",
    "SourceRef": "jakguide.instruments.model",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'jakguide.instruments' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "DLQI_NOTICE",
    "InstrumentInputError",
    "Response",
    "Score",
    "SourceRef",
    "categorize",
    "instrument_names",
    "response",
    "response_names",
    "score",
]


def score(name: str, /, **inputs: Any) -> Score:
    """Score instrument ``name`` from its inputs (see ``docs/instruments/<name>.md``)."""
    from jakguide.instruments.registry import get_instrument

    return get_instrument(name).score(**inputs)


def response(name: str, baseline: Any, current: Any) -> Response:
    """Compare a baseline with a follow-up assessment using response definition ``name``."""
    from jakguide.instruments.registry import get_response

    return get_response(name).compute(baseline, current)


def categorize(name: str, value: Any) -> str:
    """Published category of ``value`` for instrument ``name`` (boundaries as published)."""
    from jakguide.instruments.registry import get_instrument

    return get_instrument(name).categorize(value)


def instrument_names() -> list[str]:
    """Names accepted by :func:`score` and :func:`categorize`."""
    from jakguide.instruments.registry import INSTRUMENTS

    return list(INSTRUMENTS)


def response_names() -> list[str]:
    """Names accepted by :func:`response`."""
    from jakguide.instruments.registry import RESPONSES

    return list(RESPONSES)
