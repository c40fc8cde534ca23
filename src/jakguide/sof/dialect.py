"""Thin SQL dialect layers: the few spellings DuckDB and Spark SQL do not share.

The compiler writes every expression through a :class:`Dialect`. Resources are one JSON value
each (DuckDB ``JSON``; Spark ``VARIANT`` from ``parse_json``); a FHIRPath collection is a SQL
list of such values, or of plain SQL scalars once a value is known to be a primitive.
"""

from __future__ import annotations

import re
from typing import ClassVar

# SQL kinds a FHIRPath value can take once it leaves JSON.
KINDS = ("string", "integer", "decimal", "boolean", "json")


class Dialect:
    """Base: the spellings shared by DuckDB and Spark; subclasses override the rest."""

    name: ClassVar[str] = ""
    index_base: ClassVar[int] = 0
    wildcards: ClassVar[bool] = False  # JSONPath with [*] returns a list
    sql_types: ClassVar[dict[str, str]] = {}
    input_column: ClassVar[str] = "resource"  # the input table's column the SQL reads

    def relation(self, table: str) -> str:
        """The input relation, one column ``resource``, over ``table``."""
        return table

    def literal_decimals(self) -> Dialect:
        """A variant of this dialect whose decimals keep their digits as written (for
        ``lowBoundary()``/``highBoundary()``, where ``1.0`` and ``1.00`` differ)."""
        raise NotImplementedError

    def group(self, n: int) -> str:
        """Group ``n`` of a match, in a regexp_replace replacement."""
        raise NotImplementedError

    def regexp_replace_all(self, text: str, pattern: str, replacement: str) -> str:
        """``text`` with every match of ``pattern`` replaced."""
        raise NotImplementedError

    # -- literals and names -------------------------------------------------------------
    def ident(self, name: str) -> str:
        """A quoted identifier."""
        raise NotImplementedError

    def string(self, text: str) -> str:
        """A string literal."""
        return "'" + text.replace("'", "''") + "'"

    def typed_null(self, kind: str) -> str:
        """NULL of the SQL type of ``kind``."""
        return f"CAST(NULL AS {self.sql_types[kind]})"

    def cast(self, sql: str, kind: str) -> str:
        """``sql`` as the SQL type of ``kind``."""
        return f"CAST({sql} AS {self.sql_types[kind]})"

    # -- lists --------------------------------------------------------------------------
    def lam(self, params: tuple[str, ...], body: str) -> str:
        """A lambda."""
        raise NotImplementedError

    def list_of(self, items: list[str]) -> str:
        """A list literal."""
        raise NotImplementedError

    def empty_list(self, kind: str) -> str:
        """An empty list of ``kind``."""
        raise NotImplementedError

    def transform(self, lst: str, params: tuple[str, ...], body: str) -> str:
        """Map ``body`` over ``lst`` (``params``: element, optionally the index)."""
        raise NotImplementedError

    def filter(self, lst: str, var: str, body: str) -> str:
        """Keep the elements for which ``body`` is true."""
        raise NotImplementedError

    def flatten(self, lst: str) -> str:
        """A list of lists as one list."""
        return f"flatten({lst})"

    def concat(self, lists: list[str]) -> str:
        """The lists one after the other."""
        raise NotImplementedError

    def length(self, lst: str) -> str:
        """Number of elements."""
        raise NotImplementedError

    def element(self, lst: str, pos: str) -> str:
        """The element at 1-based ``pos`` (negative from the end), NULL when out of range."""
        raise NotImplementedError

    def contains(self, lst: str, item: str) -> str:
        """Whether ``lst`` holds ``item``."""
        return f"array_contains({lst}, {item})"

    def join(self, lst: str, sep: str) -> str:
        """Strings joined with ``sep``."""
        return f"array_join({lst}, {sep})"

    def struct(self, fields: list[tuple[str, str]]) -> str:
        """A struct with the named fields."""
        raise NotImplementedError

    def field(self, struct: str, name: str) -> str:
        """One field of a struct."""
        return f"{struct}.{self.ident(name)}"

    def explode(self, lst: str) -> str:
        """The table function that yields one row per element (in a SELECT list)."""
        raise NotImplementedError

    # -- JSON ---------------------------------------------------------------------------
    def get(self, json: str, name: str) -> str:
        """Member ``name`` of a JSON object (NULL when absent)."""
        raise NotImplementedError

    def get_array(self, json: str, name: str) -> str:
        """Member ``name`` (a JSON array) as a list; empty when absent."""
        raise NotImplementedError

    def get_any(self, json: str, name: str) -> str:
        """Member ``name`` as a list, whether it holds an array or a single value."""
        raise NotImplementedError

    def native(self, json: str, kind: str) -> str:
        """A JSON scalar as a SQL value of ``kind`` (``json``: its JSON text)."""
        raise NotImplementedError

    def array_of(self, json: str) -> str:
        """A JSON array as a list (empty when NULL)."""
        raise NotImplementedError

    def any_of(self, json: str) -> str:
        """A JSON value as a list: its elements if an array, else itself (empty when NULL)."""
        raise NotImplementedError

    def project(self, json: str, names: list[str]) -> tuple[str | None, list[str]]:
        """Top-level members of a JSON object: (an inner expression named ``_f`` or None, one
        expression per member over ``_f`` or ``json``), so the object is parsed once."""
        return None, [self.get(json, n) for n in names]

    def to_json(self, sql: str) -> str:
        """A SQL scalar as a JSON value."""
        raise NotImplementedError

    # -- scalars ------------------------------------------------------------------------
    def error(self, message: str) -> str:
        """An expression that fails the query with ``message``."""
        raise NotImplementedError

    def let(self, value: str, var: str, body: str) -> str:
        """``body`` with ``var`` bound to ``value`` (evaluated once)."""
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|`[^`]+`|_f\[\d+\]", value):
            return re.sub(rf"\b{var}\b", lambda _: value, body)
        return self.element(self.transform(self.list_of([value]), (var,), body), "1")

    def split_part(self, text: str, sep: str, index: int) -> str:
        """Part ``index`` (1-based; negative from the end) of ``text`` split on ``sep``."""
        return f"split_part({text}, {self.string(sep)}, {index})"

    def path(self, json: str, path: str, many: bool) -> str:
        """A JSONPath into ``json`` (``many``: the path has ``[*]``; a list, empty if none)."""
        raise NotImplementedError

    def native_path(self, json: str, path: str, kind: str) -> str:
        """The single value at ``path`` as a SQL value of ``kind``."""
        return self.native(self.path(json, path, False), kind)

    def regexp_like(self, text: str, pattern: str) -> str:
        """Whether ``text`` matches ``pattern`` somewhere."""
        return f"regexp_like({text}, {self.string(pattern)})"

    def regexp_extract(self, text: str, pattern: str, group: int) -> str:
        """Group ``group`` of the first match, NULL when none."""
        return f"nullif(regexp_extract({text}, {self.string(pattern)}, {group}), '')"

    def last_day(self, date_text: str) -> str:
        """The last day of the month of an ISO date, as ISO text."""
        raise NotImplementedError

    def number_text(self, json: str) -> str:
        """The text of a JSON number as written (for its precision)."""
        raise NotImplementedError

    def ordered_agg(self, value: str, key: str) -> str:
        """Aggregate ``value`` into a list ordered by the string ``key``."""
        raise NotImplementedError

    def rowid(self) -> str:
        """A unique id per row of a scan."""
        raise NotImplementedError

    def agg_list(self, value: str) -> str:
        """Aggregate ``value`` into a list (any order)."""
        raise NotImplementedError


class DuckDB(Dialect):
    """DuckDB (JSON type, list functions, ``lambda x:`` syntax)."""

    name = "duckdb"
    index_base = 1
    wildcards = True
    sql_types: ClassVar[dict[str, str]] = {
        "string": "VARCHAR",
        "integer": "BIGINT",
        "decimal": "DOUBLE",
        "boolean": "BOOLEAN",
        "json": "JSON",
    }

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def lam(self, params: tuple[str, ...], body: str) -> str:
        return f"lambda {', '.join(params)}: {body}"

    def list_of(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def empty_list(self, kind: str) -> str:
        return f"CAST([] AS {self.sql_types[kind]}[])"

    def transform(self, lst: str, params: tuple[str, ...], body: str) -> str:
        return f"list_transform({lst}, {self.lam(params, body)})"

    def filter(self, lst: str, var: str, body: str) -> str:
        return f"list_filter({lst}, {self.lam((var,), body)})"

    def concat(self, lists: list[str]) -> str:
        return "list_concat(" + ", ".join(lists) + ")" if len(lists) > 1 else lists[0]

    def length(self, lst: str) -> str:
        return f"len({lst})"

    def element(self, lst: str, pos: str) -> str:
        return f"({lst})[{pos}]"

    def contains(self, lst: str, item: str) -> str:
        return f"list_contains({lst}, {item})"

    def join(self, lst: str, sep: str) -> str:
        return f"array_to_string({lst}, {sep})"

    def native_path(self, json: str, path: str, kind: str) -> str:
        if kind == "string":
            return f"json_extract_string({json}, {self.string(path)})"
        return self.native(self.path(json, path, False), kind)

    def path(self, json: str, path: str, many: bool) -> str:
        if path == "$":
            return json
        if many:
            return f"coalesce(json_extract({json}, {self.string(path)}), CAST([] AS JSON[]))"
        return f"json_extract({json}, {self.string(path)})"

    def regexp_like(self, text: str, pattern: str) -> str:
        return f"regexp_matches({text}, {self.string(pattern)})"

    def struct(self, fields: list[tuple[str, str]]) -> str:
        return "struct_pack(" + ", ".join(f"{self.ident(n)} := {v}" for n, v in fields) + ")"

    def explode(self, lst: str) -> str:
        return f"unnest({lst})"

    def get(self, json: str, name: str) -> str:
        return f"json_extract({json}, {self.string('$.' + name)})"

    def get_array(self, json: str, name: str) -> str:
        return f"json_extract({json}, {self.string('$.' + name + '[*]')})"

    def get_any(self, json: str, name: str) -> str:
        one = self.get(json, name)
        return (
            f"list_concat({self.get_array(json, name)}, CASE WHEN {one} IS NULL OR "
            f"json_type({one}) IN ('ARRAY', 'NULL') THEN CAST([] AS JSON[]) ELSE [{one}] END)"
        )

    def native(self, json: str, kind: str) -> str:
        if kind == "string":
            return f"({json} ->> '$')"
        if kind == "json":
            return f"CAST({json} AS VARCHAR)"
        return f"TRY_CAST({json} AS {self.sql_types[kind]})"

    def to_json(self, sql: str) -> str:
        return f"to_json({sql})"

    def array_of(self, json: str) -> str:
        return f"coalesce(json_extract({json}, '$[*]'), CAST([] AS JSON[]))"

    def any_of(self, json: str) -> str:
        return (
            f"CASE WHEN {json} IS NULL OR json_type({json}) = 'NULL' THEN CAST([] AS JSON[]) "
            f"WHEN json_type({json}) = 'ARRAY' THEN json_extract({json}, '$[*]') ELSE [{json}] END"
        )

    def project(self, json: str, names: list[str]) -> tuple[str | None, list[str]]:
        paths = ", ".join(self.string("$." + n) for n in names)
        return f"json_extract({json}, [{paths}])", [f"_f[{i + 1}]" for i in range(len(names))]

    def error(self, message: str) -> str:
        return f"error({self.string(message)})"

    def last_day(self, date_text: str) -> str:
        return f"CAST(last_day(CAST({date_text} AS DATE)) AS VARCHAR)"

    def number_text(self, json: str) -> str:
        return f"CAST({json} AS VARCHAR)"

    def ordered_agg(self, value: str, key: str) -> str:
        return f"list({value} ORDER BY {key})"

    def rowid(self) -> str:
        return "row_number() OVER ()"

    def agg_list(self, value: str) -> str:
        return f"list({value})"

    def literal_decimals(self) -> Dialect:
        return _LITERAL[self.name]

    def group(self, n: int) -> str:
        return f"\\{n}"

    def regexp_replace_all(self, text: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({text}, {self.string(pattern)}, {self.string(replacement)}, 'g')"


class Spark(Dialect):
    """Spark SQL 4.1+ (VARIANT, higher-order functions, ``x -> body`` lambdas)."""

    name = "spark-sql"
    index_base = 0
    sql_types: ClassVar[dict[str, str]] = {
        "string": "STRING",
        "integer": "BIGINT",
        "decimal": "DOUBLE",
        "boolean": "BOOLEAN",
        "json": "VARIANT",
    }

    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def string(self, text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def lam(self, params: tuple[str, ...], body: str) -> str:
        if len(params) == 1:
            return f"{params[0]} -> {body}"
        return f"({', '.join(params)}) -> {body}"

    def list_of(self, items: list[str]) -> str:
        return "array(" + ", ".join(items) + ")"

    def empty_list(self, kind: str) -> str:
        return f"CAST(array() AS ARRAY<{self.sql_types[kind]}>)"

    def transform(self, lst: str, params: tuple[str, ...], body: str) -> str:
        return f"transform({lst}, {self.lam(params, body)})"

    def filter(self, lst: str, var: str, body: str) -> str:
        return f"filter({lst}, {self.lam((var,), body)})"

    def concat(self, lists: list[str]) -> str:
        return "concat(" + ", ".join(lists) + ")" if len(lists) > 1 else lists[0]

    def length(self, lst: str) -> str:
        return f"size({lst})"

    def element(self, lst: str, pos: str) -> str:
        return f"try_element_at({lst}, CAST({pos} AS INT))"

    def struct(self, fields: list[tuple[str, str]]) -> str:
        return "named_struct(" + ", ".join(f"{self.string(n)}, {v}" for n, v in fields) + ")"

    def explode(self, lst: str) -> str:
        return f"explode({lst})"

    def get(self, json: str, name: str) -> str:
        return f"variant_get({json}, {self.string('$.' + name)}, 'variant')"

    def get_array(self, json: str, name: str) -> str:
        return (
            f"coalesce(try_variant_get({json}, {self.string('$.' + name)}, 'array<variant>'), "
            f"{self.empty_list('json')})"
        )

    def get_any(self, json: str, name: str) -> str:
        one = self.get(json, name)
        return (
            f"coalesce(try_variant_get({json}, {self.string('$.' + name)}, 'array<variant>'), "
            f"CASE WHEN {one} IS NULL OR is_variant_null({one}) THEN {self.empty_list('json')} "
            f"ELSE array({one}) END)"
        )

    def native(self, json: str, kind: str) -> str:
        if kind == "json":
            return f"to_json({json})"
        return f"try_variant_get({json}, '$', {self.string(self.sql_types[kind].lower())})"

    def to_json(self, sql: str) -> str:
        return f"CAST({sql} AS VARIANT)"

    def path(self, json: str, path: str, many: bool) -> str:
        if path == "$":
            return json
        return f"variant_get({json}, {self.string(path)}, 'variant')"

    def native_path(self, json: str, path: str, kind: str) -> str:
        if kind == "json":
            return self.native(self.path(json, path, False), kind)
        sql_type = self.string(self.sql_types[kind].lower())
        return f"try_variant_get({json}, {self.string(path)}, {sql_type})"

    def array_of(self, json: str) -> str:
        return (
            f"coalesce(try_variant_get({json}, '$', 'array<variant>'), {self.empty_list('json')})"
        )

    def any_of(self, json: str) -> str:
        return (
            f"coalesce(try_variant_get({json}, '$', 'array<variant>'), "
            f"CASE WHEN {json} IS NULL OR is_variant_null({json}) THEN {self.empty_list('json')} "
            f"ELSE array({json}) END)"
        )

    def error(self, message: str) -> str:
        return f"raise_error({self.string(message)})"

    def last_day(self, date_text: str) -> str:
        return f"CAST(last_day(to_date({date_text})) AS STRING)"

    def number_text(self, json: str) -> str:
        return f"to_json({json})"

    def ordered_agg(self, value: str, key: str) -> str:
        pairs = f"collect_list(named_struct('k', {key}, 'v', {value}))"
        cmp = "(a, b) -> CASE WHEN a.k < b.k THEN -1 WHEN a.k > b.k THEN 1 ELSE 0 END"
        return f"transform(array_sort({pairs}, {cmp}), p -> p.v)"

    def rowid(self) -> str:
        return "monotonically_increasing_id()"

    def agg_list(self, value: str) -> str:
        return f"collect_list({value})"

    def literal_decimals(self) -> Dialect:
        return _LITERAL[self.name]

    def group(self, n: int) -> str:
        return f"${n}"

    def regexp_replace_all(self, text: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({text}, {self.string(pattern)}, {self.string(replacement)})"


# The pre-pass of _LiteralDecimals, in the regular-expression syntax both engines share (Java's
# in Spark, RE2 in DuckDB); ``Dialect.string`` quotes them for SQL.
_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"
_NUMBER_AFTER = r"([:\[,]\s*)(" + _NUMBER + ")"  # a number token, in text outside strings
_MARKED_JSON = r'"\\u0001([^"]*)"'  # a marked number in JSON text
_MARK = r"^\x01"
_HIDDEN = r"[\x02\x03]"
_BACKSLASHES = "\\\\"  # the JSON escape of a backslash
_ESCAPED_QUOTE = '\\"'  # the JSON escape of a quote


class _LiteralDecimals(Dialect):
    """A dialect whose decimals keep their digits as written.

    The engines' JSON readers drop trailing zeros (Spark's VARIANT reads ``1.50`` as ``1.5``;
    DuckDB's JSON functions write an extracted ``1.50`` back as ``1.5``), so the precision that
    ``lowBoundary()``/``highBoundary()`` need is lost. This dialect reads the resource's JSON
    text and, before parsing it, writes every number that has a fraction or an exponent as a JSON
    string: U+0001, then the number as written. A FHIR string never holds U+0001 (control
    characters other than tab, CR and LF are not allowed), so the mark is unambiguous, and the
    reads below remove it: every value reads as in the plain dialect, and a decimal's text keeps
    its zeros. The pre-pass is set-based and linear: escaped backslashes and quotes are set
    aside (as U+0002 and U+0003, which valid JSON never holds raw), the text is split on quotes
    so that the even parts lie outside strings, numbers in those parts are marked, and the text
    is joined back.
    """

    def literal_decimals(self) -> Dialect:
        return self

    def input_text(self) -> str:
        """The resource's JSON text, from the input table."""
        raise NotImplementedError

    def parse(self, text: str) -> str:
        """JSON text as the dialect's JSON value."""
        raise NotImplementedError

    def relation(self, table: str) -> str:
        s, text, quote = self.string, self.input_text(), self.string('"')
        hidden = f"replace(replace({text}, {s(_BACKSLASHES)}, chr(2)), {s(_ESCAPED_QUOTE)}, chr(3))"
        p, i = "p", "i"
        marked = self.regexp_replace_all(
            p, _NUMBER_AFTER, self.group(1) + '"\\\\u0001' + self.group(2) + '"'
        )
        outside = f"({i} - {self.index_base}) % 2 = 0"
        parts = self.transform(
            f"split({hidden}, {quote})", (p, i), f"CASE WHEN {outside} THEN {marked} ELSE p END"
        )
        joined = (
            f"replace(replace({self.join(parts, quote)}, chr(3), {s(_ESCAPED_QUOTE)}), "
            f"chr(2), {s(_BACKSLASHES)})"
        )
        # A line holding U+0002 or U+0003 raw is not JSON: the parser gets it as it is and fails.
        line = f"CASE WHEN {self.regexp_like(text, _HIDDEN)} THEN {text} ELSE {joined} END"
        return f"(SELECT {self.parse(line)} AS resource FROM {table})"

    def _text(self, json: str) -> str:
        """A scalar as text; a marked decimal as written."""
        return self.regexp_replace_all(super().native(json, "string"), _MARK, "")

    def native(self, json: str, kind: str) -> str:
        if kind == "string":
            return self._text(json)
        if kind == "json":
            return self.regexp_replace_all(super().native(json, kind), _MARKED_JSON, self.group(1))
        if kind in ("integer", "decimal"):
            typed = super().native(json, kind)
            return f"coalesce({typed}, TRY_CAST({self._text(json)} AS {self.sql_types[kind]}))"
        return super().native(json, kind)

    def native_path(self, json: str, path: str, kind: str) -> str:
        return self.native(self.path(json, path, False), kind)

    def number_text(self, json: str) -> str:
        return self._text(json)


class DuckDBLiteralDecimals(_LiteralDecimals, DuckDB):
    """DuckDB with decimals as written: the JSON column holds each line's text unchanged."""

    def input_text(self) -> str:
        return "CAST(resource AS VARCHAR)"

    def parse(self, text: str) -> str:
        return f"CAST({text} AS JSON)"


class SparkLiteralDecimals(_LiteralDecimals, Spark):
    """Spark with decimals as written: reads the input's second column, ``json``, the text."""

    input_column = "json"

    def input_text(self) -> str:
        return self.ident(self.input_column)

    def parse(self, text: str) -> str:
        return f"parse_json({text})"


_LITERAL = {"duckdb": DuckDBLiteralDecimals(), "spark-sql": SparkLiteralDecimals()}


DIALECTS: dict[str, Dialect] = {"duckdb": DuckDB(), "spark": Spark(), "spark-sql": Spark()}
