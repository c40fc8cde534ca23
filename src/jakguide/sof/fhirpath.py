"""A small FHIRPath parser: the subset SQL on FHIR ViewDefinitions use.

It turns an expression into a tree of frozen dataclasses; ``compiler`` turns the tree into SQL.
Grammar (lowest precedence first): ``implies``; ``or``/``xor``; ``and``; ``in``/``contains``;
equality; inequality; ``|``; ``is``/``as``; additive (``+ - &``); multiplicative
(``* / div mod``); unary sign; invocation chains (``.name``, ``.fn(args)``, ``[index]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jakguide.sof.errors import ViewError


@dataclass(frozen=True)
class Literal:
    """A literal value; ``kind`` is string, integer, decimal, boolean, date, dateTime or time."""

    value: object
    kind: str


@dataclass(frozen=True)
class Empty:
    """The empty collection ``{}``."""


@dataclass(frozen=True)
class This:
    """``$this``: the current input item."""


@dataclass(frozen=True)
class Constant:
    """``%name``: a ViewDefinition constant or ``%rowIndex``."""

    name: str


@dataclass(frozen=True)
class Member:
    """``base.name`` (``base`` None: navigate from the current context)."""

    base: Node | None
    name: str


@dataclass(frozen=True)
class Call:
    """``base.fn(args)`` (``base`` None: called on the current context)."""

    base: Node | None
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Index:
    """``base[index]``."""

    base: Node
    index: Node


@dataclass(frozen=True)
class Binary:
    """``left op right``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Unary:
    """``-operand`` or ``+operand``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class TypeOp:
    """``operand is Type`` / ``operand as Type``."""

    op: str
    operand: Node
    type_name: str


Node = Literal | Empty | This | Constant | Member | Call | Index | Binary | Unary | TypeOp

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<datetime>@\d{4}(?:-\d{2}(?:-\d{2})?)?(?:T[0-9:.]*(?:Z|[+-]\d{2}:\d{2})?)?)
  | (?P<time>@T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*|`[^`]+`)
  | (?P<special>\$this|\$index|\$total)
  | (?P<ext>%(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]+`|'[^']+'))
  | (?P<op><=|>=|!=|!~|\{\}|[-+*/&|=~<>.,()\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "'": "'", '"': '"', "`": "`", "\\": "\\"}


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 5 < len(text):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            raise ViewError(f"unexpected character {src[pos]!r} at position {pos}")
        kind = m.lastgroup or ""
        if kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("eof", "", pos))
    return toks


_KEYWORD_OPS = {"and", "or", "xor", "implies", "in", "contains", "div", "mod", "is", "as"}


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = _tokenize(src)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.peek()
        if tok.kind == "op":
            return tok.text in ops
        return tok.kind == "ident" and tok.text in ops and tok.text in _KEYWORD_OPS

    def expect(self, text: str) -> None:
        tok = self.next()
        if tok.text != text:
            found = tok.text or "end of expression"
            raise ViewError(f"expected {text!r} at position {tok.pos}, found {found!r}")

    def parse(self) -> Node:
        node = self.expr(0)
        tok = self.peek()
        if tok.kind != "eof":
            raise ViewError(f"unexpected {tok.text!r} at position {tok.pos}")
        return node

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("implies",),
        ("or", "xor"),
        ("and",),
        ("in", "contains"),
        ("=", "~", "!=", "!~"),
        ("<", "<=", ">", ">="),
        ("|",),
        ("is", "as"),
        ("+", "-", "&"),
        ("*", "/", "div", "mod"),
    )

    def expr(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        ops = self._LEVELS[level]
        left = self.expr(level + 1)
        while self.at_op(*ops):
            op = self.next().text
            if op in ("is", "as"):
                left = TypeOp(op, left, self.type_name())
                continue
            right = self.expr(level + 1)
            left = Binary(op, left, right)
        return left

    def type_name(self) -> str:
        tok = self.next()
        if tok.kind != "ident":
            raise ViewError(f"expected a type name at position {tok.pos}")
        name = tok.text.strip("`")
        while self.peek().text == "." and self.toks[self.i + 1].kind == "ident":
            self.next()
            name = self.next().text.strip("`")
        return name

    def unary(self) -> Node:
        if self.at_op("+", "-"):
            op = self.next().text
            return Unary(op, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        node = self.term()
        while True:
            if self.at_op("."):
                self.next()
                tok = self.next()
                if tok.kind != "ident":
                    raise ViewError(f"expected a name after '.' at position {tok.pos}")
                node = self.invocation(node, tok)
            elif self.at_op("["):
                self.next()
                index = self.expr(0)
                self.expect("]")
                node = Index(node, index)
            else:
                return node

    def invocation(self, base: Node | None, tok: _Tok) -> Node:
        name = tok.text.strip("`")
        if self.at_op("(") and not tok.text.startswith("`"):
            self.next()
            args: list[Node] = []
            if not self.at_op(")"):
                args.append(self.expr(0))
                while self.at_op(","):
                    self.next()
                    args.append(self.expr(0))
            self.expect(")")
            return Call(base, name, tuple(args))
        return Member(base, name)

    def term(self) -> Node:
        tok = self.next()
        if tok.kind == "number":
            if "." in tok.text:
                return Literal(tok.text, "decimal")
            return Literal(int(tok.text), "integer")
        if tok.kind == "string":
            return Literal(_unescape(tok.text[1:-1]), "string")
        if tok.kind == "datetime":
            text = tok.text[1:]
            return Literal(text, "dateTime" if "T" in text else "date")
        if tok.kind == "time":
            return Literal(tok.text[2:], "time")
        if tok.kind == "special":
            if tok.text == "$this":
                return This()
            raise ViewError(f"{tok.text} is not supported")
        if tok.kind == "ext":
            return Constant(tok.text[1:].strip("`'"))
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                return Literal(tok.text == "true", "boolean")
            return self.invocation(None, tok)
        if tok.text == "{}":
            return Empty()
        if tok.text == "(":
            node = self.expr(0)
            self.expect(")")
            return node
        found = tok.text or "end of expression"
        raise ViewError(f"unexpected {found!r} at position {tok.pos}")


def parse(src: str) -> Node:
    """Parse a FHIRPath expression; a syntax error raises :class:`ViewError`."""
    if not src.strip():
        raise ViewError("empty FHIRPath expression")
    return _Parser(src).parse()
