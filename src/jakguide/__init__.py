"""jakguide: sourced decision support for the JAK/TYK2-inhibitor treatment pathway.

The small public API: load the knowledge, build a ``Patient``, ``assess`` it for a condition or
``evaluate_labs`` for a drug. Everything else is internal and may change.
"""

__version__ = "0.1.0"

from jakguide.engine import assess, evaluate_labs
from jakguide.errors import InputError, JakguideError, KnowledgeError
from jakguide.kb.base import Knowledge, bundled_knowledge, load_knowledge
from jakguide.model import (
    Assessment,
    AssessRequest,
    LabsReport,
    LabsRequest,
    Patient,
)

__all__ = [
    "AssessRequest",
    "Assessment",
    "InputError",
    "JakguideError",
    "Knowledge",
    "KnowledgeError",
    "LabsReport",
    "LabsRequest",
    "Patient",
    "__version__",
    "assess",
    "bundled_knowledge",
    "evaluate_labs",
    "load_knowledge",
]
