"""Strict loading of the knowledge folder.

YAML is composed with the package's one safe loader (``SAFE_LOADER``: libyaml's C loader, else the
pure-Python safe loader) into nodes, so every value keeps its line number; duplicate keys are
rejected before any model sees the data; pydantic (``extra="forbid"``) rejects unknown keys
and wrong types; cross-references (sources, conditions, classes, analytes, forms) are then checked.
Every problem becomes a ``KnowledgeIssue`` naming file, line and key, and all of them are reported
together.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from jakguide.errors import KnowledgeIssue
from jakguide.kb.schema import (
    AnalyteFile,
    ConditionFile,
    DrugClassFile,
    KnowledgeIndex,
    Monograph,
    ProductCodeFile,
    SourceFile,
    denied_urls,
)
from jakguide.kb.schema_derive import DerivationFile
from jakguide.kb.schema_guide import GuideFile
from jakguide.kb.schema_guidelines import GuidelineFile
from jakguide.kb.schema_measures import MeasureFile
from jakguide.kb.schema_triage import TriageFile

ENV_VAR = "JAKGUIDE_KNOWLEDGE"

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# The one YAML set-up of the package (knowledge, native patient files, FHIR code tables): safe
# types only; the C loader is much faster, the pure-Python one is used only where libyaml is absent.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def load_yaml(text: str) -> Any:
    """Plain data from YAML text, safe types only (``yaml.YAMLError`` if it is not YAML).

    Duplicate keys keep the last value here; the knowledge loader composes nodes instead
    (``compose_yaml``) to reject them and keep line numbers.
    """
    return yaml.load(text, Loader=SAFE_LOADER)


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of YAML text (every node keeps its line), with the same safe loader."""
    return yaml.compose(text, Loader=SAFE_LOADER)


class _Doc:
    """A parsed YAML file: plain data plus the line of every key path."""

    def __init__(self, path: Path, rel: str) -> None:
        self.path = path
        self.rel = rel
        self.lines: dict[Path_, int] = {}
        self.owners: dict[Path_, str] = {}  # file of each path, for documents merged from parts
        self.issues: list[KnowledgeIssue] = []
        self.data: Any = None
        if not path.is_file():
            return
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.issues.append(KnowledgeIssue(rel, None, "<file>", f"cannot read: {exc}"))
            return
        try:
            node = compose_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            self.issues.append(KnowledgeIssue(rel, line, "<yaml>", f"invalid YAML: {problem}"))
            return
        if node is None:
            self.issues.append(KnowledgeIssue(rel, 1, "<file>", "file is empty"))
            return
        self.data = self._build(node, ())

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                if not isinstance(key, str):
                    key = str(key)
                if key in out:
                    self.issues.append(
                        KnowledgeIssue(
                            self.rel,
                            key_node.start_mark.line + 1,
                            _dotted((*path, key)),
                            "duplicate key (first given on line "
                            f"{self.lines.get((*path, key), '?')})",
                        )
                    )
                    continue
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self._build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None
        try:
            return _CONSTRUCTOR.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            # e.g. a date-like scalar that is not a date (2026-13-45): keep the text so the
            # schema reports it against its key
            return node.value

    def locate(self, path: Path_) -> tuple[str, int | None]:
        """File and line of the deepest known prefix of ``path``."""
        for cut in range(len(path), -1, -1):
            prefix = tuple(path[:cut])
            line = self.lines.get(prefix)
            if line is not None:
                return self.owners.get(prefix, self.rel), line
        return self.rel, None

    def issue(self, path: Path_, message: str) -> KnowledgeIssue:
        rel, line = self.locate(path)
        return KnowledgeIssue(rel, line, _dotted(path) or "<root>", message)

    @classmethod
    def merged(cls, folder: Path, rel: str, parts: list[_Doc]) -> _Doc:
        """One document from several files (``drugs/<inn>/*.yaml``): mappings merge by key;
        the same leaf key in two files is an error naming both."""
        doc = cls(folder, rel)
        doc.data = {}
        for part in parts:
            doc.issues.extend(part.issues)
            if part.data is None:
                continue
            if not isinstance(part.data, dict):
                doc.issues.append(part.issue((), "a monograph part must be a mapping"))
                continue
            doc._merge(doc.data, part.data, (), part)
            for path, line in part.lines.items():
                doc.lines.setdefault(path, line)
                doc.owners.setdefault(path, part.owners.get(path, part.rel))
        return doc

    def _merge(self, target: dict[str, Any], src: dict[str, Any], path: Path_, part: _Doc) -> None:
        for key, value in src.items():
            sub = (*path, key)
            if key not in target:
                target[key] = value
            elif isinstance(target[key], dict) and isinstance(value, dict):
                self._merge(target[key], value, sub, part)
            else:
                first = self.owners.get(sub, "another part")
                self.issues.append(part.issue(sub, f"key also given in {first}"))

    def validate(self, model: type[M]) -> M | None:
        if self.data is None or self.issues:
            return None
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
                msg = err["msg"]
                if err["type"] == "extra_forbidden":
                    msg = "unknown key"
                elif err["type"] == "missing":
                    msg = "required key is missing"
                self.issues.append(self.issue(loc, msg))
            return None


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the union member name (e.g. "function-after[...]") into locations
    return isinstance(part, str) and ("[" in part or part in {"str", "float", "int"})


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def default_knowledge_dir() -> Path:
    """The knowledge folder shipped inside the package."""
    return Path(str(resources.files("jakguide") / "knowledge"))


def resolve_knowledge_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--knowledge DIR`` wins, then ``JAKGUIDE_KNOWLEDGE``, then the bundled folder."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return default_knowledge_dir()


class RawKnowledge:
    """Validated knowledge files before cross-references are resolved."""

    def __init__(self) -> None:
        self.index: KnowledgeIndex | None = None
        self.sources: SourceFile | None = None
        self.extra_sources: list[SourceFile] = []
        self.conditions: ConditionFile | None = None
        self.classes: DrugClassFile | None = None
        self.products: ProductCodeFile | None = None
        self.analytes: AnalyteFile | None = None
        self.guidelines: GuidelineFile | None = None
        self.derivations: DerivationFile | None = None
        self.triage: TriageFile | None = None
        self.measures: MeasureFile | None = None
        self.drugs: list[tuple[_Doc, Monograph]] = []
        self.guide: list[GuideFile] = []
        self.docs: dict[str, _Doc] = {}


_SINGLE_FILES: dict[str, type[BaseModel]] = {
    "index.yaml": KnowledgeIndex,
    "sources.yaml": SourceFile,
    "conditions.yaml": ConditionFile,
    "drug_classes.yaml": DrugClassFile,
    "products.yaml": ProductCodeFile,
    "analytes.yaml": AnalyteFile,
    "guidelines.yaml": GuidelineFile,
    "derivations.yaml": DerivationFile,
    "triage.yaml": TriageFile,
    "measures.yaml": MeasureFile,
}
# A knowledge folder without derivations.yaml derives nothing (rules.derive); without
# measures.yaml the scan counts no population measure (it says so).
_OPTIONAL_FILES = frozenset({"derivations.yaml", "triage.yaml", "measures.yaml"})
_ATTR = {
    "index.yaml": "index",
    "sources.yaml": "sources",
    "conditions.yaml": "conditions",
    "drug_classes.yaml": "classes",
    "products.yaml": "products",
    "analytes.yaml": "analytes",
    "guidelines.yaml": "guidelines",
    "derivations.yaml": "derivations",
    "triage.yaml": "triage",
    "measures.yaml": "measures",
}


def read_folder(folder: Path) -> tuple[RawKnowledge, list[KnowledgeIssue]]:
    """Parse and schema-validate every file; return what validated and every issue."""
    raw = RawKnowledge()
    issues: list[KnowledgeIssue] = []
    if not folder.is_dir():
        issues.append(KnowledgeIssue(str(folder), None, "<folder>", "knowledge folder not found"))
        return raw, issues
    for name, model in _SINGLE_FILES.items():
        path = folder / name
        if not path.exists():
            if name not in _OPTIONAL_FILES:
                issues.append(KnowledgeIssue(name, None, "<file>", "required file is missing"))
            continue
        doc = _Doc(path, name)
        raw.docs[name] = doc
        setattr(raw, _ATTR[name], doc.validate(model))
        issues.extend(doc.issues)
    for path in sorted((folder / "sources").glob("*.yaml")):
        rel = f"sources/{path.name}"
        doc = _Doc(path, rel)
        raw.docs[rel] = doc
        extra = doc.validate(SourceFile)
        if extra is not None:
            raw.extra_sources.append(extra)
        issues.extend(doc.issues)
    for path in sorted((folder / "guide").glob("*.yaml")):
        rel = f"guide/{path.name}"
        doc = _Doc(path, rel)
        raw.docs[rel] = doc
        guide = doc.validate(GuideFile)
        if guide is not None:
            raw.guide.append(guide)
        issues.extend(doc.issues)
    drug_dir = folder / "drugs"
    entries = sorted(
        [p for p in drug_dir.glob("*.yaml")] + [p for p in drug_dir.iterdir() if p.is_dir()]
        if drug_dir.is_dir()
        else []
    )
    for path in entries:
        if path.is_dir():  # a monograph split into topic files (DESIGN: > ~400 lines)
            rel = f"drugs/{path.name}/"
            parts = [_Doc(p, f"{rel}{p.name}") for p in sorted(path.glob("*.yaml"))]
            doc = _Doc.merged(path, rel, parts)
            name = path.name
        else:
            rel = f"drugs/{path.name}"
            doc = _Doc(path, rel)
            name = path.stem
        if name in {d.id for _, d in raw.drugs}:
            issues.append(KnowledgeIssue(rel, None, "<file>", f"drug {name!r} is defined twice"))
            continue
        raw.docs[rel] = doc
        mono = doc.validate(Monograph)
        issues.extend(doc.issues)
        if mono is None:
            continue
        if mono.id != name:
            issues.append(doc.issue(("id",), f"id {mono.id!r} must equal the file name"))
        raw.drugs.append((doc, mono))
    for doc in raw.docs.values():
        issues.extend(denied_hosts(doc))
    unexpected = [p.name for p in folder.glob("*.yaml") if p.name not in _SINGLE_FILES]
    issues.extend(
        KnowledgeIssue(name, None, "<file>", "unexpected file in the knowledge folder")
        for name in sorted(unexpected)
    )
    return raw, issues


def denied_hosts(doc: _Doc) -> list[KnowledgeIssue]:
    """Addresses on a denied host (pre-production, raw IP, shop) anywhere in a file's text."""
    out: list[KnowledgeIssue] = []
    if doc.data is None:
        return out
    for path, value in walk(doc.data):
        if isinstance(value, str):
            for address, why in denied_urls(value):
                out.append(
                    doc.issue(
                        path, f"{address!r} is {why}; such hosts are never sources (deny list)"
                    )
                )
    return out


def walk(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Yield every (path, value) in plain YAML data, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, (*path, i))
