"""CLI door for the instruments: ``jakguide score`` and ``jakguide response``.

The lead mounts these on the main CLI with :func:`register` (or decorates
:func:`score_command` / :func:`response_command` directly)::

    jakguide score NAME key=value ... [@inputs.json] [--format text|json]
    jakguide score pasi head.erythema=2 head.induration=2 ...     (dotted keys for nesting)
    jakguide score dlqi answers=3,2,1,0,2,not-relevant,no:a-little,0,0,2
    jakguide response NAME --baseline key=value,... | VALUE | @file.json --current ...

Invalid input (unknown instrument, missing item, value out of range, malformed argument)
prints one line on stderr naming the item, the value and what is accepted, and exits with
code 2; never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jakguide.cli._common import guarded
from jakguide.instruments.errors import InstrumentInputError

if TYPE_CHECKING:
    from jakguide.instruments import Response, Score

# The instruments load inside the commands: importing them reads the knowledge's source table,
# which `jakguide --help` does not need.

__all__ = [
    "app",
    "parse_assessment",
    "parse_inputs",
    "register",
    "response_command",
    "score_command",
]

FORMATS = ("text", "json")
_NULLS = ("", "null")
_CONTEXT = {"ignore_unknown_options": True, "allow_extra_args": True}


def _scalar(raw: str) -> str | None:
    text = raw.strip()
    return None if text.lower() in _NULLS else text


def _value(raw: str) -> Any:
    if "," in raw:
        return [_scalar(part) for part in raw.split(",")]
    return _scalar(raw)


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.strip().split(".")
    if any(not p for p in parts):
        raise InstrumentInputError("argument", key, "key=value with a non-empty (dotted) key")
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InstrumentInputError(
                ".".join(parts[: depth + 1]), child, "a group of dotted keys, not a value"
            )
        node = child
    node[parts[-1]] = value


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _load_json(path_text: str) -> Any:
    path = Path(path_text)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InstrumentInputError(
            "file", path_text, f"a readable JSON file ({exc.strerror or 'unreadable'})"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InstrumentInputError("file", path_text, f"valid JSON ({exc})") from None


def parse_inputs(tokens: Iterable[str]) -> dict[str, Any]:
    """Turn ``key=value`` / ``@file.json`` tokens into an inputs mapping.

    Dotted keys nest (``head.erythema=2``); a value with commas becomes a list, whose empty
    or ``null`` elements are ``None`` (``answers=3,,1``); later tokens override earlier ones.
    """
    data: dict[str, Any] = {}
    for token in tokens:
        if token.startswith("@"):
            loaded = _load_json(token[1:])
            if not isinstance(loaded, dict):
                raise InstrumentInputError("file", token[1:], "a JSON object of inputs")
            _merge(data, loaded)
        elif "=" in token:
            key, _, raw = token.partition("=")
            _set(data, key, _value(raw))
        else:
            raise InstrumentInputError("argument", token, "key=value or @inputs.json")
    return data


def parse_assessment(text: str) -> Any:
    """Parse one ``--baseline``/``--current`` value: a number, ``k=v,k=v`` or ``@file.json``."""
    text = text.strip()
    if text.startswith("@"):
        return _load_json(text[1:])
    if "=" in text:
        data: dict[str, Any] = {}
        for pair in text.split(","):
            if "=" not in pair:
                raise InstrumentInputError("argument", pair, "key=value pairs separated by commas")
            key, _, raw = pair.partition("=")
            _set(data, key, _scalar(raw))
        return data
    return _scalar(text)


def _check_format(output_format: str) -> str:
    fmt = output_format.strip().lower()
    if fmt not in FORMATS:
        raise InstrumentInputError("--format", output_format, " or ".join(FORMATS))
    return fmt


def _check_extra(extra: Sequence[str]) -> None:
    if extra:
        raise InstrumentInputError(
            "argument", extra[0], "only NAME, --baseline, --current, --format"
        )


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, Mapping):
        rows: list[tuple[str, str]] = []
        for key, value in data.items():
            rows += _flatten(value, f"{prefix}{key}.")
        return rows
    if isinstance(data, list) and any(isinstance(v, Mapping) for v in data):
        rows = []
        for index, value in enumerate(data, start=1):
            rows += _flatten(value, f"{prefix}{index}.")
        return rows
    return [(prefix.rstrip("."), _show(data))]


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "-"
    return str(value)


def _sources_text(sources: Iterable[Mapping[str, Any]]) -> str:
    return "\n".join(
        f"{s['doc']} ({s['year'] if s['year'] is not None else 'n.d.'}): {s['section']}"
        for s in sources
    )


def _print_score(name: str, result: Score) -> None:
    from jakguide.instruments import DLQI_NOTICE
    from jakguide.instruments.registry import INSTRUMENTS

    entry = INSTRUMENTS[name]
    table = Table(title=entry.doc.title, show_header=False, title_justify="left")
    table.add_column("item", style="bold")
    table.add_column("value")
    value = result.value
    shown = f"{value:.{entry.display_decimals}f}" if isinstance(value, float) else str(value)
    if isinstance(value, float) and repr(value) != shown:
        shown += f" (unrounded {value!r})"
    table.add_row("value", shown)
    table.add_row("category", result.category or "- (no published categories)")
    for key, text in _flatten(result.components):
        table.add_row(key, text)
    for note in result.notes:
        table.add_row("note", note)
    table.add_row("sources", _sources_text(result.sources))
    if name == "dlqi":
        table.add_row("copyright", DLQI_NOTICE)
    Console().print(table)


def _print_response(name: str, result: Response) -> None:
    from jakguide.instruments.registry import RESPONSES

    table = Table(title=RESPONSES[name].doc.title, show_header=False, title_justify="left")
    table.add_column("item", style="bold")
    table.add_column("value")
    for key, text in _flatten({"baseline": result.baseline, "current": result.current}):
        table.add_row(key, text)
    for key, text in _flatten(dict(result.results)):
        table.add_row(key, text)
    for key, reason in result.not_evaluable.items():
        table.add_row(f"not evaluable: {key}", reason)
    for note in result.notes:
        table.add_row("note", note)
    table.add_row("sources", _sources_text(result.sources))
    Console().print(table)


def _emit_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2))


def score_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="Instrument, e.g. pasi, dlqi, basdai, asdas-crp (without one: the list).",
            show_default=False,
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="key=value (dotted keys for nesting) or @inputs.json"),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Score a disease-activity instrument (PASI, DLQI, BASDAI, ASDAS, DAPSA, MDA, ...)."""
    from jakguide.instruments.registry import INSTRUMENTS

    known = name is not None and name.strip().lower() in INSTRUMENTS
    guarded(
        lambda: _score(name, [*(inputs or []), *ctx.args], output_format), name if known else None
    )


def _score(name: str | None, inputs: list[str], output_format: str) -> None:
    from jakguide.instruments.registry import INSTRUMENTS, get_instrument

    fmt = _check_format(output_format)
    if name is None:
        raise InstrumentInputError("instrument", None, "one of: " + ", ".join(sorted(INSTRUMENTS)))
    entry = get_instrument(name)
    result = entry.score(**parse_inputs(inputs))
    if fmt == "json":
        _emit_json(result.to_dict() | {"instrument": entry.name})
    else:
        _print_score(entry.name, result)


def response_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="Response, e.g. pasi, asdas, asas, das28 (without one: the list).",
            show_default=False,
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="VALUE, key=value,... or @file.json", show_default=False),
    ] = None,
    current: Annotated[
        str | None,
        typer.Option("--current", help="VALUE, key=value,... or @file.json", show_default=False),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Evaluate treatment response between a baseline and a follow-up assessment."""
    from jakguide.instruments.registry import RESPONSES

    known = name is not None and name.strip().lower() in RESPONSES
    guarded(
        lambda: _response(name, baseline, current, ctx.args, output_format),
        name if known else None,
    )


def _response(
    name: str | None,
    baseline: str | None,
    current: str | None,
    extra: list[str],
    output_format: str,
) -> None:
    from jakguide.instruments.registry import RESPONSES, get_response

    fmt = _check_format(output_format)
    if name is None:
        raise InstrumentInputError("response", None, "one of: " + ", ".join(sorted(RESPONSES)))
    entry = get_response(name)
    _check_extra(extra)
    if baseline is None:
        raise InstrumentInputError("--baseline", None, "VALUE, key=value,... or @file.json")
    if current is None:
        raise InstrumentInputError("--current", None, "VALUE, key=value,... or @file.json")
    result = entry.compute(parse_assessment(baseline), parse_assessment(current))
    if fmt == "json":
        _emit_json(result.to_dict() | {"instrument": entry.name})
    else:
        _print_response(entry.name, result)


def register(app: typer.Typer) -> None:
    """Add ``score`` and ``response`` to ``app`` (one-line errors for stray options too)."""
    app.command("score", context_settings=_CONTEXT)(score_command)
    app.command("response", context_settings=_CONTEXT)(response_command)


app = typer.Typer(help="Disease-activity instruments and treatment response.", no_args_is_help=True)
register(app)
