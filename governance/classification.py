"""The EU AI Act questionnaire and the rule that turns its answers into a tier and a role.

`classify` is a pure function of the answers: the service stores its result, and the tests walk
every path in tables. The legal hooks (article codes) are the ones in governance/frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROHIBITED_PRACTICES = (
    (
        "art-5-1-a",
        "Uses subliminal, manipulative or deceptive techniques that materially distort behaviour and cause significant harm",
    ),
    ("art-5-1-b", "Exploits vulnerabilities due to age, disability or a social or economic situation"),
    ("art-5-1-c", "Scores people socially, leading to detrimental or unfavourable treatment"),
    ("art-5-1-d", "Predicts criminal offences based solely on profiling or personality traits"),
    ("art-5-1-e", "Builds face-recognition databases by untargeted scraping of facial images"),
    ("art-5-1-f", "Infers emotions in the workplace or in education (other than for medical or safety reasons)"),
    (
        "art-5-1-g",
        "Categorises people by biometrics to infer race, political opinions, union membership, religion, sex life or orientation",
    ),
    (
        "art-5-1-h",
        "Real-time remote biometric identification in public spaces for law enforcement (outside the narrow exceptions)",
    ),
)

ANNEX_III_AREAS = (
    (1, "Biometrics"),
    (2, "Critical infrastructure"),
    (3, "Education and vocational training"),
    (4, "Employment, workers management and access to self-employment"),
    (5, "Access to essential private and public services and benefits"),
    (6, "Law enforcement"),
    (7, "Migration, asylum and border control management"),
    (8, "Administration of justice and democratic processes"),
)

DEROGATIONS = (
    ("narrow_task", "It performs a narrow procedural task"),
    ("improves_human", "It improves the result of a previously completed human activity"),
    (
        "detects_patterns",
        "It detects decision patterns or deviations without replacing or influencing the human assessment without proper review",
    ),
    ("preparatory", "It performs a preparatory task to an assessment relevant to the Annex III use"),
)

TRANSPARENCY_DUTIES = (
    ("art-50-1", "People interact with it directly (a chatbot, an assistant)"),
    ("art-50-2", "It generates synthetic audio, images, video or text"),
    ("art-50-3", "It recognises emotions or categorises people by biometrics"),
    ("art-50-4", "It creates deep fakes, or text published to inform the public on matters of public interest"),
)

QUESTION_KEYS = (
    "prohibited",
    "annex_i_safety_component",
    "annex_iii_areas",
    "derogations",
    "profiling",
    "transparency",
    "provider",
    "gpai_provider",
    "systemic_compute",
)


@dataclass
class Result:
    tier: str
    role: str
    model_role: str
    reasons: list[str] = field(default_factory=list)

    @property
    def rationale(self) -> str:
        return "\n".join(self.reasons)


def clean_answers(raw: Any) -> tuple[dict, dict[str, list[str]]]:
    """Answers in their stored form, or field errors. Unknown keys and values are refused."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return {}, {"answers": ["Send the answers as an object."]}
    for key in sorted(set(raw) - set(QUESTION_KEYS)):
        errors[key] = ["This question is not known."]
    answers = {
        "prohibited": _codes(raw.get("prohibited"), {c for c, _ in PROHIBITED_PRACTICES}, "prohibited", errors),
        "annex_i_safety_component": _flag(raw.get("annex_i_safety_component"), "annex_i_safety_component", errors),
        "annex_iii_areas": sorted(
            int(a) for a in _codes(raw.get("annex_iii_areas"), {str(n) for n, _ in ANNEX_III_AREAS}, "annex_iii_areas", errors)
        ),
        "derogations": _codes(raw.get("derogations"), {c for c, _ in DEROGATIONS}, "derogations", errors),
        "profiling": _flag(raw.get("profiling"), "profiling", errors),
        "transparency": _codes(raw.get("transparency"), {c for c, _ in TRANSPARENCY_DUTIES}, "transparency", errors),
        "provider": _flag(raw.get("provider"), "provider", errors),
        "gpai_provider": _flag(raw.get("gpai_provider"), "gpai_provider", errors),
        "systemic_compute": _flag(raw.get("systemic_compute"), "systemic_compute", errors),
    }
    return answers, errors


def _codes(value: Any, allowed: set[str], name: str, errors: dict) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors[name] = ["Send a list."]
        return []
    result = []
    for item in value:
        code = str(item)
        if code not in allowed:
            errors.setdefault(name, []).append(f"{item!r} is not one of the choices.")
        elif code not in result:
            result.append(code)
    return sorted(result)


def _flag(value: Any, name: str, errors: dict) -> bool:
    if value in (None, "", False, "false", "off", "0", 0):
        return False
    if value in (True, "true", "on", "1", 1):
        return True
    errors[name] = ["Answer true or false."]
    return False


def classify(answers: dict) -> Result:
    """1. Any Art. 5 practice → prohibited.
    2. A safety component under Annex I (Art. 6(1)) → high-risk.
    3. An Annex III area (Art. 6(2)) → high-risk, unless an Art. 6(3) derogation applies and the
       system does not profile people (profiling is always high-risk).
    4. Otherwise, any Art. 50 duty → limited risk (transparency); else minimal.
    Independently, the role (provider or deployer) and whether the project provides a
    general-purpose model, with systemic risk when training compute exceeds 10^25 FLOPs (Art. 51(2))."""
    reasons: list[str] = []
    labels = dict(PROHIBITED_PRACTICES)
    if answers["prohibited"]:
        for code in answers["prohibited"]:
            reasons.append(f"Prohibited practice (Art. 5(1)({code[-1]})): {labels[code]}.")
        reasons.append("The use case cannot proceed: prohibited AI practices are banned.")
        tier = "prohibited"
    else:
        tier = _high_risk(answers, reasons) or _transparency(answers, reasons)
    role = "provider" if answers["provider"] else "deployer"
    reasons.append(
        "Role: provider — you develop the system and put it on the market or into service under your name."
        if role == "provider"
        else "Role: deployer — you use a system supplied by someone else under your authority."
    )
    model_role = "none"
    if answers["gpai_provider"]:
        model_role = "gpai_systemic" if answers["systemic_compute"] else "gpai"
        reasons.append(
            "You provide a general-purpose AI model with systemic risk (training compute above 10^25 FLOPs, Art. 51(2)): "
            "Art. 53 and Art. 55 obligations apply."
            if model_role == "gpai_systemic"
            else "You provide a general-purpose AI model: Art. 53 obligations apply."
        )
    return Result(tier=tier, role=role, model_role=model_role, reasons=reasons)


def _high_risk(answers: dict, reasons: list[str]) -> str | None:
    if answers["annex_i_safety_component"]:
        reasons.append("High-risk (Art. 6(1)): a safety component of, or itself, a product under Annex I legislation.")
        return "high"
    if not answers["annex_iii_areas"]:
        return None
    areas = dict(ANNEX_III_AREAS)
    names = ", ".join(f"{n}. {areas[n]}" for n in answers["annex_iii_areas"])
    if answers["profiling"]:
        reasons.append(f"High-risk (Art. 6(2), Annex III: {names}); it profiles people, so the Art. 6(3) derogation cannot apply.")
        return "high"
    if answers["derogations"]:
        reasons.append(
            f"Annex III area ({names}), but the Art. 6(3) derogation applies (no significant risk of harm): not high-risk. "
            "Document this assessment before placing the system on the market (Art. 6(4))."
        )
        return None
    reasons.append(f"High-risk (Art. 6(2)): listed in Annex III ({names}).")
    return "high"


def _transparency(answers: dict, reasons: list[str]) -> str:
    if answers["transparency"]:
        duties = dict(TRANSPARENCY_DUTIES)
        for code in answers["transparency"]:
            reasons.append(f"Transparency duty (Art. 50({code[-1]})): {duties[code]}.")
        return "limited"
    reasons.append("No prohibited practice, no high-risk use and no transparency duty: minimal risk (voluntary codes, Art. 95).")
    return "minimal"
