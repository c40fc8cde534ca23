"""The CLI reference (docs/cli.md), generated from the commands themselves.

Run ``python -m jakguide.cli.docs > docs/cli.md``; a test fails when the committed file differs,
so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer

from jakguide.cli import app

# Typer vendors its own click; the command objects are used by duck typing (groups have
# ``list_commands``, options have ``opts``).


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    ctx = typer.Context(group)
    for name in sorted(group.list_commands(ctx)):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        full = f"{prefix} {name}".strip()
        if hasattr(cmd, "list_commands"):
            out += _commands(cmd, full)
        else:
            out.append((full, cmd))
    return out


def _param_row(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "option":
        names = ", ".join(f"`{o}`" for o in param.opts)
        text = (param.help or "").replace("|", "\\|")
        default = param.default
        if param.is_flag or default in (None, ()) or callable(default):
            shown = ""
        else:
            shown = f" (default: `{getattr(default, 'value', default)}`)"
        envvar = f" Env: `{param.envvar}`." if param.envvar else ""
        return f"| {names} | {text}{shown}{envvar} |"
    meta = str(getattr(param, "metavar", None) or param.name).upper()
    return f"| `{meta}` | {getattr(param, 'help', '') or ''} |"


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the commands by `python -m jakguide.cli.docs`; a test keeps it current.",
        "Exit codes: 0 success; 1 the command found the problems it was asked to find (e.g.",
        "`kb validate` on invalid knowledge); 2 bad input or usage (one line naming the value).",
        "",
        "Commands that read the knowledge keep a snapshot of it in `$JAKGUIDE_CACHE_DIR` (default",
        "`~/.cache/jakguide`), named by a hash of every knowledge file and of the sources, so",
        "it is rebuilt whenever one changes; `JAKGUIDE_CACHE_DIR=` (empty) switches it off, and",
        "`kb validate` always reads the files. Tables fit the terminal's width (`COLUMNS`): long",
        "columns wrap, drug names and statuses are never cut.",
        "",
    ]
    for name, cmd in _commands(root, ""):
        lines += [f"## `jakguide {name}`", ""]
        if cmd.help:
            lines += [cmd.help.strip().split("\n\n")[0].replace("\n", " "), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += ["| parameter | meaning |", "|---|---|"]
            lines += [_param_row(p) for p in params]
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
