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
    Publication(
        "prevoo-1995",
        "Modified disease activity scores that include twenty-eight-joint counts",
        "Prevoo ML, van 't Hof MA, Kuper HH, et al. Arthritis Rheum 1995;38:44-8",
        1995,
        "DAS28 (ESR) formula.",
    ),
    Publication(
        "das28-crp-formula",
        "DAS28 using CRP: DAS28-CRP(4) and DAS28-CRP(3) formulas",
        "Department of Rheumatology, Radboud University Nijmegen Medical Centre; das-score.nl",
        None,
        "Formula page of the DAS authors; DAS28-CRP(4) = 0.56 sqrt(TJC28) + 0.28 sqrt(SJC28) + "
        "0.36 ln(CRP+1) + 0.014 GH + 0.96.",
    ),
    Publication(
        "fransen-2005",
        "The Disease Activity Score and the EULAR response criteria",
        "Fransen J, van Riel PL. Clin Exp Rheumatol 2005;23(5 Suppl 39):S93-9",
        2005,
        "DAS28 states (remission < 2.6, low <= 3.2, high > 5.1) and the DAS28 EULAR response "
        "table.",
    ),
    Publication(
        "van-gestel-1996",
        "Development and validation of the European League Against Rheumatism response criteria "
        "for rheumatoid arthritis",
        "van Gestel AM, Prevoo ML, van 't Hof MA, et al. Arthritis Rheum 1996;39:34-40",
        1996,
    ),
    Publication(
        "aletaha-2005",
        "Acute phase reactants add little to composite disease activity indices for rheumatoid "
        "arthritis: validation of a clinical activity score",
        "Aletaha D, Nell VP, Stamm T, et al. Arthritis Res Ther 2005;7:R796-806",
        2005,
        "CDAI.",
    ),
    Publication(
        "smolen-2003",
        "A simplified disease activity index for rheumatoid arthritis for use in clinical practice",
        "Smolen JS, Breedveld FC, Schiff MH, et al. Rheumatology (Oxford) 2003;42:244-57",
        2003,
        "SDAI.",
    ),
    Publication(
        "aletaha-smolen-2005",
        "The Simplified Disease Activity Index (SDAI) and the Clinical Disease Activity Index "
        "(CDAI): a review of their usefulness and validity in rheumatoid arthritis",
        "Aletaha D, Smolen J. Clin Exp Rheumatol 2005;23(5 Suppl 39):S100-8",
        2005,
        "CDAI cut-offs 2.8 / 10 / 22; SDAI 3.3 / 11 / 26.",
    ),
    Publication(
        "hanifin-2001",
        "The eczema area and severity index (EASI): assessment of reliability in atopic dermatitis",
        "Hanifin JM, Thurston M, Omoto M, et al. Exp Dermatol 2001;10:11-8",
        2001,
        "Regions, signs, area scores and the age-dependent region weights.",
    ),
    Publication(
        "leshem-2015",
        "What the Eczema Area and Severity Index score tells us about the severity of atopic "
        "dermatitis: an interpretability study",
        "Leshem YA, Hajar T, Hanifin JM, Simpson EL. Br J Dermatol 2015;172:1353-7",
        2015,
        "Severity strata 0 / 0.1-1.0 / 1.1-7.0 / 7.1-21.0 / 21.1-50.0 / 50.1-72.0.",
    ),
    Publication(
        "simpson-2022-easi",
        "The Eczema Area and Severity Index - a practical guide",
        "Simpson EL et al. Dermatitis 2022;33(3):187-92",
        2022,
        "EASI-50/75/90 as percentage improvements from baseline.",
    ),
    Publication(
        "olsen-2004",
        "Alopecia areata investigational assessment guidelines - Part II",
        "Olsen EA, Hordinsky MK, Price VH, et al. J Am Acad Dermatol 2004;51:440-7",
        2004,
        "SALT: top 40 %, back 24 %, each side 18 %.",
    ),
    Publication(
        "wyrwich-2020",
        "The Alopecia Areata Investigator Global Assessment scale: a measure for evaluating "
        "clinically meaningful success in clinical trials",
        "Wyrwich KW, Kitchen H, Knight S, et al. Br J Dermatol 2020;183:702-9",
        2020,
        "AA-IGA: none 0, limited 1-20, moderate 21-49, severe 50-94, very severe 95-100 % scalp "
        "hair loss; seen in secondary sources.",
    ),
    Publication(
        "king-2022-brave-aa",
        "Two phase 3 trials of baricitinib for alopecia areata",
        "King B, Ohyama M, Kwon O, et al. N Engl J Med 2022;386:1687-99",
        2022,
        "Primary endpoint SALT <= 20 at week 36, the endpoint in the alopecia areata labels.",
    ),
    Publication(
        "schroeder-1987",
        "Coated oral 5-aminosalicylic acid therapy for mildly to moderately active ulcerative "
        "colitis",
        "Schroeder KW, Tremaine WJ, Ilstrup DM. N Engl J Med 1987;317:1625-9",
        1987,
        "Mayo score subscores.",
    ),
    Publication(
        "dhaens-2007",
        "A review of activity indices and efficacy end points for clinical trials of medical "
        "therapy in adults with ulcerative colitis",
        "D'Haens G, Sandborn WJ, Feagan BG, et al. Gastroenterology 2007;132:763-86",
        2007,
        "Mayo activity bands as tabulated in secondary sources (mild 3-5, moderate 6-10, severe "
        "11-12); other tables differ.",
    ),
    Publication(
        "lewis-2008",
        "Use of the noninvasive components of the Mayo score to assess clinical response in "
        "ulcerative colitis",
        "Lewis JD, Chuai S, Nessel L, et al. Inflamm Bowel Dis 2008;14:1660-6",
        2008,
        "Partial Mayo score; its activity bands are seen in secondary tables only.",
    ),
    Publication(
        "sandborn-2017-octave",
        "Tofacitinib as induction and maintenance therapy for ulcerative colitis",
        "Sandborn WJ, Su C, Sands BE, et al. N Engl J Med 2017;376:1723-36",
        2017,
        "Remission: Mayo <= 2, no subscore > 1, rectal bleeding 0; response: fall >= 3 and >= 30 %"
        " with rectal bleeding fall >= 1 or <= 1.",
    ),
    Publication(
        "danese-2022-u-achieve",
        "Upadacitinib as induction and maintenance therapy for moderately to severely active "
        "ulcerative colitis",
        "Danese S, Vermeire S, Zhou W, et al. Lancet 2022;399:2113-28",
        2022,
        "Adapted Mayo remission and response definitions.",
    ),
    Publication(
        "harvey-bradshaw-1980",
        "A simple index of Crohn's-disease activity",
        "Harvey RF, Bradshaw JM. Lancet 1980;1(8167):514",
        1980,
    ),
    Publication(
        "best-2006",
        "Predicting the Crohn's disease activity index from the Harvey-Bradshaw Index",
        "Best WR. Inflamm Bowel Dis 2006;12:304-10",
        2006,
        "HBI bands (remission < 5, mild 5-7, moderate 8-16, severe > 16) and a 3-point response, "
        "as tabulated in secondary sources.",
    ),
    Publication(
        "simpson-2020-viga",
        "Validation of the Validated Investigator Global Assessment for Atopic Dermatitis (vIGA-"
        "AD)",
        "Simpson E, Bissonnette R, Eichenfield LF, et al. J Am Acad Dermatol 2020;83:839-46",
        2020,
        "vIGA-AD grades 0 clear to 4 severe; the scale's descriptors are copyrighted and not "
        "reproduced.",
    ),
)

PUBLICATIONS: dict[str, Publication] = {p.doc: p for p in _ALL}


def cite(doc: str, section: str) -> SourceRef:
    """Return a short citation of ``section`` of publication ``doc`` (KeyError if unknown)."""
    pub = PUBLICATIONS[doc]
    return SourceRef(doc=pub.doc, title=pub.title, section=section, year=pub.year)
