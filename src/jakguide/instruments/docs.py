"""Generate the Markdown pages in ``docs/instruments/`` from the code.

Why generated: formulas, ranges, category rules and worked-example results are rendered from
the same constants and functions the calculators use, and a test checks that the committed
files equal :func:`render`, so the documentation cannot drift from the code.

Regenerate with ``python -m jakguide.instruments.docs docs/instruments``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jakguide.instruments.dlqi import DLQI_NOTICE
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import SourceRef
from jakguide.instruments.registry import INSTRUMENTS, RESPONSES
from jakguide.instruments.spec import Example, InstrumentDoc, ResponseDoc
from jakguide.kb.base import bundled_sources

__all__ = ["PAGES", "cli_args", "cli_command", "page_names", "render", "render_all", "write_all"]

#: page name -> (instrument rendered on the page or None, responses rendered on the page)
PAGES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "pasi": ("pasi", ("pasi",)),
    "psoriasis-severity": ("psoriasis-severity", ()),
    "dlqi": ("dlqi", ()),
    "napsi": ("napsi", ()),
    "pga": ("pga", ()),
    "basdai": ("basdai", ("basdai",)),
    "basfi": ("basfi", ()),
    "asdas-crp": ("asdas-crp", ("asdas",)),
    "asdas-esr": ("asdas-esr", ("asdas",)),
    "asas": (None, ("asas",)),
    "dapsa": ("dapsa", ("dapsa",)),
    "mda": ("mda", ()),
    "das28-crp": ("das28-crp", ("das28",)),
    "das28-esr": ("das28-esr", ("das28",)),
    "cdai": ("cdai", ()),
    "sdai": ("sdai", ()),
    "easi": ("easi", ("easi",)),
    "viga-ad": ("viga-ad", ()),
    "salt": ("salt", ("salt",)),
    "mayo": ("mayo", ("mayo", "modified-mayo")),
    "partial-mayo": ("partial-mayo", ()),
    "hbi": ("hbi", ("hbi",)),
    "hecsi": ("hecsi", ("hecsi",)),
    "f-vasi": ("f-vasi", ("f-vasi",)),
    "t-vasi": ("t-vasi", ("t-vasi",)),
    "jadas-27": ("jadas-27", ()),
    "cjadas-10": ("cjadas-10", ()),
    "gca-sustained-remission": ("gca-sustained-remission", ()),
    "niaid-os": ("niaid-os", ("niaid-os",)),
}
_SPECIAL_PAGES = ("index",)
#: Pages of docs/instruments/ generated elsewhere: the treat-to-target page reads the guideline
#: numbers in the knowledge (``python -m jakguide.rules.targets_page``).
OTHER_PAGES = ("targets.md",)

_JSON_INDENT = 2  # presentation only
_REGENERATE = "python -m jakguide.instruments.docs docs/instruments"


def _header(name: str) -> list[str]:
    return [
        f"<!-- Generated from the code by jakguide.instruments.docs.render({name!r}).",
        f"     Do not edit by hand; regenerate with: {_REGENERATE} -->",
        "",
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(head: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _json(data: Any) -> list[str]:
    return ["```json", json.dumps(data, indent=_JSON_INDENT, ensure_ascii=False), "```", ""]


def _cli_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(_cli_value(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def cli_args(inputs: Any, prefix: str = "") -> list[str]:
    """Flatten inputs into CLI ``key=value`` tokens (dotted keys; lists of mappings numbered
    from 1; lists of scalars comma-joined). The CLI parses these back into the same inputs."""
    if isinstance(inputs, dict):
        tokens: list[str] = []
        for key, value in inputs.items():
            tokens += cli_args(value, f"{prefix}{key}.")
        return tokens
    if isinstance(inputs, list | tuple) and inputs and all(isinstance(v, dict) for v in inputs):
        tokens = []
        for index, value in enumerate(inputs, start=1):
            tokens += cli_args(value, f"{prefix}{index}.")
        return tokens
    return [f"{prefix.rstrip('.')}={_cli_value(inputs)}"]


def cli_command(kind: str, name: str, inputs: Any) -> str:
    """The CLI command line equivalent to a worked example (``kind`` score or response)."""
    if kind == "score":
        return " ".join(["jakguide score", name, *cli_args(inputs)])
    parts = ["jakguide response", name]
    for side in ("baseline", "current"):
        value = inputs[side]
        text = ",".join(cli_args(value)) if isinstance(value, dict) else _cli_value(value)
        parts += [f"--{side}", text]
    return " ".join(parts)


def _example_block(ex: Example, command: str, result: dict[str, Any], level: str) -> list[str]:
    lines = [f"{level} {ex.title}", "", f"Source: {ex.source}", ""]
    lines += ["```console", f"$ {command}", "```", ""]
    lines += ["Inputs:", "", *_json(ex.inputs), "Result:", "", *_json(result)]
    return lines


def _sources(sources: Iterable[SourceRef]) -> list[str]:
    lines: list[str] = []
    seen: dict[str, list[str]] = {}
    for ref in sources:
        sections = seen.setdefault(ref["doc"], [])
        if ref["section"] not in sections:
            sections.append(ref["section"])
    for doc, sections in seen.items():
        pub = bundled_sources()[doc]
        line = f"- **{doc}**: {pub.publisher}. *{pub.title}*. Used for: {'; '.join(sections)}."
        if pub.note:
            line += f" Note: {pub.note}"
        lines.append(line)
    return [*lines, ""]


def _instrument_section(name: str, doc: InstrumentDoc) -> list[str]:
    entry = INSTRUMENTS[name]
    lines = [f"# {doc.title}", "", f"Instrument name: `{name}`", "", doc.summary, ""]
    lines += ["## Formula", "", "```text", doc.formula, "```", "", f"Range: {doc.value_range}", ""]
    lines += ["## Inputs", ""]
    lines += _table(
        ("Input", "Accepted", "Meaning"), ((i.name, i.accepted, i.description) for i in doc.inputs)
    )
    lines += [
        "## Categories",
        "",
        "Decided on the unrounded value; boundaries exactly as published.",
        "",
    ]
    lines += _table(("Category", "Rule"), doc.categories)
    lines += ["## Policies", ""] + [f"- {p}" for p in doc.policies] + [""]
    lines += ["## Worked examples", ""]
    for ex in doc.examples:
        result = entry.score(**ex.inputs).to_dict()
        shown = {k: result[k] for k in ("value", "category", "components", "notes")}
        lines += _example_block(ex, cli_command("score", name, ex.inputs), shown, "###")
    return lines


def _response_section(name: str, doc: ResponseDoc, level: str) -> list[str]:
    entry = RESPONSES[name]
    lines = [f"{level} {doc.title}", "", f"Response name: `{name}`", "", doc.summary, ""]
    lines += [f"Inputs: {doc.inputs}", ""]
    lines += _table(("Result", "Rule"), doc.criteria)
    lines += [f"{level}# Policies", ""] + [f"- {p}" for p in doc.policies] + [""]
    lines += [f"{level}# Worked examples", ""]
    for ex in doc.examples:
        result = entry.compute(ex.inputs["baseline"], ex.inputs["current"]).to_dict()
        result.pop("sources")
        lines += _example_block(ex, cli_command("response", name, ex.inputs), result, level + "##")
    return lines


def _instrument_page(page: str) -> str:
    instrument, responses = PAGES[page]
    lines = _header(page)
    sources: list[SourceRef] = []
    if instrument is not None:
        doc = INSTRUMENTS[instrument].doc
        lines += _instrument_section(instrument, doc)
        sources += doc.sources
        level = "##"
    else:
        level = "#"
    for name in responses:
        rdoc = RESPONSES[name].doc
        lines += _response_section(name, rdoc, level)
        sources += rdoc.sources
    lines += ["## Sources", "", *_sources(sources)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _index_page() -> str:
    lines = [*_header("index"), "# Disease-activity instruments and responses", ""]
    lines += [
        "Python: `jakguide.instruments.score(name, **inputs)`,"
        " `response(name, baseline, current)`, `categorize(name, value)`.",
        "CLI: `jakguide score NAME key=value ... [--format text|json]` and"
        " `jakguide response NAME --baseline ... --current ...`.",
        "",
        "Invalid input raises `InstrumentInputError` (CLI: one line on stderr, exit code 2).",
        "Every threshold is compared exactly on the decimal value of the inputs.",
        "",
        "## Instruments",
        "",
    ]
    page_of = {inst: page for page, (inst, _) in PAGES.items() if inst}
    lines += _table(
        ("Name", "Instrument", "Page"),
        (
            (f"`{n}`", e.doc.title, f"[{page_of[n]}.md]({page_of[n]}.md)")
            for n, e in INSTRUMENTS.items()
        ),
    )
    lines += ["## Responses", ""]
    response_page: dict[str, str] = {}
    for page, (_, responses) in PAGES.items():
        for r in responses:
            response_page.setdefault(r, page)
    lines += _table(
        ("Name", "Response", "Page"),
        (
            (f"`{n}`", e.doc.title, f"[{response_page[n]}.md]({response_page[n]}.md)")
            for n, e in RESPONSES.items()
        ),
    )
    lines += [
        "## Treat-to-target and review points",
        "",
        "See [targets.md](targets.md).",
        "",
        "## DLQI copyright",
        "",
        "Pages that collect DLQI answers must show: " + DLQI_NOTICE,
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def page_names() -> list[str]:
    """All page names (file ``<name>.md``)."""
    return [*_SPECIAL_PAGES, *PAGES]


def render(name: str) -> str:
    """Markdown text of documentation page ``name`` (an instrument name, asas, index)."""
    if name == "index":
        return _index_page()
    if name not in PAGES:
        raise InstrumentInputError("page", name, "one of: " + ", ".join(page_names()))
    return _instrument_page(name)


def render_all() -> dict[str, str]:
    """File name -> generated text for every page."""
    return {f"{name}.md": render(name) for name in page_names()}


def write_all(directory: Path) -> list[Path]:
    """Write every page into ``directory`` (created if needed); return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in render_all().items():
        path = directory / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - developer entry point
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/instruments")
    for written_path in write_all(target):
        print(written_path)
