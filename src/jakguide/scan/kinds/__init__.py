"""The kinds of finding the scan covers, one module each.

A kind adds knowledge tables (``scan.tables.Table``), SQL stages that build on the common ones
(``s_med``, ``s_therapy``, ``s_lab`` of ``scan.rules``) and one SELECT of worklist rows. The
worklist is the union of every kind's rows; ``run_scan`` builds them in the order of ``KINDS``.
"""

from __future__ import annotations

from jakguide.scan.kinds.base import Kind
from jakguide.scan.kinds.interactions import INTERACTIONS
from jakguide.scan.kinds.labs import LABS
from jakguide.scan.kinds.monitoring import MONITORING
from jakguide.scan.kinds.risk import RISK
from jakguide.scan.kinds.screening import SCREENING

KINDS: tuple[Kind, ...] = (MONITORING, LABS, SCREENING, INTERACTIONS, RISK)

__all__ = ["KINDS", "Kind"]
