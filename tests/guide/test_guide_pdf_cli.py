"""The PDF (WeasyPrint) carries the same guide; `jakguide guide` follows the CLI exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import jakguide.cli.guide
from guide_support import AS_OF, complete_patient, guide_for, patient_data
from jakguide.cli import app
from jakguide.guide import guide_pdf
from jakguide.kb.base import Knowledge
from jakguide.model import DISCLAIMER

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
AS_TNF_IR = str(EXAMPLES / "as-tnf-ir.yaml")
FHIR_BUNDLE = str(Path(__file__).parent.parent / "fhir" / "example-bundle.json")
runner = CliRunner()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def run(*args: str) -> tuple[int, bytes, str]:
    result = runner.invoke(app, ["guide", *args])
    return result.exit_code, result.stdout_bytes, result.stderr


# ------------------------------------------------------------------------------------ PDF


def test_pdf_has_the_drug_the_disclaimer_and_the_knowledge_version(kb: Knowledge) -> None:
    guide = guide_for(
        kb, complete_patient(kb, "psoriatic-arthritis"), "upadacitinib", "psoriatic-arthritis"
    )
    data = guide_pdf(guide)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Rinvoq" in text and "upadacitinib" in text
    assert DISCLAIMER in text
    assert f"Knowledge version {kb.version}" in text
    assert "jakguide editorial plain-language wording (not yet clinically reviewed)" in text
    assert "SELECT-PsA 1" in text  # trial results
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == guide.title


def test_pdf_carries_the_banner(kb: Knowledge) -> None:
    guide = guide_for(
        kb, complete_patient(kb, "ankylosing-spondylitis"), "baricitinib", "ankylosing-spondylitis"
    )
    text = pdf_text(guide_pdf(guide))
    assert "Please read this first" in text
    assert "Olumiant is not approved for ankylosing spondylitis" in text


# ------------------------------------------------------------------------------------ CLI


def test_cli_html_to_standard_output() -> None:
    code, out, err = run(AS_TNF_IR, "--drug", "upadacitinib", "--as-of", "2026-11-21")
    assert code == 0, err
    html = out.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Your guide to Rinvoq" in html
    assert 'name="jakguide-status" content="eligible"' in html  # condition from the patient file


def test_cli_html_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "guide.html"
    code, out, err = run(
        AS_TNF_IR, "--drug", "tofacitinib", "--as-of", "2026-11-21", "--output", str(target)
    )
    assert code == 0, err
    assert out == b"" and target.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert "wrote" in err


def test_cli_pdf_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "guide.pdf"
    code, _, err = run(
        AS_TNF_IR,
        "--drug",
        "upadacitinib",
        "--as-of",
        "2026-11-21",
        "--format",
        "pdf",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert "Rinvoq" in pdf_text(target.read_bytes())


def test_cli_pdf_to_redirected_standard_output() -> None:
    code, out, err = run(
        AS_TNF_IR, "--drug", "upadacitinib", "--as-of", "2026-11-21", "--format", "pdf"
    )
    assert code == 0, err
    assert out.startswith(b"%PDF-") and "Rinvoq" in pdf_text(out)


def test_cli_pdf_refuses_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jakguide.cli.guide, "stdout_is_terminal", lambda: True)
    code, out, err = run(AS_TNF_IR, "--drug", "upadacitinib", "--format", "pdf")
    assert code == 2 and out == b""
    assert err.strip().splitlines() == [
        "error: --output: None: a PDF is binary; give --output FILE or redirect standard output"
    ]


def test_cli_reads_a_fhir_bundle() -> None:
    code, out, err = run(
        FHIR_BUNDLE,
        "--drug",
        "tofacitinib",
        "--condition",
        "rheumatoid-arthritis",
        "--as-of",
        "2024-06-01",
    )
    assert code == 0, err
    assert b"Your guide to Xeljanz" in out


def test_cli_region_and_condition(tmp_path: Path) -> None:
    code, out, err = run(
        AS_TNF_IR,
        "--drug",
        "tofacitinib",
        "--region",
        "EU",
        "--condition",
        "ankylosing-spondylitis",
        "--as-of",
        "2026-11-21",
    )
    assert code == 0, err
    assert b"the European Union" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drug", "nope"], "error: drug: 'nope': unknown drug"),
        (
            ["--drug", "filgotinib"],
            "error: region: 'US': filgotinib is not marketed in this region",
        ),
        (
            ["--drug", "tofacitinib", "--condition", "gout"],
            "error: condition: 'gout': unknown condition",
        ),
        (
            ["--drug", "tofacitinib", "--as-of", "2026-02-30"],
            "error: --as-of: '2026-02-30': not a date",
        ),
    ],
)
def test_cli_bad_input_is_exit_2_with_one_line(args: list[str], message: str) -> None:
    code, out, err = run(AS_TNF_IR, *args)
    assert code == 2 and out == b""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), err


def test_cli_missing_patient_file_is_exit_2() -> None:
    code, _, err = run("no-such-patient.yaml", "--drug", "tofacitinib")
    assert code == 2
    assert err.strip() == "error: PATIENT: 'no-such-patient.yaml': file not found"


def test_cli_ambiguous_condition_is_exit_2(tmp_path: Path) -> None:
    data = patient_data("plaque-psoriasis", conditions=["plaque-psoriasis", "vitiligo"])
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    code, _, err = run(str(path), "--drug", "baricitinib", "--as-of", AS_OF.isoformat())
    assert code == 2
    assert err.startswith("error: condition: None: the patient has several conditions")


def test_cli_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "guide.pdf"
    code, _, err = run(AS_TNF_IR, "--drug", "upadacitinib", "--format", "pdf", "-o", str(target))
    assert code == 2 and err.startswith("error: --output:")


def test_cli_help_names_every_option() -> None:
    result = runner.invoke(app, ["guide", "--help"])
    assert result.exit_code == 0
    for option in ("--drug", "--condition", "--region", "--as-of", "--format", "--output"):
        assert option in result.stdout


def test_cli_without_weasyprint_says_so_and_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    code, out, err = run(AS_TNF_IR, "--drug", "upadacitinib", "--format", "pdf")
    assert code == 2 and out == b""
    assert (
        err.startswith("error: PDF output needs WeasyPrint") and len(err.strip().splitlines()) == 1
    )


def test_docs_describe_the_command() -> None:
    doc = (Path(__file__).parent.parent.parent / "docs" / "guide.md").read_text("utf-8")
    for option in ("--drug", "--condition", "--region", "--as-of", "--format", "--output"):
        assert option in doc
    for name in ("render_guide_html", "render_guide_pdf", "build_guide", "GuideRequest"):
        assert name in doc
