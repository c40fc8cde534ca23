"""Rendering a guide: one self-contained HTML page (style sheet inlined), and a PDF of the same.

The web app and the CLI call ``render_guide_html`` / ``render_guide_pdf`` (or build the guide
once with ``build_guide`` and render it with ``guide_html`` / ``guide_pdf``). The HTML needs no
network: no scripts, no web fonts, no images. The PDF is made by WeasyPrint from that HTML.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import warnings
from collections.abc import Sequence
from functools import cache
from importlib import resources
from types import ModuleType

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from jakguide.errors import JakguideError
from jakguide.guide.common import fmt_date
from jakguide.guide.content import build_guide
from jakguide.guide.model import Guide, GuideRequest
from jakguide.kb.base import Knowledge
from jakguide.model import Patient

log = logging.getLogger("jakguide.guide")
_IMPORT_LOCK = threading.Lock()

SOURCE_TYPES = {
    "regulator-label": "Regulator-approved label",
    "manufacturer-label": "Manufacturer's label information",
    "other-country-label": "Label of another country",
    "regulator-communication": "Regulator communication",
    "monograph": "Drug monograph",
    "publication": "Publication",
    "guideline": "Guideline",
    "news": "News or press release",
    "local-policy": "jakguide policy",
    "terminology": "Terminology",
}


class PdfUnavailableError(JakguideError):
    """WeasyPrint (or the Pango library it needs) is not installed."""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jakguide.guide", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.globals["fmt_date"] = fmt_date
    env.globals["source_types"] = SOURCE_TYPES
    return env


@cache
def guide_css() -> str:
    """The guide's style sheet (shipped in the package; also inlined in every page)."""
    return (resources.files("jakguide.guide") / "static" / "guide.css").read_text("utf-8")


def guide_html(guide: Guide) -> str:
    css = guide_css()
    if "</" in css:  # pragma: no cover - the shipped sheet has none; inlined, it would end <style>
        raise ValueError("guide.css must not contain '</'")
    return _environment().get_template("guide.html.j2").render(guide=guide, css=Markup(css))


def import_quietly(name: str) -> ModuleType:
    """Import ``name``, logging the warnings its first import emits instead of raising them.

    Why: WeasyPrint is imported on the first PDF request, and its import may warn (WeasyPrint 70:
    "HarfBuzz-Subset will be required by future versions" when that library is missing). Where
    warnings are errors (``python -W error``, ``PYTHONWARNINGS=error``, a test run's filter) the
    warning would escape from the import as an exception and the request would end in a 500. A
    dependency's warning is news for the operator's log, never a failed request. The first import
    runs under a lock, as ``warnings.catch_warnings`` swaps the process-wide filters; later calls
    are plain imports (so a module blocked in ``sys.modules`` still raises ``ImportError``).
    """
    if name in sys.modules:
        return importlib.import_module(name)
    with _IMPORT_LOCK:
        if name in sys.modules:
            return importlib.import_module(name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return importlib.import_module(name)
            finally:
                for w in caught:
                    log.warning("importing %s: %s: %s", name, w.category.__name__, w.message)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes from guide HTML. Raises ``PdfUnavailableError`` if WeasyPrint cannot run."""
    try:
        weasyprint = import_quietly("weasyprint")
    except (ImportError, OSError) as exc:  # OSError: the Pango/HarfBuzz libraries are missing
        raise PdfUnavailableError(
            f"PDF output needs WeasyPrint and the Pango library ({exc.__class__.__name__}: "
            f"{exc}); install them (pip install weasyprint; apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0) or use --format html"
        ) from None
    pdf = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    assert pdf is not None
    return bytes(pdf)


def guide_pdf(guide: Guide) -> bytes:
    return html_to_pdf(guide_html(guide))


def render_guide_html(
    patient: Patient, request: GuideRequest, kb: Knowledge, *, warnings: Sequence[str] = ()
) -> str:
    """The patient guide as a self-contained HTML page."""
    return guide_html(build_guide(patient, request, kb, warnings=warnings))


def render_guide_pdf(
    patient: Patient, request: GuideRequest, kb: Knowledge, *, warnings: Sequence[str] = ()
) -> bytes:
    """The patient guide as PDF bytes (the same content as the HTML)."""
    return guide_pdf(build_guide(patient, request, kb, warnings=warnings))
