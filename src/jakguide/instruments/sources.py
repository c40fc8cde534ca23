"""Publications cited by the instruments, and a helper that cites one section of them.

Why one table: a Score carries short ``{"doc", "title", "section", "year"}`` dicts, while the
generated documentation pages need the full citation. Both come from here, so a citation is
written once. Where a detail was seen only in a secondary source the ``note`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from jakguide.instruments.model import SourceRef

__all__ = ["PUBLICATIONS", "Publication", "cite"]


@dataclass(frozen=True)
class Publication:
    """One cited document."""

    doc: str
    title: str
    citation: str
    year: int | None
    note: str = ""


_ALL: tuple[Publication, ...] = (
    Publication(
        "fredriksson-1978",
        "Severe psoriasis - oral therapy with a new retinoid",
        "Fredriksson T, Pettersson U. Dermatologica 1978;157:238-44",
        1978,
        "Original PASI definition; operational table also printed in Ann Rheum Dis 2005;64"
        " Suppl II ('Elements of the PASI').",
    ),
    Publication(
        "louden-2004",
        "A simplified psoriasis area severity index (SPASI) for rating psoriasis severity",
        "Louden BA, Pearce DJ, Lang W, Feldman SR. Dermatol Online J 2004;10(2):7",
        2004,
        "Figure 1 worked PASI examples.",
    ),
    Publication(
        "nct02474082",
        "Trial registration defining PASI 75 responders",
        "ClinicalTrials.gov NCT02474082",
        None,
        "'PASI 75 responders were participants who achieved >=75% improvement (reduction) in"
        " PASI score compared to baseline'.",
    ),
    Publication(
        "finlay-2005",
        "Current severe psoriasis and the rule of tens",
        "Finlay AY. Br J Dermatol 2005;152:861-7",
        2005,
        "Volume and pages as commonly cited; the quoted rule was verified.",
    ),
    Publication(
        "finlay-khan-1994",
        "Dermatology Life Quality Index (DLQI) - a simple practical measure for routine"
        " clinical use",
        "Finlay AY, Khan GK. Clin Exp Dermatol 1994;19:210-6",
        1994,
    ),
    Publication(
        "hongbo-2005",
        "Translating the science of quality of life into practice: what do Dermatology Life"
        " Quality Index scores mean?",
        "Hongbo Y, Thomas CL, Harrison MA, Salek MS, Finlay AY. J Invest Dermatol 2005;125:659-64",
        2005,
    ),
    Publication(
        "dlqi-faq",
        "DLQI frequently asked questions and instructions for use",
        "Department of Dermatology, Cardiff University; www.dermatology.org.uk",
        None,
        "Scoring of 'not relevant', question 7 and subscales. The missing-item answer was"
        " not retrieved verbatim.",
    ),
    Publication(
        "rich-scher-2003",
        "Nail Psoriasis Severity Index: a useful tool for evaluation of nail psoriasis",
        "Rich P, Scher RK. J Am Acad Dermatol 2003;49:206-12",
        2003,
    ),
    Publication(
        "langley-2015",
        "The 5-point Investigator's Global Assessment (IGA) Scale: a modified tool for"
        " evaluating plaque psoriasis severity in clinical trials",
        "Langley RG, Feldman SR, Nyirady J, van de Kerkhof P, Papavassilis C."
        " J Dermatolog Treat 2015;26:23-31",
        2015,
        "IGA mod 2011 anchors 0 clear ... 4 severe, as used in trial registrations"
        " (e.g. NCT03412747).",
    ),
    Publication(
        "garrett-1994",
        "A new approach to defining disease status in ankylosing spondylitis: the Bath"
        " Ankylosing Spondylitis Disease Activity Index",
        "Garrett S, Jenkinson T, Kennedy LG, et al. J Rheumatol 1994;21:2286-91",
        1994,
    ),
    Publication(
        "braun-2003",
        "International ASAS consensus statement for the use of anti-tumour necrosis factor"
        " agents in patients with ankylosing spondylitis",
        "Braun J, Pham T, Sieper J, et al. Ann Rheum Dis 2003;62:817-24",
        2003,
        "Active disease: sustained BASDAI of at least 4; response: BASDAI improvement of at"
        " least 50% or 2 units. Restated in the 2006 update (Ann Rheum Dis 2006;65:316-20).",
    ),
    Publication(
        "calin-1994",
        "A new approach to defining functional ability in ankylosing spondylitis: the"
        " development of the Bath Ankylosing Spondylitis Functional Index",
        "Calin A, Garrett S, Whitelock H, et al. J Rheumatol 1994;21:2281-5",
        1994,
    ),
    Publication(
        "lukas-2009",
        "Development of an ASAS-endorsed disease activity score (ASDAS) in patients with"
        " ankylosing spondylitis",
        "Lukas C, Landewe R, Sieper J, et al. Ann Rheum Dis 2009;68:18-24",
        2009,
    ),
    Publication(
        "machado-2011",
        "Ankylosing Spondylitis Disease Activity Score (ASDAS): defining cut-off values for"
        " disease activity states and improvement scores",
        "Machado P, Landewe R, Lie E, et al. Ann Rheum Dis 2011;70:47-53",
        2011,
    ),
    Publication(
        "machado-2015",
        "How to calculate the ASDAS if the conventional CRP is below the limit of detection"
        " or if using high-sensitivity CRP? An analysis in the DESIR cohort",
        "Machado PM, Navarro-Compan V, Landewe R, et al. Arthritis Rheumatol 2015",
        2015,
        "The 2 mg/L replacement value is restated in RMD Open 2025"
        " (PMC11843021, table 2 footnote).",
    ),
    Publication(
        "machado-2018",
        "ASDAS: 2018 update of the nomenclature for disease activity states",
        "Machado PM, Landewe R, van der Heijde D. Ann Rheum Dis 2018;77:1539-40",
        2018,
    ),
    Publication(
        "anderson-2001",
        "Ankylosing spondylitis assessment group preliminary definition of short-term"
        " improvement in ankylosing spondylitis",
        "Anderson JJ, Baron G, van der Heijde D, Felson DT, Dougados M. Arthritis Rheum"
        " 2001;44:1876-86",
        2001,
    ),
    Publication(
        "brandt-2004",
        "Development and preselection of criteria for short term improvement after anti-TNF"
        " alpha treatment in ankylosing spondylitis",
        "Brandt J, Listing J, Sieper J, et al. Ann Rheum Dis 2004;63:1438-44",
        2004,
    ),
    Publication(
        "schoels-2010",
        "Application of the DAREA/DAPSA score for assessment of disease activity in psoriatic"
        " arthritis",
        "Schoels M, Aletaha D, Funovits J, et al. Ann Rheum Dis 2010;69:1441-7",
        2010,
    ),
    Publication(
        "schoels-2016",
        "Disease activity in psoriatic arthritis (PsA): defining remission and treatment"
        " success using the DAPSA score",
        "Schoels MM, Aletaha D, Alasti F, Smolen JS. Ann Rheum Dis 2016;75:811-8",
        2016,
    ),
    Publication(
        "coates-2010",
        "Defining minimal disease activity in psoriatic arthritis: a proposed objective target"
        " for treatment",
        "Coates LC, Fransen J, Helliwell PS. Ann Rheum Dis 2010;69:48-53",
        2010,
    ),
    Publication(
        "coates-helliwell-2016",
        "Defining low disease activity states in psoriatic arthritis using novel composite"
        " disease instruments",
        "Coates LC, Helliwell PS. J Rheumatol 2016;43:371-5",
        2016,
        "Very low disease activity (VLDA) = all 7 MDA criteria; the 7/7 definition was"
        " verified in a secondary summary (Rheumatol Ther 2021), not in this paper's text.",
    ),
    Publication(
        "armstrong-2017",
        "From the Medical Board of the National Psoriasis Foundation: treatment targets for"
        " plaque psoriasis",
        "Armstrong AW, Siegel MP, Bagel J, et al. J Am Acad Dermatol 2017;76:290-8",
        2017,
    ),
    Publication(
        "ramiro-2023",
        "ASAS-EULAR recommendations for the management of axial spondyloarthritis: 2022 update",
        "Ramiro S, Nikiphorou E, Sepriano A, et al. Ann Rheum Dis 2023;82:19-34",
        2023,
        "The 'after at least 12 weeks' wording is from the treatment algorithm figure, which"
        " was not retrieved verbatim.",
    ),
    Publication(
        "nice-ta383",
        "TNF-alpha inhibitors for ankylosing spondylitis and non-radiographic axial"
        " spondyloarthritis (TA383)",
        "National Institute for Health and Care Excellence, Technology appraisal guidance 383",
        2016,
    ),
)

PUBLICATIONS: dict[str, Publication] = {p.doc: p for p in _ALL}


def cite(doc: str, section: str) -> SourceRef:
    """Return a short citation of ``section`` of publication ``doc`` (KeyError if unknown)."""
    pub = PUBLICATIONS[doc]
    return SourceRef(doc=pub.doc, title=pub.title, section=section, year=pub.year)
