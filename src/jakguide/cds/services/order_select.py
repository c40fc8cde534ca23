"""``jakguide-order-select``: a JAK or TYK2 inhibitor was just selected (order-select hook).

Checks only the orders named in ``context.selections`` (all JAK drafts when it is absent).
"""

from __future__ import annotations

from jakguide.cds.call import Call
from jakguide.cds.cards import CardSpec
from jakguide.cds.orders import order_cards


def cards(call: Call) -> list[CardSpec]:
    return order_cards(call, selected_only=True)
