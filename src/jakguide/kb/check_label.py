"""Label-change check: which facts' quotes a new label no longer contains.

A user supplies the label text (an FDA SPL XML file, the DailyMed ZIP holding it, or the plain
text of an EMA SmPC). Sections are matched by the number at the start of each section title
("2.3 Dosage in ...", "4.2 Posology ..."); a section's text includes its subsections. Each fact
of the drug that cites a label of the region with a quote (and was not relayed by another
source, whose quote is not label text) is looked up in the section(s) its
citation names; a citation naming no section number (e.g. "Highlights") is looked up in the
whole label, and one naming the boxed warning in the SPL's boxed-warning section. Quotes are
compared after normalising case, whitespace, table-cell separators and typographic characters;
an omission mark ("..." or the ellipsis character) splits a quote into parts that must appear in
order.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from pydantic import BaseModel

from jakguide.errors import InputError, UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, KnownRevision, Region
from jakguide.kb.status import cited_sections

_V3 = "{urn:hl7-org:v3}"
_BOXED_CODE = "34066-1"  # LOINC section code of the SPL boxed warning
_SPL_TITLE_NUMBER = re.compile(r"^\s*([0-9]{1,2}(?:\.[0-9]{1,2})*)\.?\s")
_SMPC_HEADING = re.compile(
    r"^\s*([0-9]{1,2}(?:\.[0-9]{1,2}){0,2})\.?[ \t]+(?!mg\b|mL\b|ml\b|g\b|%)[A-Z]"
)
_OMISSION = re.compile(r"\.\.\.|…|\[\.\.\.\]")
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u00d7": "x",
        "|": " ",
        "\t": " ",
        "\u2022": " ",
    }
)


def normalise(text: str) -> str:
    """Case, whitespace, table-cell separators and typographic characters folded away."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    text = re.sub(r"\s*([<>]=?)\s*", r" \1 ", text)  # "<30" and "< 30" read the same
    return " ".join(text.split())


def quote_in(quote: str, text: str) -> bool:
    """Whether every part of ``quote`` (split at omission marks) is in ``text``, in order."""
    start = 0
    for part in (normalise(p) for p in _OMISSION.split(quote)):
        if not part:
            continue
        at = text.find(part, start)
        if at < 0:
            return False
        start = at + len(part)
    return True


@dataclass(frozen=True)
class LabelText:
    """A label as section number -> normalised text (each including its subsections)."""

    sections: dict[str, str]
    whole: str


def _spl_text(el: ET.Element) -> str:
    return " ".join(t for t in el.itertext())


def read_spl(data: bytes) -> LabelText:
    try:
        root = ET.fromstring(data)  # expat refuses entity expansion bombs
    except ET.ParseError as exc:
        raise InputError("FILE", None, f"not well-formed XML ({exc})") from None
    if root.tag != f"{_V3}document":
        raise InputError("FILE", root.tag, "not an FDA SPL document (root must be hl7 v3 document)")
    sections: dict[str, str] = {}
    for sec in root.iter(f"{_V3}section"):
        title_el = sec.find(f"{_V3}title")
        title = " ".join(_spl_text(title_el).split()) if title_el is not None else ""
        code = sec.find(f"{_V3}code")
        key = None
        boxed = code is not None and code.get("code") == _BOXED_CODE
        if boxed or title.upper().startswith("WARNING:"):
            key = "boxed-warning"
        else:
            m = _SPL_TITLE_NUMBER.match(title)
            if m:
                key = m.group(1)
        if key is not None and key not in sections:
            sections[key] = normalise(_spl_text(sec))
    return LabelText(sections, normalise(_spl_text(root)))


def read_smpc(text: str) -> LabelText:
    lines = text.splitlines()
    heads: list[tuple[int, tuple[int, ...], str]] = []
    last: tuple[int, ...] = ()
    for i, line in enumerate(lines):
        m = _SMPC_HEADING.match(line)
        if not m:
            continue
        number = tuple(int(p) for p in m.group(1).split("."))
        if number > last:  # headings only ever increase; a numbered list inside text does not
            heads.append((i, number, m.group(1)))
            last = number
    sections: dict[str, str] = {}
    for k, (start, number, key) in enumerate(heads):
        end = len(lines)
        for nxt, other, _ in heads[k + 1 :]:
            if other[: len(number)] != number:
                end = nxt
                break
        sections.setdefault(key, normalise("\n".join(lines[start:end])))
    return LabelText(sections, normalise(text))


def read_label(path: Path, region: Region) -> LabelText:
    """Read an SPL XML (or DailyMed ZIP) for the US, SmPC plain text for the EU."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("FILE", str(path), f"cannot read ({exc.strerror})") from None
    if region == "US":
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = sorted(n for n in zf.namelist() if n.lower().endswith(".xml"))
                if not names:
                    raise InputError("FILE", str(path), "the ZIP holds no SPL XML file")
                data = zf.read(names[0])
        return read_spl(data)
    try:
        return read_smpc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("FILE", str(path), "an SmPC must be UTF-8 plain text") from None


@dataclass(frozen=True)
class FactCheck:
    fact: str  # the fact's id, or its path when it has none
    section: str
    quote: str
    found: bool
    looked_in: str  # the section numbers searched, "boxed-warning" or "whole label"


def _quoted(obj: Any, path: str, owner: str | None) -> Iterator[tuple[str, Citation]]:
    if isinstance(obj, Citation):
        if obj.quote:
            yield owner or path.removesuffix(".source"), obj
        return
    if isinstance(obj, BaseModel):
        if isinstance(obj, KnownRevision):
            return
        ident = getattr(obj, "id", None)
        name = ident if isinstance(ident, str) else owner
        for field in type(obj).model_fields:
            yield from _quoted(getattr(obj, field), f"{path}.{field}", name or None)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _quoted(item, f"{path}[{i}]", None if owner is None else owner)


def check_label(kb: Knowledge, drug: str, region: Region, label: LabelText) -> list[FactCheck]:
    """Every quoted label fact of ``drug`` in ``region``, found or not in ``label``."""
    mono = kb.drug(drug)
    if mono is None:
        raise UnknownIdError("DRUG", drug, "unknown drug; accepted: " + ", ".join(sorted(kb.drugs)))
    region_label = mono.regions.get(region)
    if region_label is None:
        raise UnknownIdError(
            "--region", region, f"{drug} has no label there; labels: {', '.join(mono.regions)}"
        )
    out: list[FactCheck] = []
    for fact, cit in _quoted(region_label, f"regions.{region}", None):
        doc = kb.sources.get(cit.doc)
        if doc is None or not doc.is_label or doc.region not in (region, None):
            continue
        if cit.relayed_by is not None:  # the quote is the relaying source's, not label text
            continue
        assert cit.quote is not None
        wanted = sorted(cited_sections(cit.section))
        texts = [label.sections[s] for s in wanted if s in label.sections]
        if wanted:
            looked = ", ".join(wanted)
        else:
            looked, texts = "whole label", [label.whole]
        found = any(quote_in(cit.quote, t) for t in texts)
        out.append(FactCheck(fact, cit.section, cit.quote, found, looked))
    return out
