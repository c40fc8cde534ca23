"""Compile a parsed FHIRPath expression to a SQL expression over the resource's JSON.

A compiled value (:class:`Val`) is either a single nullable value (``many`` false; NULL is the
empty collection) or a SQL list. Its elements are JSON values, or plain SQL scalars
(``native``) once they are computed (literals, comparisons, ``join``). ``type`` is the FHIR type
when known, so that ``Patient.name.famly`` is an error and ``name.family`` is known to be a list
of strings.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from jakguide.sof import fhirpath as fp
from jakguide.sof.dialect import Dialect
from jakguide.sof.errors import ViewError

_INTEGER = frozenset({"integer", "positiveInt", "unsignedInt", "integer64"})
_STRING = frozenset(
    {
        "string",
        "code",
        "id",
        "uri",
        "url",
        "canonical",
        "oid",
        "uuid",
        "markdown",
        "base64Binary",
        "date",
        "dateTime",
        "instant",
        "time",
        "xhtml",
    }
)
PRIMITIVES = _INTEGER | _STRING | {"boolean", "decimal"}
LITERAL_DECIMALS = "literal decimals"  # a need: decimals with their digits as written


@cache
def elements() -> dict[str, dict[str, Any]]:
    """The FHIR R4 element table (``fhir_r4_elements.json``)."""
    text = resources.files("jakguide.sof").joinpath("fhir_r4_elements.json").read_text()
    table: dict[str, dict[str, Any]] = json.loads(text)
    return table


def kind_of(fhir_type: str | None) -> str:
    """The SQL kind of a FHIR type (unknown and complex types: ``json``)."""
    if fhir_type is None:
        return "json"
    if fhir_type == "boolean":
        return "boolean"
    if fhir_type in _INTEGER:
        return "integer"
    if fhir_type == "decimal":
        return "decimal"
    if fhir_type in _STRING:
        return "string"
    return "json"


_RESOURCE_BASES = frozenset({"Resource", "DomainResource"})


@dataclass(frozen=True)
class Val:
    """A compiled FHIRPath value."""

    sql: str
    type: str | None
    many: bool
    native: bool = False
    choice: tuple[str, Val] | None = None
    jp: tuple[str, str] | None = None  # sql == extract(jp[0], JSONPath jp[1]) (DuckDB)
    items: tuple[str, ...] | None = None  # a list built from these single values


@dataclass
class Scope:
    """What an expression sees: its input, the resource, constants, %rowIndex."""

    dialect: Dialect
    this: Val
    resource: Val
    row_index: str
    constants: dict[str, Val]
    counter: itertools.count[int] = field(default_factory=itertools.count)
    checked: bool = True
    fields: dict[str, str] | None = None
    # The forEach/forEachOrNull expressions from the resource to here (None inside a repeat)
    # and the SQL of this context's key (the iteration indexes), for a repeat's recursive CTE.
    chain: tuple[tuple[Any, bool, str], ...] | None = ()
    key: str = "''"
    # What the compiled SQL needs from the input, shared by every scope of one compilation
    # ("literal decimals": a decimal's digits as written, for its boundaries).
    needs: set[str] = field(default_factory=set)

    def var(self) -> str:
        """A fresh lambda variable name."""
        return f"v{next(self.counter)}"

    def with_this(self, this: Val) -> Scope:
        """The same scope with another input."""
        return replace(self, this=this)


class PathCompiler:
    """Compile FHIRPath trees in a scope."""

    def __init__(self, scope: Scope) -> None:
        self.s = scope
        self.d = scope.dialect

    # -- helpers --------------------------------------------------------------------------
    def as_list(self, v: Val) -> Val:
        """``v`` as a list."""
        v = self.materialize(v)
        if v.many:
            return v
        var = self.s.var()
        lst = self.d.filter(self.d.list_of([v.sql]), var, f"{var} IS NOT NULL")
        return replace(v, jp=None, items=None, sql=lst, many=True)

    def first(self, v: Val) -> Val:
        """The first element (a single value)."""
        v = self.materialize(v)
        if not v.many:
            return v
        return replace(v, jp=None, items=None, sql=self.d.element(v.sql, "1"), many=False)

    def scalar(self, v: Val, kind: str) -> str:
        """A single SQL value of ``kind``."""
        v = self.first(v)
        if not v.native and not v.many and v.jp is not None:
            return self.d.native_path(v.jp[0], v.jp[1], kind)
        if v.native:
            if v.type is not None and kind_of(v.type) != kind and kind != "json":
                return self.d.cast(v.sql, kind)
            return v.sql
        return self.d.native(v.sql, kind)

    def materialize(self, v: Val) -> Val:
        """A choice element used without ``ofType``: every type's value, as JSON."""
        if v.choice is None or v.sql:
            return v
        name, parent = v.choice
        table = elements()
        if parent.type is None or parent.type not in table:
            return replace(
                v, jp=None, items=None, sql=self._member_sql(parent, name, None, None), choice=None
            )
        info = table[parent.type][name]
        parts = [self.member(parent, name + t[0].upper() + t[1:]) for t in info[1]]
        lists = [self.as_list(p).sql for p in parts]
        return Val(self.d.concat(lists), None, True)

    def native_kind(self, v: Val) -> str:
        """The SQL kind of ``v``'s elements."""
        return kind_of(v.type)

    # -- navigation -------------------------------------------------------------------------
    def _member_sql(self, base: Val, name: str, ftype: str | None, is_array: bool | None) -> str:
        d = self.d
        if is_array is None:
            lst = self.as_list(base)
            var = self.s.var()
            return d.flatten(d.transform(lst.sql, (var,), d.get_any(var, name)))
        if not base.many:
            return d.get_array(base.sql, name) if is_array else d.get(base.sql, name)
        var = self.s.var()
        if is_array:
            return d.flatten(d.transform(base.sql, (var,), d.get_array(var, name)))
        var2 = self.s.var()
        return d.filter(
            d.transform(base.sql, (var,), d.get(var, name)), var2, f"{var2} IS NOT NULL"
        )

    def member(self, base: Val, name: str) -> Val:
        """``base.name``."""
        base = self.materialize(base)
        if base.native:
            raise ViewError(f"cannot navigate to {name!r} from a computed {base.type} value")
        table = elements()
        root = self.s.fields is not None and base is self.s.resource
        if base.type is None or not self.s.checked:
            sql = self._root_sql(name, None) if root else self._member_sql(base, name, None, None)
            return Val(sql, None, True, choice=(name, base))
        if base.type in PRIMITIVES:
            raise ViewError(f"{base.type} is a primitive and has no element {name!r}")
        info = table.get(base.type)
        if info is None:
            sql = self._member_sql(base, name, None, None)
            return Val(sql, None, True, choice=(name, base))
        entry = info.get(name)
        if entry is None:
            raise ViewError(f"{base.type} has no element {name!r}")
        if entry[0] == "[x]":
            return Val("", None, base.many, choice=(name, base))
        ftype, is_array = entry
        jp = self._jsonpath(base, name, is_array, root)
        if jp is not None and (self.d.wildcards or "[*]" not in jp[1]):
            many = "[*]" in jp[1]
            return Val(self.d.path(jp[0], jp[1], many), ftype, many, jp=jp)
        if root:
            sql = self._root_sql(name, is_array)
        else:
            sql = self._member_sql(base, name, ftype, is_array)
        return Val(sql, ftype, base.many or is_array)

    def _jsonpath(self, base: Val, name: str, is_array: bool, root: bool) -> tuple[str, str] | None:
        """One JSONPath for a chain of members (``code.coding[*].code``): one call, no lambdas."""
        step = "[*]" if is_array else ""
        if root:
            assert self.s.fields is not None
            return self.d.ident(self.s.fields.setdefault(name, f"f_{name}")), "$" + step
        if base.jp is not None:
            return base.jp[0], f"{base.jp[1]}.{name}{step}"
        if not base.many and not base.native and re.fullmatch(r"[a-z]\d+", base.sql):
            return base.sql, f"$.{name}{step}"
        return None

    def _root_sql(self, name: str, is_array: bool | None) -> str:
        """A top-level element, read once per resource into its own column (see compiler)."""
        assert self.s.fields is not None
        col = self.d.ident(self.s.fields.setdefault(name, f"f_{name}"))
        if is_array is None:
            return self.d.any_of(col)
        return self.d.array_of(col) if is_array else col

    def of_type(self, v: Val, type_name: str) -> Val:
        """``v.ofType(T)``: a choice element's typed member, or a filter on a known type."""
        if v.choice is not None and (not v.sql or v.type is None):
            name, parent = v.choice
            suffix = type_name[0].upper() + type_name[1:]
            try:
                return self.member(parent, name + suffix)
            except ViewError as err:
                raise ViewError(f"{name}[x] has no type {type_name!r}") from err
        if v.type is None or v.type.lower() == type_name.lower():
            return v
        if v.type in _RESOURCE_BASES and type_name in elements() and not v.native:
            # contained.ofType(Medication): the resources whose resourceType is that type
            lst = self.as_list(v)
            var = self.s.var()
            kind = self.d.native(self.d.get(var, "resourceType"), "string")
            test = f"{kind} = '{type_name}'"
            return Val(self.d.filter(lst.sql, var, f"coalesce({test}, FALSE)"), type_name, True)
        return Val(self.d.empty_list(kind_of(v.type)), v.type, True, v.native)

    # -- compile -------------------------------------------------------------------------
    def compile(self, node: fp.Node) -> Val:
        """Compile ``node`` with the scope's ``this`` as input."""
        if isinstance(node, fp.Literal):
            return self.literal(node)
        if isinstance(node, fp.Empty):
            return Val(self.d.empty_list("json"), None, True)
        if isinstance(node, fp.This):
            return self.s.this
        if isinstance(node, fp.Constant):
            if node.name == "rowIndex":
                return Val(self.s.row_index, "integer", False, native=True)
            if node.name in {"resource", "rootResource"}:
                return self.s.resource
            if node.name not in self.s.constants:
                raise ViewError(f"constant %{node.name} is not defined")
            return self.s.constants[node.name]
        if isinstance(node, fp.Member):
            base = self.s.this if node.base is None else self.compile(node.base)
            if (
                node.base is None
                and base is self.s.resource
                and base.type is not None
                and node.name == base.type
            ):
                return base
            return self.member(base, node.name)
        if isinstance(node, fp.Call):
            base = self.s.this if node.base is None else self.compile(node.base)
            return self.call(base, node)
        if isinstance(node, fp.Index):
            base = self.as_list(self.compile(node.base))
            index = self.scalar(self.compile(node.index), "integer")
            return replace(
                base,
                jp=None,
                items=None,
                sql=self.d.element(base.sql, f"({index}) + 1"),
                many=False,
            )
        if isinstance(node, fp.Unary):
            operand = self.compile(node.operand)
            kind = "integer" if kind_of(operand.type) == "integer" else "decimal"
            sql = self.scalar(operand, kind)
            return Val(f"({node.op}{sql})", kind, False, native=True)
        if isinstance(node, fp.Binary):
            return self.binary(node)
        if isinstance(node, fp.TypeOp):
            operand = self.compile(node.operand)
            if node.op == "as":
                return self.of_type(operand, node.type_name)
            typed = self.of_type(operand, node.type_name)
            return Val(self._exists(typed), "boolean", False, native=True)
        raise ViewError(f"unsupported expression {node!r}")

    def literal(self, node: fp.Literal) -> Val:
        """A literal as a native SQL value."""
        if node.kind == "boolean":
            return Val("TRUE" if node.value else "FALSE", "boolean", False, native=True)
        if node.kind == "integer":
            return Val(str(node.value), "integer", False, native=True)
        if node.kind == "decimal":
            return Val(f"CAST({node.value} AS DOUBLE)", "decimal", False, native=True)
        return Val(self.d.string(str(node.value)), node.kind, False, native=True)

    def _exists(self, v: Val) -> str:
        v = self.materialize(v)
        if v.many:
            return f"({self.d.length(v.sql)} > 0)"
        return f"({v.sql} IS NOT NULL)"

    def _where(self, base: Val, cond: fp.Node) -> Val:
        base = self.materialize(base)
        if not base.many:
            var = self.s.var()
            inner = PathCompiler(self.s.with_this(Val(var, base.type, False, base.native)))
            test = inner.boolean(inner.compile(cond))
            kept = f"CASE WHEN coalesce({test}, FALSE) THEN {var} END"
            return replace(base, jp=None, items=None, sql=self.d.let(base.sql, var, kept))
        lst = self.as_list(base)
        var = self.s.var()
        inner = PathCompiler(self.s.with_this(Val(var, lst.type, False, lst.native)))
        test = inner.boolean(inner.compile(cond))
        return replace(
            lst, jp=None, items=None, sql=self.d.filter(lst.sql, var, f"coalesce({test}, FALSE)")
        )

    def boolean(self, v: Val) -> str:
        """``v`` as a nullable SQL boolean; a value of a known non-boolean type is an error."""
        v = self.materialize(v)
        if v.type is not None and kind_of(v.type) != "boolean":
            raise ViewError(f"expected a boolean, found {v.type}")
        return self.scalar(v, "boolean")

    def call(self, base: Val, node: fp.Call) -> Val:
        """A function call."""
        name, args = node.name, node.args
        d = self.d

        def arity(*allowed: int) -> None:
            if len(args) not in allowed:
                raise ViewError(f"{name}() takes {' or '.join(map(str, allowed))} argument(s)")

        if name == "where":
            arity(1)
            return self._where(base, args[0])
        if name == "exists":
            arity(0, 1)
            target = self._where(base, args[0]) if args else base
            return Val(self._exists(target), "boolean", False, native=True)
        if name == "empty":
            arity(0)
            return Val(f"(NOT {self._exists(base)})", "boolean", False, native=True)
        if name == "first":
            arity(0)
            return self.first(base)
        if name == "last":
            arity(0)
            lst = self.as_list(base)
            return replace(lst, jp=None, items=None, sql=d.element(lst.sql, "-1"), many=False)
        if name == "count":
            arity(0)
            lst = self.as_list(base)
            return Val(d.length(lst.sql), "integer", False, native=True)
        if name == "not":
            arity(0)
            return Val(f"(NOT {self.boolean(base)})", "boolean", False, native=True)
        if name == "ofType":
            arity(1)
            return self.of_type(base, self._type_arg(args[0]))
        if name == "join":
            arity(0, 1)
            sep = self.scalar(self.compile(args[0]), "string") if args else "''"
            lst = self.as_list(base)
            var = self.s.var()
            strings = (
                lst.sql if lst.native else d.transform(lst.sql, (var,), d.native(var, "string"))
            )
            return Val(f"coalesce({d.join(strings, sep)}, '')", "string", False, native=True)
        if name == "extension":
            arity(1)
            url = self.scalar(self.compile(args[0]), "string")
            ext = self.as_list(self.member(base, "extension"))
            var = self.s.var()
            test = f"{d.native(d.get(var, 'url'), 'string')} = {url}"
            return replace(
                ext, jp=None, items=None, sql=d.filter(ext.sql, var, test), type="Extension"
            )
        if name == "getResourceKey":
            arity(0)
            return Val(self.scalar(self.member(base, "id"), "string"), "string", False, True)
        if name == "getReferenceKey":
            arity(0, 1)
            ref = self.scalar(self.member(base, "reference"), "string")

            # Type/id, optionally /_history/version, at the end of a relative or absolute URL.
            def part(i: int) -> str:
                return d.split_part(ref, "/", i)

            hist = f"coalesce({part(-2)} = '_history', FALSE)"
            rtype_sql = f"CASE WHEN {hist} THEN {part(-4)} ELSE {part(-2)} END"
            key = f"CASE WHEN {hist} THEN {part(-3)} ELSE {part(-1)} END"
            valid = f"{d.regexp_like(rtype_sql, '^[A-Z][A-Za-z]+$')} AND {key} <> ''"
            if args:
                valid = f"{rtype_sql} = {d.string(self._type_arg(args[0]))} AND {key} <> ''"
            body = f"CASE WHEN {valid} THEN {key} END"
            return Val(body, "string", False, native=True)
        if name in ("lowBoundary", "highBoundary"):
            arity(0, 1)
            return self.boundary(base, name == "lowBoundary")
        if name == "iif":
            arity(2, 3)
            cond = self.boolean(self.compile(args[0]))
            then = self.compile(args[1])
            other = self.compile(args[2]) if args[2:] else None
            kind = kind_of(then.type)
            then_sql = self.scalar(then, kind)
            else_sql = self.scalar(other, kind) if other is not None else "NULL"
            return Val(
                f"CASE WHEN {cond} THEN {then_sql} ELSE {else_sql} END", then.type, False, True
            )
        if name == "toString":
            arity(0)
            return Val(self.scalar(base, "string"), "string", False, native=True)
        raise ViewError(f"function {name}() is not supported")

    @staticmethod
    def _type_arg(node: fp.Node) -> str:
        if isinstance(node, fp.Member) and node.base is None:
            return node.name
        if isinstance(node, fp.Member) and isinstance(node.base, fp.Member):
            return node.name  # FHIR.Quantity, System.String
        raise ViewError("expected a type name")

    def boundary(self, base: Val, low: bool) -> Val:
        """lowBoundary()/highBoundary() of a decimal, date, dateTime, instant or time."""
        d = self.d
        v = self.first(base)
        t = v.type
        if t == "decimal":
            if not v.native:
                self.s.needs.add(LITERAL_DECIMALS)
            text = d.number_text(v.sql) if not v.native else f"CAST({v.sql} AS VARCHAR)"
            # The place of the last digit written: 1.50 -> 2, 12 -> 0, 1.5e2 -> -1 (tens).
            fraction = d.regexp_extract(text, r"\.([0-9]+)", 1)
            exponent = d.regexp_extract(text, r"[eE]([+-]?[0-9]+)", 1)
            digits = (
                f"(coalesce(length({fraction}), 0) - coalesce(TRY_CAST({exponent} AS BIGINT), 0))"
            )
            num = self.scalar(v, "decimal")
            sign = "-" if low else "+"
            scale = f"power(10, ({digits}) + 1)"
            shifted = f"({num} {sign} 0.5 * power(10, -({digits})))"
            sql = f"(floor({shifted} * {scale} + 0.5) / {scale})"
            return Val(sql, "decimal", False, native=True)
        if t in ("date", "dateTime", "instant"):
            s = self.scalar(v, "string")
            month_start = f"{s} || '-01'"
            month = month_start if low else d.last_day(month_start)
            year = "-01-01" if low else "-12-31"
            date = (
                f"CASE length({s}) WHEN 4 THEN {s} || '{year}' "
                f"WHEN 7 THEN {month} ELSE substr({s}, 1, 10) END"
            )
            if t == "date":
                return Val(date, "date", False, native=True)
            tail = "T00:00:00.000+14:00" if low else "T23:59:59.999-12:00"
            sql = f"CASE WHEN length({s}) <= 10 THEN {date} || '{tail}' ELSE {s} END"
            return Val(sql, t, False, native=True)
        if t == "time":
            s = self.scalar(v, "string")
            sql = (
                f"CASE length({s}) WHEN 2 THEN {s} || '{':00:00.000' if low else ':59:59.999'}' "
                f"WHEN 5 THEN {s} || '{':00.000' if low else ':59.999'}' "
                f"WHEN 8 THEN {s} || '{'.000' if low else '.999'}' ELSE {s} END"
            )
            return Val(sql, "time", False, native=True)
        raise ViewError(
            f"lowBoundary()/highBoundary() is not supported on {t or 'an untyped value'}"
        )

    def binary(self, node: fp.Binary) -> Val:
        """Operators."""
        op = node.op
        left = self.compile(node.left)
        right = self.compile(node.right)
        if op in ("and", "or", "xor", "implies"):
            a, b = self.boolean(left), self.boolean(right)
            sql = {
                "and": f"({a} AND {b})",
                "or": f"({a} OR {b})",
                "xor": f"({a} <> {b})",
                "implies": f"((NOT {a}) OR {b})",
            }[op]
            return Val(sql, "boolean", False, native=True)
        if op == "|":
            left, right = self.materialize(left), self.materialize(right)
            li = left.items or ((left.sql,) if not left.many else None)
            ri = right.items or ((right.sql,) if not right.many else None)
            if li is not None and ri is not None and left.native == right.native:
                items = li + ri
                var = self.s.var()
                sql = self.d.filter(self.d.list_of(list(items)), var, f"{var} IS NOT NULL")
                same_type = left.type if left.type == right.type else None
                return Val(sql, same_type, True, left.native, items=items)
            lists = [self.as_list(left), self.as_list(right)]
            if lists[0].native != lists[1].native:
                lists = [self._json_list(x) for x in lists]
            same = lists[0].type == lists[1].type
            return Val(
                self.d.concat([x.sql for x in lists]),
                lists[0].type if same else None,
                True,
                lists[0].native,
            )
        if op in ("in", "contains"):
            item, coll = (left, right) if op == "in" else (right, left)
            kind = self._common_kind(item, coll)
            lst = self.as_list(coll)
            var = self.s.var()
            values = (
                lst.sql
                if lst.native
                else self.d.transform(lst.sql, (var,), self.d.native(var, kind))
            )
            return Val(self.d.contains(values, self.scalar(item, kind)), "boolean", False, True)
        kind = self._common_kind(left, right)
        if op in ("+", "-", "*", "/", "div", "mod", "&"):
            return self.arithmetic(op, left, right, kind)
        a, b = self.scalar(left, kind), self.scalar(right, kind)
        sql_op = {
            "=": "=",
            "~": "=",
            "!=": "<>",
            "!~": "<>",
            "<": "<",
            "<=": "<=",
            ">": ">",
            ">=": ">=",
        }[op]
        return Val(f"({a} {sql_op} {b})", "boolean", False, native=True)

    def _json_list(self, v: Val) -> Val:
        if not v.native:
            return v
        var = self.s.var()
        return Val(self.d.transform(v.sql, (var,), self.d.to_json(var)), v.type, True)

    @staticmethod
    def _common_kind(a: Val, b: Val) -> str:
        kinds = {kind_of(a.type), kind_of(b.type)}
        if "boolean" in kinds:
            return "boolean"
        if kinds & {"decimal"} or kinds == {"integer", "json"}:
            return "decimal"
        if kinds == {"integer"}:
            return "integer"
        return "string"

    def arithmetic(self, op: str, left: Val, right: Val, kind: str) -> Val:
        """+ - * / div mod &."""
        if op == "&" or (op == "+" and kind == "string"):
            a, b = self.scalar(left, "string"), self.scalar(right, "string")
            if op == "&":
                return Val(f"(coalesce({a}, '') || coalesce({b}, ''))", "string", False, True)
            return Val(f"({a} || {b})", "string", False, native=True)
        num = "integer" if kind == "integer" and op not in ("/",) else "decimal"
        a, b = self.scalar(left, num), self.scalar(right, num)
        if op == "div":
            return Val(f"CAST(floor({a} / {b}) AS BIGINT)", "integer", False, native=True)
        if op == "mod":
            return Val(f"({a} % {b})", num, False, native=True)
        if op == "/":
            return Val(f"(CAST({a} AS DOUBLE) / {b})", "decimal", False, native=True)
        return Val(f"({a} {op} {b})", num, False, native=True)
