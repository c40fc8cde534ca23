"""``jakguide-order-sign``: JAK or TYK2 inhibitor orders about to be signed (order-sign hook).

Checks every JAK draft in ``context.draftOrders`` (there are no selections at signing).
"""

from __future__ import annotations

from jakguide.cds.call import Call
from jakguide.cds.cards import CardSpec
from jakguide.cds.orders import order_cards


def cards(call: Call) -> list[CardSpec]:
    return order_cards(call, selected_only=False)
