"""Compile a ViewDefinition to one SQL query, for DuckDB or Spark SQL.

Each select node becomes a SQL list of row structs, built with list functions over the
resource's JSON (``forEach``: a map over the collection; sibling selects: a cross product;
``unionAll``: list concatenation). The query then unnests the rows of every resource. ``repeat``
is a recursive CTE (no depth cap) that collects, per resource, every node reached by the repeat
paths in depth-first order; ``%rowIndex`` is the element's position (from the list index).

The input table has one column, ``resource`` (JSON in DuckDB, VARIANT in Spark), one row per
resource of the view's type. A view that takes the boundaries of a decimal parses the resource's
JSON text itself, marking decimals so that they keep their written digits (``dialect
._LiteralDecimals``); in Spark it reads the text from a second column, ``json``
(``Compiled.input_column`` says which column the SQL reads).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from jakguide.sof import fhirpath as fp
from jakguide.sof.dialect import DIALECTS, Dialect
from jakguide.sof.errors import ViewError
from jakguide.sof.paths import LITERAL_DECIMALS, PathCompiler, Scope, Val, kind_of
from jakguide.sof.view import Column, Select, View

MANY_VALUES = "returned more than one value; set collection to true to keep a list"

_CONSTANT_KINDS = {
    "boolean": "boolean",
    "decimal": "decimal",
    "integer": "integer",
    "integer64": "integer",
    "positiveInt": "integer",
    "unsignedInt": "integer",
}


@dataclass
class _Rows:
    """Rows of a select node: one row of ``columns`` (``rows`` None) or a list of structs."""

    fields: list[str]
    kinds: list[str]
    columns: list[str] | None = None
    rows: str | None = None


@dataclass
class _Repeat:
    name: str
    paths: tuple[fp.Node, ...]
    at: str
    chain: tuple[tuple[fp.Node, bool, str], ...]


@dataclass
class Compiled:
    """A compiled view: the SQL and its output columns with their SQL kinds."""

    sql: str
    columns: list[str]
    kinds: list[str]
    dialect: str
    fields: dict[str, str] = field(default_factory=dict)
    uses_resource: bool = True
    input_column: str = "resource"  # the column of the input table the SQL reads
    kept: list[str] = field(default_factory=list)  # input columns passed through (``keep``)


@dataclass
class _Compiler:
    view: View
    d: Dialect
    table: str
    prefetched: bool = False
    keep: tuple[str, ...] = ()
    counter: itertools.count[int] = field(default_factory=itertools.count)
    repeats: list[_Repeat] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)

    # -- scopes ----------------------------------------------------------------------------
    def root_scope(self) -> Scope:
        resource = Val("r", self.view.resource, False)
        constants = {}
        for c in self.view.constants:
            kind = _CONSTANT_KINDS.get(c.type, "string")
            if kind == "boolean":
                sql = "TRUE" if c.value is True else "FALSE"
            elif kind in ("integer", "decimal"):
                sql = f"CAST({c.value} AS {self.d.sql_types[kind]})"
            else:
                sql = self.d.string(str(c.value))
            constants[c.name] = Val(sql, c.type, False, native=True)
        return Scope(self.d, resource, resource, "0", constants, self.counter, needs=self.needs)

    def path(self, scope: Scope, node: fp.Node, at: str, source: str) -> Val:
        try:
            return PathCompiler(scope).compile(node)
        except ViewError as err:
            raise err.at(at, source) from None

    # -- rows ---------------------------------------------------------------------------------
    def column(self, scope: Scope, col: Column) -> tuple[str, str]:
        pc = PathCompiler(scope)
        at = f"{col.at}.path"
        v = self.path(scope, col.path, at, col.source)
        try:
            v = pc.materialize(v)
        except ViewError as err:
            raise err.at(at, col.source) from None
        # Untyped values (inside repeat, after extension()) come out as text.
        kind = kind_of(col.type or v.type) if (col.type or v.type) else "string"
        if kind == "json" and v.native:
            kind = "string"
        out_kind = "string" if kind == "json" else kind
        d = self.d
        if col.collection:
            lst = pc.as_list(v)
            if lst.native:
                return d.transform(lst.sql, ("c",), d.cast("c", out_kind)), f"list:{out_kind}"
            var = scope.var()
            return d.transform(lst.sql, (var,), d.native(var, kind)), f"list:{out_kind}"
        if v.many:
            message = f"{at}: {col.source!r} {MANY_VALUES}"
            var = scope.var()
            one = pc.scalar(Val(var, v.type, True, v.native), kind)
            check = f"CASE WHEN {d.length(var)} > 1 THEN {d.error(message)} ELSE {one} END"
            sql = d.let(v.sql, var, check)
        else:
            sql = pc.scalar(v, kind)
        if v.native and kind_of(v.type) != out_kind:
            sql = d.cast(sql, out_kind)
        return sql, out_kind

    def struct(self, names: list[str], values: list[str]) -> str:
        return self.d.struct(list(zip(names, values, strict=True)))

    def as_list(self, rows: _Rows) -> str:
        if rows.rows is not None:
            return rows.rows
        assert rows.columns is not None
        return self.d.list_of([self.struct(rows.fields, rows.columns)])

    def product(self, a: _Rows, b: _Rows) -> _Rows:
        d = self.d
        if not a.fields and a.rows is None:
            return b
        if not b.fields and b.rows is None:
            return a
        fields, kinds = a.fields + b.fields, a.kinds + b.kinds
        if a.columns is not None and b.columns is not None:
            return _Rows(fields, kinds, columns=a.columns + b.columns)
        if a.columns is not None:
            var = f"r{next(self.counter)}"
            vals = a.columns + [d.field(var, n) for n in b.fields]
            return _Rows(
                fields, kinds, rows=d.transform(self.as_list(b), (var,), self.struct(fields, vals))
            )
        if b.columns is not None:
            var = f"r{next(self.counter)}"
            vals = [d.field(var, n) for n in a.fields] + b.columns
            return _Rows(
                fields, kinds, rows=d.transform(self.as_list(a), (var,), self.struct(fields, vals))
            )
        va, vb = f"r{next(self.counter)}", f"r{next(self.counter)}"
        vals = [d.field(va, n) for n in a.fields] + [d.field(vb, n) for n in b.fields]
        inner = d.transform(self.as_list(b), (vb,), self.struct(fields, vals))
        return _Rows(fields, kinds, rows=d.flatten(d.transform(self.as_list(a), (va,), inner)))

    def body(self, scope: Scope, node: Select) -> _Rows:
        cols = [self.column(scope, c) for c in node.columns]
        acc = _Rows(
            [c.name for c in node.columns], [k for _, k in cols], columns=[s for s, _ in cols]
        )
        for child in node.selects:
            acc = self.product(acc, self.node(scope, child))
        if node.union_all:
            acc = self.product(acc, self.union_all(scope, node))
        return acc

    def union_all(self, scope: Scope, node: Select) -> _Rows:
        branches = [self.node(scope, b) for b in node.union_all]
        first = branches[0]
        for branch, raw in zip(branches[1:], node.union_all[1:], strict=True):
            if branch.fields != first.fields:
                raise ViewError(
                    f"unionAll branches must have the same columns in the same order: "
                    f"{first.fields} and {branch.fields}",
                    raw.at,
                )
        kinds = [
            k if all(b.kinds[i] == k for b in branches) else "string"
            for i, k in enumerate(first.kinds)
        ]
        lists = []
        for b in branches:
            if b.kinds != kinds and b.columns is not None:
                b.columns = [
                    self.d.cast(c, kinds[i]) if b.kinds[i] != kinds[i] else c
                    for i, c in enumerate(b.columns)
                ]
            lists.append(self.as_list(b))
        return _Rows(first.fields, kinds, rows=self.d.concat(lists))

    def node(self, scope: Scope, node: Select) -> _Rows:
        d = self.d
        if node.repeat:
            if scope.chain is None:
                raise ViewError("repeat inside repeat is not supported", node.at)
            name = f"rep{len(self.repeats)}"
            self.repeats.append(_Repeat(name, node.repeat, f"{node.at}.repeat", scope.chain))
            var = scope.var()
            found = d.filter(name, var, f"{d.field(var, 'c')} = {scope.key}")
            nodes = f"{d.field(d.element(found, '1'), 'v')}"
            coll = Val(f"coalesce({nodes}, {d.empty_list('json')})", None, True)
        elif node.for_each is not None:
            at = f"{node.at}.forEachOrNull" if node.or_null else f"{node.at}.forEach"
            pc = PathCompiler(scope)
            coll = self.path(scope, node.for_each, at, "")
            coll = pc.as_list(coll)
            if coll.native:
                raise ViewError("forEach needs elements, not computed values", at)
            if node.or_null:
                var = scope.var()
                null_list = d.list_of([d.typed_null("json")])
                wrapped = f"CASE WHEN {d.length(var)} = 0 THEN {null_list} ELSE {var} END"
                coll = Val(
                    d.element(d.transform(d.list_of([coll.sql]), (var,), wrapped), "1"),
                    coll.type,
                    True,
                )
        else:
            return self.body(scope, node)
        elem, idx = scope.var(), scope.var()
        inner = Scope(
            d,
            Val(elem, coll.type, False),
            scope.resource,
            f"({idx} - {d.index_base})",
            scope.constants,
            scope.counter,
            scope.checked,
            scope.fields,
            needs=scope.needs,
        )
        if node.repeat or scope.chain is None:
            inner.chain = None
        else:
            assert node.for_each is not None
            inner.chain = (*scope.chain, (node.for_each, node.or_null, node.at))
            inner.key = f"{scope.key} || '.' || {d.cast(idx, 'string')}"
        body = self.body(inner, node)
        rows = d.flatten(d.transform(coll.sql, (elem, idx), self.as_list(body)))
        return _Rows(body.fields, body.kinds, rows=rows)

    # -- query ---------------------------------------------------------------------------------
    def contexts(self, chain: tuple[tuple[fp.Node, bool, str], ...], this: Val, key: str) -> str:
        """Every context a repeat starts from, as a list of (key ``c``, element ``e``)."""
        d = self.d
        if not chain:
            return d.list_of([d.struct([("c", key), ("e", this.sql)])])
        expr, _, at = chain[0]
        scope = self.root_scope()
        scope.this = this
        coll = PathCompiler(scope).as_list(self.path(scope, expr, at, ""))
        x, i = scope.var(), scope.var()
        inner = self.contexts(
            chain[1:], Val(x, coll.type, False), f"{key} || '.' || {d.cast(i, 'string')}"
        )
        return d.flatten(d.transform(coll.sql, (x, i), inner))

    def repeat_ctes(self) -> list[str]:
        d = self.d
        ctes = []
        for rep in self.repeats:
            parts = []
            starts = self.contexts(rep.chain, Val("r", self.view.resource, False), "''")
            seed_src = (
                f"(SELECT rid, {d.field('x', 'c')} AS c, {d.field('x', 'e')} AS ctx FROM "
                f"(SELECT rid, {d.explode(starts)} AS x FROM base) s0)"
            )
            for source, ctx, key in ((seed_src, "ctx", "''"), (rep.name, "node", "k")):
                lists = []
                for j, path in enumerate(rep.paths):
                    scope = self.root_scope()
                    scope.this = Val(ctx, None, False)
                    scope.checked = False
                    v = self.path(scope, path, f"{rep.at}[{j}]", "")
                    lst = PathCompiler(scope).as_list(v)
                    x, i = scope.var(), scope.var()
                    fields = [("e", x), ("i", i), ("j", str(j))]
                    lists.append(d.transform(lst.sql, (x, i), d.struct(fields)))
                pad = " || ".join(
                    f"lpad({d.cast(d.field('u', f), 'string')}, 10, '0')" for f in ("j", "i")
                )
                parts.append(
                    f"SELECT rid, c, {key} || {pad} AS k, {d.field('u', 'e')} AS node "
                    f"FROM (SELECT rid, c, {'k, ' if ctx == 'node' else ''}"
                    f"{d.explode(d.concat(lists))} AS u FROM {source} s1) t"
                )
            body = " UNION ALL ".join(parts)
            ctes.append(f"{rep.name}(rid, c, k, node) AS ({body})")
            agg = d.ordered_agg("node", "k")
            entries = d.agg_list(d.struct([("c", "c"), ("v", "nodes")]))
            ctes.append(
                f"{rep.name}_agg AS (SELECT rid, {entries} AS entries FROM "
                f"(SELECT rid, c, {agg} AS nodes FROM {rep.name} GROUP BY rid, c) g GROUP BY rid)"
            )
        return ctes

    def compile(self) -> Compiled:
        d = self.d
        scope = self.root_scope()
        scope.fields = {}
        conditions = []
        for node, at in self.view.where:
            v = self.path(scope, node, at, "")
            try:
                conditions.append(f"coalesce({PathCompiler(scope).boolean(v)}, FALSE)")
            except ViewError as err:
                raise ViewError(
                    "a where path must give a boolean (true keeps the resource): " + err.reason, at
                ) from None
        rows = _Rows([], [], columns=[])
        for select in self.view.selects:
            rows = self.product(rows, self.node(scope, select))
        if not rows.fields:
            raise ViewError("the view has no columns", "select")
        row_list = self.as_list(rows) if rows.columns is None else ""
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        ctes: list[str] = []
        names = list(scope.fields)
        inner, exprs = d.project("r", names)
        cols = "".join(
            f", {e} AS {d.ident(scope.fields[n])}" for n, e in zip(names, exprs, strict=True)
        )
        if self.repeats:
            materialized = " MATERIALIZED" if d.name == "duckdb" else ""
            scan = f"SELECT {d.rowid()} AS rid, resource AS r FROM {d.relation(self.table)}"
            ctes.append(f"base AS{materialized} ({scan})")
            ctes.extend(self.repeat_ctes())
            joins = " ".join(
                f"LEFT JOIN {rep.name}_agg a{n} ON b.rid = a{n}.rid"
                for n, rep in enumerate(self.repeats)
            )
            reps = "".join(f", a{n}.entries AS {rep.name}" for n, rep in enumerate(self.repeats))
            source = f"(SELECT b.r AS r{reps} FROM base b {joins})"
        else:
            source = f"(SELECT resource AS r FROM {d.relation(self.table)})"
        if self.prefetched and not self.repeats:
            # The input relation already holds the top-level members as f_<name> columns.
            source, cols = f"(SELECT * FROM {self.table})", ""
        elif inner is not None and names:
            source = f"(SELECT *, {inner} AS _f FROM {source} b0)"
        ctes.append(
            f"src AS (SELECT *{cols} FROM {source} b1{where})"
            if not where or not names
            else f"src AS (SELECT * FROM (SELECT *{cols} FROM {source} b1) b2{where})"
        )
        recursive = "RECURSIVE " if self.repeats else ""
        joined = ",\n".join(ctes)
        kept: list[str] = []
        if rows.columns is not None:
            # One row per resource: plain columns, no list to unnest (and the input columns
            # asked for in ``keep`` beside them, when the input is the prefetched relation).
            outputs = ", ".join(
                f"{c} AS {d.ident(n)}" for n, c in zip(rows.fields, rows.columns, strict=True)
            )
            if self.prefetched and not self.repeats:
                kept = list(self.keep)
                outputs += "".join(f", {d.ident(k)}" for k in kept)
            sql = f"WITH {recursive}{joined}\nSELECT {outputs}\nFROM src"
        else:
            outputs = ", ".join(f"{d.field('u', n)} AS {d.ident(n)}" for n in rows.fields)
            sql = (
                f"WITH {recursive}{joined}\n"
                f"SELECT {outputs}\nFROM (SELECT {d.explode(row_list)} AS u FROM src) t"
            )
        prefetched = self.prefetched and not self.repeats
        uses_resource = not prefetched or re.search(r"\br\b", sql) is not None
        return Compiled(
            sql,
            rows.fields,
            rows.kinds,
            d.name,
            dict(scope.fields),
            uses_resource,
            d.input_column,
            kept,
        )


def compile_view(
    view: View,
    dialect: str = "duckdb",
    table: str | None = None,
    prefetched: bool = False,
    keep: tuple[str, ...] = (),
) -> Compiled:
    """Compile ``view`` to SQL for ``dialect`` (``duckdb`` or ``spark-sql``).

    ``table`` is the input relation (default: the resource type, quoted), with one column
    ``resource`` (or ``json``, the JSON text, when ``Compiled.input_column`` says so). With
    ``prefetched`` it holds instead one JSON column ``f_<name>`` per top-level member in
    ``Compiled.fields`` (check ``uses_resource``: if true, that form cannot be used). ``keep``
    names columns of that prefetched relation to pass through beside the view's columns, which
    only a view of one row per resource can do (``Compiled.kept`` says whether they were).
    """
    d = DIALECTS.get(dialect)
    if d is None:
        raise ViewError(f"unknown dialect {dialect!r}; use duckdb or spark-sql", "--engine")
    compiler = _Compiler(view, d, table or d.ident(view.resource), prefetched, keep)
    compiled = compiler.compile()
    if LITERAL_DECIMALS in compiler.needs:
        # A decimal's boundaries need its digits as written, which the engines' JSON readers
        # drop; this dialect reads the resource's text (so never the prefetched members).
        exact = d.literal_decimals()
        return _Compiler(view, exact, table or exact.ident(view.resource)).compile()
    return compiled


_MANY = re.compile(r"((?:select|where)[\w\[\].]*\.path: .*? " + re.escape(MANY_VALUES) + ")")


def runtime_error(message: str) -> ViewError | None:
    """The ViewError inside an engine's error message, when the view raised it."""
    m = _MANY.search(message)
    if m is None:
        return None
    text = m.group(1).replace("\\'", "'")
    field, _, reason = text.partition(": ")
    return ViewError(reason, field)
