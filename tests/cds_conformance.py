"""CDS Hooks conformance checks for request, response, feedback and discovery bodies.

Two layers, both offline:

- the CDS Hooks 3.0 IG invariants (``cds-r-*``, ``cds-resp-*``, ``cds-fb-*``), vendored as data
  in ``tests/cds/conformance/invariants.json`` (HL7/cds-hooks, Apache-2.0, commit in the file)
  and evaluated with fhirpathpy on every element each invariant is attached to;
- the spec's shapes (required fields and their JSON types, the ``summary`` length, the
  ``indicator``, ``selectionBehavior``, action ``type`` and link ``type`` enumerations,
  ``source.label``, UUIDs, instants), which the IG's logical models state as cardinalities and
  required bindings rather than invariants.

``check_request``, ``check_response``, ``check_feedback`` and ``check_discovery`` return the ids
that failed (sorted, each once; empty = conformant): an invariant id, or a ``shape:...`` id.
``failures_*`` return every failure with the path where it happened, for messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import fhirpathpy

HERE = Path(__file__).parent / "cds" / "conformance"
Body = Literal["request", "response", "feedback"]

# Card summary: the spec's "<140-character summary"; issue 13 asks for at most 140 characters.
SUMMARY_MAX = 140
INDICATORS = frozenset({"info", "warning", "critical"})
SELECTION_BEHAVIORS = frozenset({"at-most-one", "any"})
ACTION_TYPES = frozenset({"create", "update", "delete"})
LINK_TYPES = frozenset({"absolute", "smart"})
OUTCOMES = frozenset({"accepted", "overridden"})
# The JSON carries the bare UUID (the IG's models add the "urn:uuid:" prefix implicitly).
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# FHIR instant: a full date-time with seconds and a time zone.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_ABSOLUTE_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")


@dataclass(frozen=True)
class Failure:
    id: str  # the invariant id (cds-resp-6) or the shape check (shape:card.summary)
    path: str  # where: cards[0].suggestions[1]
    message: str


@dataclass(frozen=True)
class Invariant:
    id: str
    severity: Literal["error", "warning"]
    description: str
    expression: str
    contexts: tuple[tuple[Body, str], ...]  # (body, element path) the invariant is attached to


@cache
def invariants() -> tuple[Invariant, ...]:
    """The vendored invariants, each with the elements the IG attaches it to."""
    data = json.loads((HERE / "invariants.json").read_text())
    return tuple(
        Invariant(
            id=i["id"],
            severity=i["severity"],
            description=i["description"],
            expression=i["expression"],
            contexts=tuple((c["body"], c["path"]) for c in i["contexts"]),
        )
        for i in data["invariants"]
    )


@cache
def _compiled(expression: str) -> Callable[..., list[Any]]:
    fn: Callable[..., list[Any]] = fhirpathpy.compile(expression)
    return fn


def _nodes(body: Any, path: str) -> list[tuple[str, Any]]:
    """The elements at a dotted ``path`` of the JSON body, each with its indexed location."""
    found: list[tuple[str, Any]] = [("", body)]
    for name in path.split(".") if path else []:
        step: list[tuple[str, Any]] = []
        for where, node in found:
            if not isinstance(node, dict) or name not in node:
                continue
            value = node[name]
            here = f"{where}.{name}" if where else name
            if isinstance(value, list):
                step.extend((f"{here}[{k}]", v) for k, v in enumerate(value))
            elif value is not None:
                step.append((here, value))
        found = step
    return found


def _holds(result: list[Any]) -> bool:
    """True holds; false or empty fails (as the FHIR validator reads a constraint)."""
    return result == [True]


def invariant_failures(kind: Body, body: Any) -> list[Failure]:
    """Every vendored invariant of ``kind`` evaluated on every element it applies to."""
    out: list[Failure] = []
    for inv in invariants():
        for ctx_body, path in inv.contexts:
            if ctx_body != kind:
                continue
            for where, node in _nodes(body, path):
                if not isinstance(node, dict):
                    continue  # a shape failure, reported by the shape checks
                if not _holds(_compiled(inv.expression)(node)):
                    out.append(Failure(inv.id, where or "$", inv.description))
    return out


# --------------------------------------------------------------------------- shapes


class _Shapes:
    """Collects shape failures while walking a body."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []

    def fail(self, check: str, path: str, message: str) -> None:
        self.failures.append(Failure(f"shape:{check}", path or "$", message))

    def obj(self, value: Any, check: str, path: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail(check, path, f"expected a JSON object, got {type(value).__name__}")
        return None

    def items(self, parent: dict[str, Any], key: str, check: str, path: str) -> list[Any]:
        """``parent[key]`` as a list (absent: empty); anything else is a failure."""
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(check, f"{path}.{key}", "expected an array")
            return []
        return value

    def string(
        self, parent: dict[str, Any], key: str, check: str, path: str, required: bool = True
    ) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(check, f"{path}.{key}", f"{key} is required")
            return None
        if not isinstance(value, str) or not value:
            self.fail(check, f"{path}.{key}", f"{key} must be a non-empty string")
            return None
        return value

    def uuid(self, parent: dict[str, Any], key: str, check: str, path: str, required: bool) -> None:
        value = self.string(parent, key, check, path, required)
        if value is not None and not _UUID.match(value):
            self.fail(check, f"{path}.{key}", f"{value!r} is not a UUID")

    def enum(
        self,
        parent: dict[str, Any],
        key: str,
        allowed: frozenset[str],
        check: str,
        path: str,
        required: bool,
    ) -> None:
        value = self.string(parent, key, check, path, required)
        if value is not None and value not in allowed:
            self.fail(check, f"{path}.{key}", f"{value!r} not one of {sorted(allowed)}")

    def boolean(self, parent: dict[str, Any], key: str, check: str, path: str) -> None:
        if key in parent and not isinstance(parent[key], bool):
            self.fail(check, f"{path}.{key}", f"{key} must be true or false")

    def url(self, parent: dict[str, Any], key: str, check: str, path: str, required: bool) -> None:
        value = self.string(parent, key, check, path, required)
        if value is not None and not _ABSOLUTE_URL.match(value):
            self.fail(check, f"{path}.{key}", f"{value!r} is not an absolute URL")

    def coding(self, value: Any, check: str, path: str) -> None:
        coding = self.obj(value, check, path)
        if coding is not None:
            self.string(coding, "code", check, path)
            self.string(coding, "system", check, path, required=False)

    # -- request -------------------------------------------------------------------------

    def request(self, body: Any) -> None:
        req = self.obj(body, "request", "")
        if req is None:
            return
        self.string(req, "hook", "request.hook", "")
        self.uuid(req, "hookInstance", "request.hookInstance", "", required=True)
        self.url(req, "fhirServer", "request.fhirServer", "", required=False)
        self.obj(req.get("context"), "request.context", "context")
        auth = req.get("fhirAuthorization")
        if auth is not None and (
            a := self.obj(auth, "request.fhirAuthorization", "fhirAuthorization")
        ):
            for key in ("access_token", "scope", "subject"):
                self.string(a, key, "request.fhirAuthorization", "fhirAuthorization")
            if a.get("token_type") != "Bearer":
                self.fail(
                    "request.fhirAuthorization", "fhirAuthorization.token_type", "must be 'Bearer'"
                )
            expires = a.get("expires_in")
            if not isinstance(expires, int) or isinstance(expires, bool):
                self.fail(
                    "request.fhirAuthorization",
                    "fhirAuthorization.expires_in",
                    "must be an integer",
                )
        prefetch = req.get("prefetch")
        if prefetch is not None and (p := self.obj(prefetch, "request.prefetch", "prefetch")):
            for key, value in p.items():
                if value is not None and not (isinstance(value, dict) and "resourceType" in value):
                    self.fail("request.prefetch", f"prefetch.{key}", "a FHIR resource or null")

    # -- response ------------------------------------------------------------------------

    def response(self, body: Any) -> None:
        resp = self.obj(body, "response", "")
        if resp is None:
            return
        if not isinstance(resp.get("cards"), list):
            self.fail("response.cards", "cards", "cards is required (an array, maybe empty)")
        for i, card in enumerate(self.items(resp, "cards", "response.cards", "")):
            self.card(card, f"cards[{i}]")
        for i, action in enumerate(self.items(resp, "systemActions", "response.systemActions", "")):
            self.action(action, f"systemActions[{i}]")

    def card(self, value: Any, path: str) -> None:
        card = self.obj(value, "card", path)
        if card is None:
            return
        summary = self.string(card, "summary", "card.summary", path)
        if summary is not None and len(summary) > SUMMARY_MAX:
            self.fail("card.summary-length", f"{path}.summary", f"{len(summary)} characters")
        self.enum(card, "indicator", INDICATORS, "card.indicator", path, required=True)
        self.uuid(card, "uuid", "card.uuid", path, required=False)
        self.string(card, "detail", "card.detail", path, required=False)
        source = self.obj(card.get("source"), "card.source", f"{path}.source")
        if source is not None:
            self.string(source, "label", "card.source.label", f"{path}.source")
            self.url(source, "url", "card.source.url", f"{path}.source", required=False)
            self.url(source, "icon", "card.source.icon", f"{path}.source", required=False)
            if "topic" in source:
                self.coding(source["topic"], "card.source.topic", f"{path}.source.topic")
        self.enum(
            card, "selectionBehavior", SELECTION_BEHAVIORS, "card.selectionBehavior", path, False
        )
        for i, s in enumerate(self.items(card, "suggestions", "card.suggestions", path)):
            self.suggestion(s, f"{path}.suggestions[{i}]")
        for i, r in enumerate(self.items(card, "overrideReasons", "card.overrideReasons", path)):
            self.coding(r, "card.overrideReasons", f"{path}.overrideReasons[{i}]")
        for i, link in enumerate(self.items(card, "links", "card.links", path)):
            self.link(link, f"{path}.links[{i}]")

    def suggestion(self, value: Any, path: str) -> None:
        s = self.obj(value, "suggestion", path)
        if s is None:
            return
        self.string(s, "label", "suggestion.label", path)
        self.uuid(s, "uuid", "suggestion.uuid", path, required=False)
        self.boolean(s, "isRecommended", "suggestion.isRecommended", path)
        for i, action in enumerate(self.items(s, "actions", "suggestion.actions", path)):
            self.action(action, f"{path}.actions[{i}]")

    def action(self, value: Any, path: str) -> None:
        action = self.obj(value, "action", path)
        if action is None:
            return
        self.enum(action, "type", ACTION_TYPES, "action.type", path, required=True)
        self.string(action, "description", "action.description", path, required=False)
        kind = action.get("type")
        resource = action.get("resource")
        is_resource = isinstance(resource, dict) and isinstance(resource.get("resourceType"), str)
        if kind in ("create", "update") and not is_resource:
            self.fail("action.resource", f"{path}.resource", f"{kind} needs a FHIR resource")
        if kind == "delete":
            self.string(action, "resourceId", "action.resourceId", path)

    def link(self, value: Any, path: str) -> None:
        link = self.obj(value, "link", path)
        if link is None:
            return
        self.string(link, "label", "link.label", path)
        self.url(link, "url", "link.url", path, required=True)
        self.enum(link, "type", LINK_TYPES, "link.type", path, required=True)
        self.boolean(link, "autolaunchable", "link.autolaunchable", path)

    # -- feedback ------------------------------------------------------------------------

    def feedback(self, body: Any) -> None:
        fb = self.obj(body, "feedback", "")
        if fb is None:
            return
        if not isinstance(fb.get("feedback"), list):
            self.fail("feedback.feedback", "feedback", "feedback is required (an array)")
        for i, value in enumerate(self.items(fb, "feedback", "feedback.feedback", "")):
            path = f"feedback[{i}]"
            entry = self.obj(value, "feedback.entry", path)
            if entry is None:
                continue
            self.uuid(entry, "card", "feedback.card", path, required=True)
            self.enum(entry, "outcome", OUTCOMES, "feedback.outcome", path, required=True)
            stamp = self.string(entry, "outcomeTimestamp", "feedback.outcomeTimestamp", path)
            if stamp is not None and not _INSTANT.match(stamp):
                self.fail("feedback.outcomeTimestamp", f"{path}.outcomeTimestamp", "not an instant")
            for k, acc in enumerate(
                self.items(entry, "acceptedSuggestions", "feedback.acceptedSuggestions", path)
            ):
                where = f"{path}.acceptedSuggestions[{k}]"
                if (a := self.obj(acc, "feedback.acceptedSuggestions", where)) is not None:
                    self.uuid(a, "id", "feedback.acceptedSuggestions", where, required=True)
            reason = entry.get("overrideReason")
            if reason is not None:
                where = f"{path}.overrideReason"
                if (r := self.obj(reason, "feedback.overrideReason", where)) is not None:
                    if "reason" in r:
                        self.coding(r["reason"], "feedback.overrideReason", f"{where}.reason")
                    self.string(r, "userComment", "feedback.overrideReason", where, False)

    # -- discovery -----------------------------------------------------------------------

    def discovery(self, body: Any) -> None:
        doc = self.obj(body, "discovery", "")
        if doc is None:
            return
        if not isinstance(doc.get("services"), list):
            self.fail("discovery.services", "services", "services is required (an array)")
        ids: set[str] = set()
        for i, value in enumerate(self.items(doc, "services", "discovery.services", "")):
            path = f"services[{i}]"
            service = self.obj(value, "discovery.service", path)
            if service is None:
                continue
            self.string(service, "hook", "discovery.service.hook", path)
            self.string(service, "description", "discovery.service.description", path)
            sid = self.string(service, "id", "discovery.service.id", path)
            if sid is not None and sid in ids:
                self.fail("discovery.service.id", f"{path}.id", f"duplicate id {sid!r}")
            ids.add(sid or "")
            self.string(service, "title", "discovery.service.title", path, required=False)
            prefetch = service.get("prefetch")
            if prefetch is not None and (
                p := self.obj(prefetch, "discovery.prefetch", f"{path}.prefetch")
            ):
                for key, query in p.items():
                    if not isinstance(query, str) or not query:
                        self.fail("discovery.prefetch", f"{path}.prefetch.{key}", "a FHIR query")


def _shape(method: str, body: Any) -> list[Failure]:
    shapes = _Shapes()
    getattr(shapes, method)(body)
    return shapes.failures


def _ids(failures: Iterable[Failure]) -> list[str]:
    return sorted({f.id for f in failures})


def failures_request(body: Any) -> list[Failure]:
    return [*_shape("request", body), *invariant_failures("request", body)]


def failures_response(body: Any) -> list[Failure]:
    return [*_shape("response", body), *invariant_failures("response", body)]


def failures_feedback(body: Any) -> list[Failure]:
    return [*_shape("feedback", body), *invariant_failures("feedback", body)]


def failures_discovery(body: Any) -> list[Failure]:
    return _shape("discovery", body)


def check_request(body: Any) -> list[str]:
    """Failed ids for a hook request body (empty = conformant)."""
    return _ids(failures_request(body))


def check_response(body: Any) -> list[str]:
    """Failed ids for a hook response body (empty = conformant)."""
    return _ids(failures_response(body))


def check_feedback(body: Any) -> list[str]:
    """Failed ids for a feedback request body (empty = conformant)."""
    return _ids(failures_feedback(body))


def check_discovery(body: Any) -> list[str]:
    """Failed ids for a discovery (``GET /cds-services``) body (empty = conformant)."""
    return _ids(failures_discovery(body))


def explain(failures: Iterable[Failure]) -> str:
    """One line per failure, for assertion messages."""
    return "\n".join(f"{f.id} at {f.path}: {f.message}" for f in failures)
