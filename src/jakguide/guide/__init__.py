"""The plain-language patient guide for one patient and one drug (HTML and PDF).

``build_guide`` assembles it from the assessment, the lab plan and the monograph, worded by the
guide wording in the knowledge (``knowledge/guide/*.yaml``); ``render_guide_html`` and
``render_guide_pdf`` render it. Every statement carries footnotes to its sources.
"""

from jakguide.guide.content import build_guide, default_condition
from jakguide.guide.model import Guide, GuideRequest
from jakguide.guide.render import (
    PdfUnavailableError,
    guide_html,
    guide_pdf,
    render_guide_html,
    render_guide_pdf,
)
from jakguide.guide.text import body_text

__all__ = [
    "Guide",
    "GuideRequest",
    "PdfUnavailableError",
    "body_text",
    "build_guide",
    "default_condition",
    "guide_html",
    "guide_pdf",
    "render_guide_html",
    "render_guide_pdf",
]
