"""Cards issued and feedback received, in the store; override rates per card type and rule.

Why keep the cards: feedback names a card by uuid only, and a clinic wants to know which *kind*
of card is noise. The rows hold no patient data: service, card type, rule, outcome, reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from jakguide.cds.cards import card_type_and_rule
from jakguide.cds.wire import FeedbackItem
from jakguide.store.db import Database
from jakguide.store.models import CdsCardRow, CdsFeedbackRow

LOG = logging.getLogger("jakguide.cds")


def record_cards(db: Database, batches: list[tuple[str, list[dict[str, Any]], str | None]]) -> None:
    """Remember what each returned card was about, in one transaction (a uuid is kept once:
    the same call repeated returns the same cards)."""
    uuids = [card["uuid"] for _, cards, _ in batches for card in cards]
    if not uuids:
        return
    with db.transaction() as s:
        known: set[str] = set()
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            known |= set(s.scalars(select(CdsCardRow.uuid).where(CdsCardRow.uuid.in_(chunk))))
        for service_id, cards, client in batches:
            for card in cards:
                if card["uuid"] in known:
                    continue
                known.add(card["uuid"])
                card_type, rule = card_type_and_rule(card)
                s.add(
                    CdsCardRow(
                        uuid=card["uuid"],
                        service_id=service_id,
                        card_type=card_type,
                        rule=rule[:200],
                        indicator=card["indicator"],
                        client=client,
                    )
                )


class CardLog:
    """Cards returned, kept in memory and written in batches.

    Why: one write transaction per call (a durable commit, an fsync on SQLite) cost as much as
    the whole check; cards are written when ``max_rows`` are waiting or ``max_age`` seconds have
    passed (by a background task after the answer), before feedback is stored, and when the app
    shuts down.
    """

    def __init__(self, db: Database, max_rows: int = 200, max_age: float = 2.0) -> None:
        self.db = db
        self.max_rows = max_rows
        self.max_age = max_age
        self._lock = threading.Lock()
        self._waiting: list[tuple[str, list[dict[str, Any]], str | None]] = []
        self._count = 0
        self._since = time.monotonic()

    def add(self, service_id: str, cards: list[dict[str, Any]], client: str | None) -> bool:
        """Keep the cards; True when a flush is due (the caller runs :meth:`flush` later)."""
        if not cards:
            return False
        with self._lock:
            self._waiting.append((service_id, cards, client))
            self._count += len(cards)
            return self._count >= self.max_rows or time.monotonic() - self._since >= self.max_age

    def flush(self) -> None:
        """Write every waiting card (a failure is logged with the count; the rows are lost)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
            self._count = 0
            self._since = time.monotonic()
        if not waiting:
            return
        try:
            record_cards(self.db, waiting)
        except Exception as exc:  # bookkeeping must never fail the service
            lost = sum(len(c) for _, c, _ in waiting)
            LOG.error("CDS cards not recorded (%d lost): %s", lost, type(exc).__name__)


def record_feedback(
    db: Database, service_id: str, items: list[FeedbackItem], client: str | None
) -> int:
    """Store each feedback entry; returns how many were stored."""
    with db.transaction() as s:
        for item in items:
            reason = item.overrideReason.reason if item.overrideReason else None
            s.add(
                CdsFeedbackRow(
                    service_id=service_id,
                    card_uuid=item.card,
                    outcome=item.outcome,
                    accepted_suggestions=len(item.acceptedSuggestions or []),
                    reason_system=reason.system if reason else None,
                    reason_code=reason.code if reason else None,
                    reason_display=reason.display if reason else None,
                    user_comment=item.overrideReason.userComment if item.overrideReason else None,
                    outcome_at=_utc(item.outcomeTimestamp),
                    client=client,
                )
            )
    return len(items)


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


@dataclass(frozen=True)
class ReportRow:
    """Feedback on one kind of card: how often it was shown, accepted and overridden."""

    service_id: str
    card_type: str
    rule: str
    shown: int
    accepted: int
    overridden: int
    top_reason: str | None

    @property
    def override_rate(self) -> float | None:
        answered = self.accepted + self.overridden
        return self.overridden / answered if answered else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service_id,
            "card_type": self.card_type,
            "rule": self.rule,
            "shown": self.shown,
            "accepted": self.accepted,
            "overridden": self.overridden,
            "override_rate": self.override_rate,
            "top_override_reason": self.top_reason,
        }


def report(db: Database, since: dt.datetime | None = None) -> list[ReportRow]:
    """Override rates per service, card type and rule (feedback on unknown cards: "unknown")."""
    with db.read_session() as s:
        shown_q = select(
            CdsCardRow.service_id, CdsCardRow.card_type, CdsCardRow.rule, func.count()
        ).group_by(CdsCardRow.service_id, CdsCardRow.card_type, CdsCardRow.rule)
        if since is not None:
            shown_q = shown_q.where(CdsCardRow.issued_at >= since)
        shown = {(a, b, c): n for a, b, c, n in s.execute(shown_q)}
        fb_q = select(
            CdsFeedbackRow.service_id,
            CdsCardRow.card_type,
            CdsCardRow.rule,
            CdsFeedbackRow.outcome,
            CdsFeedbackRow.reason_display,
            CdsFeedbackRow.reason_code,
        ).outerjoin(CdsCardRow, CdsCardRow.uuid == CdsFeedbackRow.card_uuid)
        if since is not None:
            fb_q = fb_q.where(CdsFeedbackRow.outcome_at >= since)
        counts: dict[tuple[str, str, str], dict[str, int]] = {}
        reasons: dict[tuple[str, str, str], dict[str, int]] = {}
        for service, card_type, rule, outcome, display, code in s.execute(fb_q):
            key = (service, card_type or "unknown", rule or "unknown")
            c = counts.setdefault(key, {"accepted": 0, "overridden": 0})
            c[outcome] = c.get(outcome, 0) + 1
            said = display or code
            if outcome == "overridden" and said:
                r = reasons.setdefault(key, {})
                r[said] = r.get(said, 0) + 1
    rows = []
    for key in sorted(set(shown) | set(counts)):
        c = counts.get(key, {})
        given = reasons.get(key, {})
        top = max(sorted(given), key=lambda k: given[k]) if given else None
        rows.append(
            ReportRow(
                service_id=key[0],
                card_type=key[1],
                rule=key[2],
                shown=shown.get(key, 0),
                accepted=c.get("accepted", 0),
                overridden=c.get("overridden", 0),
                top_reason=top,
            )
        )
    return rows
