"""Registry: instrument and response names -> module functions and documentation.

A plain dict, like a dispatch table: adding an instrument means adding one module and one line
here; the API, the CLI and the generated docs pick it up from this table.
"""

from __future__ import annotations

from jakguide.instruments import (
    asas,
    asdas,
    basdai,
    basfi,
    cdai,
    dapsa,
    das28,
    dlqi,
    easi,
    gca,
    hbi,
    hecsi,
    jadas,
    mayo,
    mda,
    napsi,
    niaid,
    pasi,
    pga,
    salt,
    severity,
    vasi,
    viga,
)
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.spec import Instrument, ResponseDef

__all__ = ["INSTRUMENTS", "RESPONSES", "get_instrument", "get_response"]

INSTRUMENTS: dict[str, Instrument] = {
    entry.name: entry
    for entry in (
        Instrument(pasi.NAME, pasi.score, pasi.categorize, pasi.DOC, 1),
        Instrument(severity.NAME, severity.score, severity.categorize, severity.DOC, 0),
        Instrument(dlqi.NAME, dlqi.score, dlqi.categorize, dlqi.DOC, 0),
        Instrument(napsi.NAME, napsi.score, napsi.categorize, napsi.DOC, 0),
        Instrument(pga.NAME, pga.score, pga.categorize, pga.DOC, 0),
        Instrument(basdai.NAME, basdai.score, basdai.categorize, basdai.DOC, 1),
        Instrument(basfi.NAME, basfi.score, basfi.categorize, basfi.DOC, 1),
        Instrument(asdas.NAME_CRP, asdas.score_crp, asdas.categorize, asdas.CRP_DOC, 2),
        Instrument(asdas.NAME_ESR, asdas.score_esr, asdas.categorize, asdas.ESR_DOC, 2),
        Instrument(dapsa.NAME, dapsa.score, dapsa.categorize, dapsa.DOC, 1),
        Instrument(mda.NAME, mda.score, mda.categorize, mda.DOC, 0),
        Instrument(das28.NAME_CRP, das28.score_crp, das28.categorize, das28.CRP_DOC, 2),
        Instrument(das28.NAME_ESR, das28.score_esr, das28.categorize, das28.ESR_DOC, 2),
        Instrument(cdai.NAME_CDAI, cdai.score_cdai, cdai.categorize_cdai, cdai.CDAI_DOC, 1),
        Instrument(cdai.NAME_SDAI, cdai.score_sdai, cdai.categorize_sdai, cdai.SDAI_DOC, 1),
        Instrument(easi.NAME, easi.score, easi.categorize, easi.DOC, 1),
        Instrument(viga.NAME, viga.score, viga.categorize, viga.DOC, 0),
        Instrument(salt.NAME, salt.score, salt.categorize, salt.DOC, 1),
        Instrument(mayo.NAME, mayo.score, mayo.categorize, mayo.DOC, 0),
        Instrument(
            mayo.PARTIAL_NAME, mayo.score_partial, mayo.categorize_partial, mayo.PARTIAL_DOC, 0
        ),
        Instrument(hbi.NAME, hbi.score, hbi.categorize, hbi.DOC, 0),
        Instrument(hecsi.NAME, hecsi.score, hecsi.categorize, hecsi.DOC, 0),
        Instrument(vasi.FACE_NAME, vasi.score_face, vasi.categorize, vasi.FACE_DOC, 2),
        Instrument(vasi.TOTAL_NAME, vasi.score_total, vasi.categorize, vasi.TOTAL_DOC, 2),
        Instrument(jadas.NAME, jadas.score, jadas.categorize, jadas.DOC, 1),
        Instrument(
            jadas.CLINICAL_NAME,
            jadas.score_clinical,
            jadas.categorize,
            jadas.CLINICAL_DOC,
            1,
        ),
        Instrument(gca.NAME, gca.score, gca.categorize, gca.DOC, 0),
        Instrument(niaid.NAME, niaid.score, niaid.categorize, niaid.DOC, 0),
    )
}

RESPONSES: dict[str, ResponseDef] = {
    entry.name: entry
    for entry in (
        ResponseDef(pasi.NAME, pasi.response, pasi.RESPONSE_DOC),
        ResponseDef(asdas.RESPONSE_NAME, asdas.response, asdas.RESPONSE_DOC),
        ResponseDef(asas.NAME, asas.response, asas.RESPONSE_DOC),
        ResponseDef(basdai.NAME, basdai.response, basdai.RESPONSE_DOC),
        ResponseDef(dapsa.NAME, dapsa.response, dapsa.RESPONSE_DOC),
        ResponseDef(das28.RESPONSE_NAME, das28.response, das28.RESPONSE_DOC),
        ResponseDef(easi.NAME, easi.response, easi.RESPONSE_DOC),
        ResponseDef(salt.NAME, salt.response, salt.RESPONSE_DOC),
        ResponseDef(mayo.NAME, mayo.response, mayo.RESPONSE_DOC),
        ResponseDef(mayo.MODIFIED_NAME, mayo.modified_response, mayo.MODIFIED_RESPONSE_DOC),
        ResponseDef(hbi.NAME, hbi.response, hbi.RESPONSE_DOC),
        ResponseDef(hecsi.NAME, hecsi.response, hecsi.RESPONSE_DOC),
        ResponseDef(vasi.FACE_NAME, vasi.face_response, vasi.FACE_RESPONSE_DOC),
        ResponseDef(vasi.TOTAL_NAME, vasi.total_response, vasi.TOTAL_RESPONSE_DOC),
        ResponseDef(niaid.NAME, niaid.response, niaid.RESPONSE_DOC),
    )
}


def _key(name: object) -> str:
    return name.strip().lower() if isinstance(name, str) else ""


def get_instrument(name: str) -> Instrument:
    """Registry entry of instrument ``name`` (InstrumentInputError if unknown)."""
    entry = INSTRUMENTS.get(_key(name))
    if entry is None:
        raise InstrumentInputError("instrument", name, "one of: " + ", ".join(sorted(INSTRUMENTS)))
    return entry


def get_response(name: str) -> ResponseDef:
    """Registry entry of response definition ``name`` (InstrumentInputError if unknown)."""
    entry = RESPONSES.get(_key(name))
    if entry is None:
        raise InstrumentInputError("response", name, "one of: " + ", ".join(sorted(RESPONSES)))
    return entry
