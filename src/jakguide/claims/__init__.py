"""The claim checker door: judge a consumer article about JAK inhibitors claim by claim.

``check_text(text, knowledge, region)`` returns a ``Report``; ``render`` turns it into text,
JSON or HTML. The door reads the knowledge only; it imports no other door.
"""

from jakguide.claims.extract import check_text
from jakguide.claims.model import KINDS, Claim, Evidence, Report

__all__ = ["KINDS", "Claim", "Evidence", "Report", "check_text"]
