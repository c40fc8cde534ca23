"""What the guide says: banner by status, this patient's regimen and test dates, trial numbers
equal to the knowledge, pregnancy advice only for patients it concerns, accessible offline HTML."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest

from guide_support import (
    AS_OF,
    complete_patient,
    guide_for,
    html_for,
    parse,
    patient_data,
    statements,
    values,
)
from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.errors import InputError, UnknownIdError
from jakguide.guide import GuideRequest, build_guide, default_condition, guide_html
from jakguide.guide.effects import per_100, plain_band
from jakguide.kb.base import Knowledge
from jakguide.model import DISCLAIMER, AssessRequest, Patient


def make(kb: Knowledge, condition: str, **changes: Any) -> Patient:
    data = {k: v for k, v in patient_data(condition, **changes).items() if v is not None}
    return patient_from_data(data, kb)


def banner(html: str) -> list[str]:
    return [s.words for s in statements(html) if s.attrs["data-statement"].startswith("banner.")]


# ------------------------------------------------------------------------------------ banner

BANNER_CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "not-indicated": ("baricitinib", "ankylosing-spondylitis", {}),
    "contraindicated": (
        "upadacitinib",
        "rheumatoid-arthritis",
        {"allergies": [{"drug": "upadacitinib"}]},
    ),
    "not-recommended": (
        "tofacitinib",
        "rheumatoid-arthritis",
        {"active_infections": [{"name": "pneumonia", "serious": True}]},
    ),
    "needs-data": ("upadacitinib", "rheumatoid-arthritis", {"labs": None}),
}


@pytest.mark.parametrize("status", sorted(BANNER_CASES))
def test_banner_for_a_status_other_than_eligible_or_caution(kb: Knowledge, status: str) -> None:
    drug, condition, changes = BANNER_CASES[status]
    guide = guide_for(kb, make(kb, condition, **changes), drug, condition)
    assert guide.status == status
    html = guide_html(guide)
    assert 'class="banner"' in html
    assert html.index('class="banner"') < html.index('id="about"')  # first thing in <main>
    said = banner(html)
    assert guide.banner is not None
    assert said and said[0] == guide.banner.paragraphs[0].text
    # ... and why, in the words of the top findings that set the status
    option = assess(
        make(kb, condition, **changes),
        AssessRequest(condition=condition, as_of=AS_OF, drugs=[drug]),
        kb,
    ).options[0]
    top = [f.message for f in option.findings if f.status == status]
    assert top and any(top[0] in s for s in said)
    assert any("Why is" in s.words for s in statements(html))


@pytest.mark.parametrize(
    ("drug", "condition", "changes", "status"),
    [
        ("upadacitinib", "ankylosing-spondylitis", {}, "eligible"),
        (
            "upadacitinib",
            "rheumatoid-arthritis",
            {"medications": [{"drug": "ketoconazole", "route": "oral"}]},
            "caution",
        ),
    ],
)
def test_no_banner_for_eligible_or_caution(
    kb: Knowledge, drug: str, condition: str, changes: dict[str, Any], status: str
) -> None:
    guide = guide_for(kb, make(kb, condition, **changes), drug, condition)
    assert guide.status == status
    html = guide_html(guide)
    assert 'class="banner"' not in html and not banner(html)
    if status == "caution":  # the warnings are still there, as things to talk about
        assert 'id="talk"' in html and "Strong CYP3A4 inhibitors" in html


# ------------------------------------------------------------------------------------ trials


@pytest.mark.parametrize(
    ("drug", "condition", "region"),
    [
        ("upadacitinib", "psoriatic-arthritis", "US"),
        ("tofacitinib", "ulcerative-colitis", "US"),
        ("abrocitinib", "atopic-dermatitis", "EU"),
        ("deucravacitinib", "plaque-psoriasis", "US"),
        ("ruxolitinib", "vitiligo", "US"),
        ("deuruxolitinib", "alopecia-areata", "US"),
    ],
)
def test_trial_numbers_equal_the_knowledge(
    kb: Knowledge, drug: str, condition: str, region: str
) -> None:
    html = html_for(kb, complete_patient(kb, condition), drug, condition, region)
    expected = {
        (e.trial, a.arm): a.percent
        for e in kb.drugs[drug].efficacy
        if e.condition == condition
        for a in e.arms
    }
    shown = {
        (v.attrs["data-trial"], v.attrs["data-arm"]): v
        for v in values(html)
        if "data-trial" in v.attrs
    }
    assert set(shown) == set(expected)
    for key, percent in expected.items():
        assert float(shown[key].attrs["data-percent"]) == percent
        assert shown[key].text == per_100(percent)
        number = re.search(r"\d+", shown[key].text)
        assert number is not None and abs(int(number.group()) - percent) <= 0.5
    trials = [s for s in statements(html) if s.attrs["data-statement"] == "expect.trial"]
    assert len(trials) == len(
        {(e.trial, e.endpoint) for e in kb.drugs[drug].efficacy if e.condition == condition}
    )


def test_trial_sentence_reads_as_n_of_100(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "ankylosing-spondylitis"), "upadacitinib", "ankylosing-spondylitis"
    )
    first = next(s for s in statements(html) if s.attrs["data-statement"] == "expect.trial")
    text = " ".join(first.words.split())
    assert "SELECT-AXIS 1" in text and "week 14" in text
    assert "52 of 100 people reached it" in text
    assert "With a dummy pill (placebo), 26 of 100 people reached it" in text


def test_no_trial_numbers_when_the_knowledge_has_none(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "ankylosing-spondylitis"), "baricitinib", "ankylosing-spondylitis"
    )
    assert not [v for v in values(html) if "data-trial" in v.attrs]
    assert any(s.attrs["data-statement"] == "expect.no-trials" for s in statements(html))


@pytest.mark.parametrize(
    ("percent", "shown"),
    [
        (52.0, "52"),
        (70.6, "about 71"),
        (52.5, "about 53"),
        (0.8, "about 1"),
        (0.4, "fewer than 1"),
        (0.0, "0"),
    ],
)
def test_per_100(percent: float, shown: str) -> None:
    assert per_100(percent) == shown


@pytest.mark.parametrize(
    ("text", "band", "more"),
    [
        ("very common (>1 in 10)", "more than 1 in 10 people", False),
        ("common (up to 1 in 10)", "up to 1 in 10 people", False),
        ("uncommon (>= 1/1,000 to < 1/100)", "up to 1 in 100 people", False),
        ("common (uncommon in atopic dermatitis)", "up to 1 in 100 people", True),
        (">= 1%", "at least 1 in 100 people", False),
        ("each >= 5% with 5 or 10 mg twice daily", "at least 5 in 100 people", True),
        ("seen in some", None, True),
    ],
)
def test_frequency_bands_in_plain_words(text: str, band: str | None, more: bool) -> None:
    assert plain_band(text) == (band, more)


def test_side_effect_numbers_equal_the_knowledge(kb: Knowledge) -> None:
    html = html_for(kb, complete_patient(kb, "alopecia-areata"), "ritlecitinib", "alopecia-areata")
    ars = {
        (a.term, a.frequency_percent, a.comparator_percent)
        for a in kb.drugs["ritlecitinib"].adverse_reactions
    }
    shown = [v for v in values(html) if "data-term" in v.attrs]
    assert shown
    for v in shown:
        term, pct = v.attrs["data-term"], float(v.attrs["data-percent"])
        key = 2 if v.attrs.get("data-arm") == "comparator" else 1
        assert any(a[0] == term and a[key] == pct for a in ars), (term, pct)
        assert v.text == per_100(pct)


def test_side_effects_are_grouped_by_what_to_do(kb: Knowledge) -> None:
    html = html_for(
        kb,
        complete_patient(kb, "rheumatoid-arthritis"),
        "baricitinib",
        "rheumatoid-arthritis",
        "EU",
    )
    groups = [
        e for e in parse(html) if e.tag == "div" and "group" in e.attrs.get("class", "").split()
    ]
    text = {g.attrs["id"]: " ".join(g.text.split()) for g in groups}
    assert "Signs of a heart attack" in text["effects-emergency"]
    assert "A blood clot in the lungs" in text["effects-emergency"]  # pulmonary embolism, EU PL
    assert "Signs of an infection" in text["effects-today"]
    assert "Shingles" in text["effects-today"]
    assert "Headache" in text["effects-next-visit"]
    assert "Higher cholesterol" in text["tests-lab-changes"]


# ------------------------------------------------------------------------------ regimen, tests


def test_regimen_is_this_patients_from_the_assessment(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "ulcerative-colitis"), "upadacitinib", "ulcerative-colitis"
    )
    take = [
        " ".join(s.words.split())
        for s in statements(html)
        if s.attrs["data-statement"].startswith("take.dose")
    ]
    assert take[0].startswith("For the first 8 weeks, take 45 mg by mouth once a day.")
    assert take[1].startswith("After that, take 15 mg once a day.")
    assert "It comes as a long-acting tablet." in html


def test_topical_amount_comes_from_the_label(kb: Knowledge) -> None:
    html = html_for(kb, complete_patient(kb, "vitiligo"), "ruxolitinib", "vitiligo")
    line = next(s for s in statements(html) if s.attrs["data-statement"] == "take.dose.topical")
    text = " ".join(line.words.split())
    assert text.startswith(
        "Put a thin layer of Opzelura on the skin where you need it, twice a day."
    )
    assert "no more than one 60 g tube per week" in text
    assert "How to use Opzelura" in html


def test_no_dose_when_the_assessment_gives_none(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "ankylosing-spondylitis"), "baricitinib", "ankylosing-spondylitis"
    )
    assert any(s.attrs["data-statement"] == "take.no-regimen" for s in statements(html))


def test_overdue_blood_test_is_dated_for_this_patient(kb: Knowledge) -> None:
    labs = [dict(lab, date="2026-02-20") for lab in patient_data("rheumatoid-arthritis")["labs"]]
    patient = make(
        kb,
        "rheumatoid-arthritis",
        labs=labs,
        therapy={"drug": "tofacitinib", "start_date": "2026-03-02"},
    )
    html = html_for(kb, patient, "tofacitinib", "rheumatoid-arthritis")
    tests = {s.attrs["data-statement"]: " ".join(s.words.split()) for s in statements(html)}
    assert "This test is late. It was due by" in tests["tests.lymphocytes"]
    assert "Our records show you started Xeljanz on 2 March 2026." in html


def test_upcoming_tests_are_dated_from_today_before_starting(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "rheumatoid-arthritis"), "tofacitinib", "rheumatoid-arthritis"
    )
    line = next(s for s in statements(html) if s.attrs["data-statement"] == "tests.neutrophils")
    assert "If you start on 21 November 2026, the next test is due between" in " ".join(
        line.text.split()
    )


def test_checks_show_this_patients_results(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "rheumatoid-arthritis"), "upadacitinib", "rheumatoid-arthritis"
    )
    tb = next(s for s in statements(html) if s.attrs["data-statement"] == "checks.tb")
    assert "Done on 20 October 2026." in tb.words
    assert "shingles vaccine on 1 September 2026" in html


# ------------------------------------------------------------------------------- pregnancy


def test_pregnancy_section_only_for_patients_it_concerns(kb: Knowledge) -> None:
    woman = complete_patient(kb, "atopic-dermatitis")
    man = make(kb, "atopic-dermatitis", sex="male", reproductive_potential=None)
    past = make(kb, "atopic-dermatitis", reproductive_potential=False)
    assert 'id="pregnancy"' in html_for(kb, woman, "abrocitinib", "atopic-dermatitis", "EU")
    assert 'id="pregnancy"' not in html_for(kb, man, "abrocitinib", "atopic-dermatitis", "EU")
    assert 'id="pregnancy"' not in html_for(kb, past, "abrocitinib", "atopic-dermatitis", "EU")


def test_pregnancy_advice_follows_the_label(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "rheumatoid-arthritis"), "tofacitinib", "rheumatoid-arthritis"
    )
    said = {s.attrs["data-statement"]: " ".join(s.words.split()) for s in statements(html)}
    assert "pregnancy.caution" in said and "pregnancy.contraindicated" not in said
    assert "Keep using it for 4 weeks after your last dose." in said["pregnancy.birth-control"]
    assert said["breastfeeding.no"] == "Do not breastfeed while you use Xeljanz."
    eu = html_for(
        kb,
        complete_patient(kb, "rheumatoid-arthritis"),
        "tofacitinib",
        "rheumatoid-arthritis",
        "EU",
    )
    assert "Do not use Xeljanz if you are pregnant." in eu


def test_pregnant_patient_is_told_so(kb: Knowledge) -> None:
    patient = make(kb, "atopic-dermatitis", pregnancy="pregnant", breastfeeding="yes")
    html = html_for(kb, patient, "abrocitinib", "atopic-dermatitis", "EU")
    assert "Our records say you are pregnant." in html
    assert "Our records say you are breastfeeding." in html


# --------------------------------------------------------------------------------- the page


def test_page_shows_disclaimer_knowledge_version_and_release_date(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "psoriatic-arthritis"), "upadacitinib", "psoriatic-arthritis"
    )
    assert DISCLAIMER in html
    assert f"version {kb.version}" in html
    release = kb.index.release_date
    assert f'datetime="{release.isoformat()}"' in html


def test_page_is_accessible_and_self_contained(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "psoriatic-arthritis"), "upadacitinib", "psoriatic-arthritis"
    )
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    els = parse(html)
    headings = [int(e.tag[1]) for e in els if re.fullmatch(r"h[1-6]", e.tag)]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), headings
    assert any(e.tag == "main" for e in els) and any(e.tag == "title" and e.text for e in els)
    assert any(e.tag == "nav" and e.attrs.get("aria-label") for e in els)
    for e in els:
        if e.tag == "section":
            assert e.attrs.get("aria-labelledby"), e.attrs
    # offline: no scripts, no external style sheets, images or fonts
    assert not [e for e in els if e.tag in ("script", "link", "img", "iframe")]
    assert "@import" not in html and "url(" not in html
    for e in els:
        if e.tag == "a" and "aria-label" in e.attrs:
            assert e.attrs["href"].startswith("#")


def test_errors_name_the_bad_value(kb: Knowledge) -> None:
    patient = complete_patient(kb, "rheumatoid-arthritis")
    day = dt.date(2026, 11, 21)
    with pytest.raises(UnknownIdError, match="drug: 'nope'"):
        build_guide(
            patient, GuideRequest(drug="nope", condition="rheumatoid-arthritis", as_of=day), kb
        )
    with pytest.raises(UnknownIdError, match="condition: 'gout'"):
        build_guide(patient, GuideRequest(drug="tofacitinib", condition="gout", as_of=day), kb)
    with pytest.raises(InputError, match="not marketed in this region"):
        build_guide(
            patient,
            GuideRequest(drug="filgotinib", condition="rheumatoid-arthritis", as_of=day),
            kb,
        )


def test_default_condition(kb: Knowledge) -> None:
    both = make(kb, "rheumatoid-arthritis", conditions=["vitiligo", "rheumatoid-arthritis"])
    assert default_condition(both, "tofacitinib", "US", kb) == "rheumatoid-arthritis"
    assert default_condition(both, "ruxolitinib", "US", kb) == "vitiligo"
    one = complete_patient(kb, "ankylosing-spondylitis")
    assert default_condition(one, "baricitinib", "US", kb) == "ankylosing-spondylitis"
    two = make(kb, "plaque-psoriasis", conditions=["plaque-psoriasis", "vitiligo"])
    with pytest.raises(InputError, match="several conditions"):
        default_condition(two, "baricitinib", "US", kb)
    with pytest.raises(InputError, match="no recorded condition"):
        default_condition(make(kb, "vitiligo", conditions=None), "ruxolitinib", "US", kb)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_style_sheet_colours_meet_wcag_aa_contrast() -> None:
    from jakguide.guide.render import guide_css

    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", guide_css()))
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("link", "paper"),
        ("ink", "alert-bg"),
        ("alert-ink", "alert-bg"),
        ("ink", "today-bg"),
        ("today-ink", "today-bg"),
        ("ink", "calm-bg"),
        ("calm-ink", "calm-bg"),
        ("link", "alert-bg"),
        ("paper", "alert-edge"),  # the '!' mark
    ]
    for fg, bg in pairs:
        assert _contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)
