"""The export folder: which files are read, which are skipped, which lines are malformed.

Files are ``<ResourceType>[.<n>].ndjson[.gz]`` at the top of the folder (FHIR Bulk Data). A file
whose name is not a FHIR R4 resource type is skipped with a notice; a resource type with no file
is an empty table. A malformed line (not one JSON object with a ``resourceType``) is reported
with its file and line number and skipped: the engine counts them per file (DuckDB while it reads
the views, else in one parallel pass), and only a file that has any is read again, line by line,
to name them.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from jakguide.errors import InputError
from jakguide.sof.engines import BULK_FILE

if TYPE_CHECKING:
    import duckdb

NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
MAX_LISTED = 20  # malformed lines named one by one; the rest are counted


@cache
def resource_types() -> frozenset[str]:
    """FHIR R4 type names the element table knows (resources and data types)."""
    text = resources.files("jakguide.sof").joinpath("fhir_r4_elements.json").read_text()
    return frozenset(json.loads(text))


@dataclass
class Inputs:
    """The files to read by resource type, and what was skipped or malformed (as notices)."""

    folder: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    malformed: int = 0


def find_inputs(folder: Path) -> Inputs:
    """The Bulk Data files of ``folder``; an unreadable folder is an input error."""
    if not folder.exists():
        raise InputError("DIR", str(folder), "no such folder; give the export folder")
    if not folder.is_dir():
        raise InputError("DIR", str(folder), "not a folder; give the export folder")
    found = Inputs(folder)
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError("DIR", str(folder), f"cannot be read ({exc.strerror})") from None
    known = resource_types()
    for path in entries:
        if not path.is_file() or not path.name.endswith(NDJSON_SUFFIXES):
            continue
        m = BULK_FILE.match(path.name)
        if m is None or m.group(1) not in known:
            found.notices.append(
                f"{path.name}: skipped (not named after a FHIR resource type, "
                "e.g. Observation.000.ndjson.gz)"
            )
            continue
        found.files.setdefault(m.group(1), []).append(path)
    return found


def _open(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        return list(fh)


def bad_lines(path: Path) -> list[int]:
    """1-based numbers of the lines of ``path`` that are not one FHIR resource (a JSON object
    with a ``resourceType``): the lines the engines' readers skip."""
    out = []
    for number, line in enumerate(_open(path), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            out.append(number)
            continue
        if not isinstance(value, dict) or value.get("resourceType") is None:
            out.append(number)
    return out


def read_error(exc: Exception, paths: list[Path], folder: Path) -> InputError:
    """The engine's error reading a file, as an input error naming that file."""
    first = next((line for line in str(exc).splitlines() if line.strip()), str(exc))
    bad = next((p for p in paths if str(p) in first), None)
    name = bad.name if bad is not None else "DIR"
    return InputError(name, str(bad or folder), f"cannot be read: {first}")


def count_malformed(
    con: duckdb.DuckDBPyConnection, paths: list[Path], folder: Path
) -> dict[str, int]:
    """Malformed lines per file (by path), counted in one parallel DuckDB pass over ``paths``.

    The scan's DuckDB views count the files they read while reading them (``DuckScan.view``);
    this pass is for the others (types no view reads, and the Spark engine).
    """
    import duckdb

    if not paths:
        return {}
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    try:
        rows = con.execute(
            f"SELECT filename, count(*) FROM read_csv([{listing}], "
            "columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', "
            "header = false, auto_detect = false, strict_mode = false, filename = true) "
            "WHERE trim(line) <> '' AND NOT CASE WHEN coalesce(json_valid(line), FALSE) "
            "AND starts_with(ltrim(line), '{') "
            "THEN coalesce(json_type(line, '$.resourceType'), 'NULL') <> 'NULL' "
            "ELSE FALSE END GROUP BY filename"
        ).fetchall()
    except duckdb.Error as exc:
        raise read_error(exc, paths, folder) from None
    return {str(r[0]): int(r[1]) for r in rows if r[1]}


def name_malformed(inputs: Inputs, counted: dict[str, int]) -> None:
    """Name the malformed lines (file:line) of the files ``counted`` found any in."""
    for path in (p for ps in inputs.files.values() for p in ps):
        if not counted.get(str(path)):
            continue
        numbers = bad_lines(path)
        inputs.malformed += len(numbers)
        for number in numbers[:MAX_LISTED]:
            inputs.notices.append(f"{path.name}:{number}: malformed NDJSON line skipped")
        if len(numbers) > MAX_LISTED:
            more = len(numbers) - MAX_LISTED
            inputs.notices.append(f"{path.name}: {more} more malformed lines skipped")
