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

# Annex III at point level, where the duties differ (4(a) recruitment and 4(b) decisions at work;
# 5(b) credit and 5(c) insurance, which need a fundamental rights impact assessment, Art. 27).
ANNEX_III_POINTS = (
    ("1a", "Remote biometric identification (not verifying that someone is who they claim to be)"),
    ("1b", "Biometric categorisation by sensitive or protected attributes"),
    ("1c", "Emotion recognition"),
    ("2", "Safety component in critical digital infrastructure, road traffic, or the supply of water, gas, heating or electricity"),
    ("3a", "Deciding access or admission to education and vocational training"),
    ("3b", "Evaluating learning outcomes, including steering the learning process"),
    ("3c", "Assessing the level of education a person will receive or can access"),
    ("3d", "Monitoring and detecting prohibited behaviour of students during tests"),
    ("4a", "Recruitment or selection: targeted job ads, analysing and filtering applications, evaluating candidates"),
    (
        "4b",
        "Decisions at work: terms of the relationship, promotion, termination, allocating tasks by behaviour or traits, "
        "monitoring and evaluating performance",
    ),
    ("5a", "A public authority evaluating eligibility for essential public assistance benefits and services"),
    ("5b", "Evaluating creditworthiness or establishing a credit score (other than detecting financial fraud)"),
    ("5c", "Risk assessment and pricing in life and health insurance"),
    ("5d", "Evaluating and classifying emergency calls, dispatching emergency services, emergency patient triage"),
    ("6a", "Law enforcement: assessing the risk of a person becoming a victim of crime"),
    ("6b", "Law enforcement: polygraphs and similar tools"),
    ("6c", "Law enforcement: evaluating the reliability of evidence"),
    ("6d", "Law enforcement: assessing the risk of offending, not solely by profiling"),
    ("6e", "Law enforcement: profiling in the detection, investigation or prosecution of crime"),
    ("7a", "Migration and border control: polygraphs and similar tools"),
    ("7b", "Migration and border control: assessing a security, irregular-migration or health risk"),
    ("7c", "Migration and border control: examining applications for asylum, visas and residence permits"),
    ("7d", "Migration and border control: detecting, recognising or identifying people (not checking travel documents)"),
    ("8a", "Assisting a judicial authority in researching and interpreting facts and the law and applying it"),
    ("8b", "Influencing the outcome of an election or referendum, or people's voting behaviour"),
)


def point_area(point: str) -> int:
    """The Annex III area of a point: "4a" is in area 4."""
    return int(point[0])


# Who the organisation is for this system (Art. 3(3)-(7)); the duties differ by role.
ROLES = (
    ("provider", "Provider: we develop it, or have it developed, and place it on the market or put it into service under our name"),
    ("deployer", "Deployer: we use a system supplied by someone else, under our authority"),
    ("importer", "Importer: we place on the EU market a system of a provider established outside the EU"),
    ("distributor", "Distributor: we make someone else's system available on the EU market (not as provider or importer)"),
    ("authorised_representative", "Authorised representative: a provider outside the EU mandated us to act for it in the EU"),
)

# Art. 25(1): when a deployer, importer, distributor or other third party becomes the provider of
# a high-risk system.
PROVIDER_BECAUSE = (
    ("own_name", "(a) We put our name or trademark on a high-risk system already on the market or in service"),
    ("substantial_modification", "(b) We substantially modify a high-risk system, and it remains high-risk"),
    ("changed_purpose", "(c) We change the intended purpose of a system so that it becomes high-risk"),
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
    "annex_iii_points",
    "annex_iii_areas",
    "derogations",
    "profiling",
    "transparency",
    "role",
    "provider_because",
    "public_body",
    "workplace",
    "provider",
    "gpai_provider",
    "systemic_compute",
)

# The facts an obligation's `when` can name (obligation_applies): how the system is high-risk,
# whether the Art. 6(3) derogation is used, who deploys it and where, its Art. 50 duties.
FACTS = frozenset(
    {"annex_i", "annex_iii", "derogation", "public_body", "workplace", "art_25"}
    | {f"annex_iii:{n}" for n, _ in ANNEX_III_AREAS}
    | {f"annex_iii:{code}" for code, _ in ANNEX_III_POINTS}
    | {f"transparency:{code}" for code, _ in TRANSPARENCY_DUTIES}
)


@dataclass
class Result:
    tier: str
    role: str
    model_role: str
    reasons: list[str] = field(default_factory=list)
    facts: frozenset[str] = frozenset()

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
    points = _codes(raw.get("annex_iii_points"), {c for c, _ in ANNEX_III_POINTS}, "annex_iii_points", errors)
    areas = {int(a) for a in _codes(raw.get("annex_iii_areas"), {str(n) for n, _ in ANNEX_III_AREAS}, "annex_iii_areas", errors)}
    provider = _flag(raw.get("provider"), "provider", errors)
    role = _role(raw.get("role"), provider, errors)
    answers = {
        "prohibited": _codes(raw.get("prohibited"), {c for c, _ in PROHIBITED_PRACTICES}, "prohibited", errors),
        "annex_i_safety_component": _flag(raw.get("annex_i_safety_component"), "annex_i_safety_component", errors),
        "annex_iii_points": points,
        # The areas of the points chosen, and any area answered as a whole (answers stored before
        # the questionnaire asked for points, and API clients that know only the areas).
        "annex_iii_areas": sorted(areas | {point_area(p) for p in points}),
        "derogations": _codes(raw.get("derogations"), {c for c, _ in DEROGATIONS}, "derogations", errors),
        "profiling": _flag(raw.get("profiling"), "profiling", errors),
        "transparency": _codes(raw.get("transparency"), {c for c, _ in TRANSPARENCY_DUTIES}, "transparency", errors),
        "role": role,
        "provider_because": _codes(raw.get("provider_because"), {c for c, _ in PROVIDER_BECAUSE}, "provider_because", errors),
        "public_body": _flag(raw.get("public_body"), "public_body", errors),
        "workplace": _flag(raw.get("workplace"), "workplace", errors),
        "provider": role == "provider",
        "gpai_provider": _flag(raw.get("gpai_provider"), "gpai_provider", errors),
        "systemic_compute": _flag(raw.get("systemic_compute"), "systemic_compute", errors),
    }
    return answers, errors


def _role(value: Any, provider: bool, errors: dict) -> str:
    """The role answered; `provider: true` alone (answers stored before the role was asked, and
    API clients that send only that flag) means provider, its absence deployer."""
    if value in (None, ""):
        return "provider" if provider else "deployer"
    if not isinstance(value, str) or value not in dict(ROLES):
        errors["role"] = [f"Choose one of: {', '.join(code for code, _ in ROLES)}."]
        return "deployer"
    if provider and value != "provider":
        errors["role"] = ["The role and the provider answer disagree: send one of them."]
    return str(value)


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
    3. An Annex III use (Art. 6(2)) → high-risk, unless an Art. 6(3) derogation applies and the
       system does not profile people (profiling is always high-risk). Emotion recognition and
       biometric categorisation (an Art. 50(3) duty) are Annex III point 1 uses too.
    4. Otherwise, any Art. 50 duty → limited risk (transparency); else minimal.
    Independently: the role answered, which Art. 25(1) turns into provider for a high-risk
    system; and whether the project provides a general-purpose model, with systemic risk when
    training compute exceeds 10^25 FLOPs (Art. 51(2)). `facts` are what obligations' `when`
    conditions test (FACTS)."""
    reasons: list[str] = []
    facts: set[str] = set()
    labels = dict(PROHIBITED_PRACTICES)
    if answers["prohibited"]:
        for code in answers["prohibited"]:
            reasons.append(f"Prohibited practice (Art. 5(1)({code[-1]})): {labels[code]}.")
        reasons.append("The use case cannot proceed: prohibited AI practices are banned.")
        tier = "prohibited"
    else:
        tier = _high_risk(answers, reasons, facts) or _transparency(answers, reasons)
    facts |= {f"transparency:{code}" for code in answers["transparency"]}
    facts |= {name for name in ("public_body", "workplace") if answers.get(name)}
    role = _value_chain_role(answers, tier, reasons, facts)
    model_role = "none"
    if answers["gpai_provider"]:
        model_role = "gpai_systemic" if answers["systemic_compute"] else "gpai"
        reasons.append(
            "You provide a general-purpose AI model with systemic risk (training compute above 10^25 FLOPs, Art. 51(2)): "
            "Art. 53 and Art. 55 obligations apply."
            if model_role == "gpai_systemic"
            else "You provide a general-purpose AI model: Art. 53 obligations apply."
        )
    return Result(tier=tier, role=role, model_role=model_role, reasons=reasons, facts=frozenset(facts))


ROLE_REASONS = {
    "provider": "Role: provider — you develop the system and put it on the market or into service under your name.",
    "deployer": "Role: deployer — you use a system supplied by someone else under your authority (Art. 26).",
    "importer": "Role: importer — you place a system of a provider established outside the EU on the EU market (Art. 23).",
    "distributor": "Role: distributor — you make someone else's system available on the EU market (Art. 24).",
    "authorised_representative": "Role: authorised representative — you act in the EU for a provider established outside it (Art. 22).",
}


def _value_chain_role(answers: dict, tier: str, reasons: list[str], facts: set[str]) -> str:
    answered = answers.get("role") or ("provider" if answers.get("provider") else "deployer")
    because = dict(PROVIDER_BECAUSE)
    chosen = [code for code, _ in PROVIDER_BECAUSE if code in answers.get("provider_because", [])]
    if answered == "provider" or not chosen:
        reasons.append(ROLE_REASONS[answered])
        return answered
    points = "; ".join(because[code] for code in chosen)
    if tier != "high":
        reasons.append(ROLE_REASONS[answered])
        reasons.append(f"Art. 25(1) ({points}) concerns high-risk systems only; this one is not high-risk, so your role stays.")
        return answered
    facts.add("art_25")
    reasons.append(
        f"Role: provider under Art. 25(1) — {points}. You take on the provider's obligations (Art. 16); "
        f"the original provider is no longer the provider of this system."
    )
    return "provider"


def _high_risk(answers: dict, reasons: list[str], facts: set[str]) -> str | None:
    if answers["annex_i_safety_component"]:
        facts.add("annex_i")
        reasons.append("High-risk (Art. 6(1)): a safety component of, or itself, a product under Annex I legislation.")
        return "high"
    points = list(answers.get("annex_iii_points", []))
    areas = set(answers["annex_iii_areas"])
    if "art-50-3" in answers["transparency"] and 1 not in areas:
        areas.add(1)
        reasons.append(
            "Emotion recognition and biometric categorisation are also Annex III point 1 uses (Art. 6(2)), "
            "so they are checked for high risk as well as for the Art. 50(3) duty."
        )
    if not areas:
        return None
    facts |= {f"annex_iii:{n}" for n in areas} | {f"annex_iii:{code}" for code in points}
    area_names = dict(ANNEX_III_AREAS)
    names = ", ".join(f"{n}. {area_names[n]}" for n in sorted(areas))
    if points:
        names += f"; point{'s' if len(points) > 1 else ''} {', '.join(f'{p[0]}({p[1:]})' if len(p) > 1 else p for p in points)}"
    if answers["profiling"]:
        facts.add("annex_iii")
        reasons.append(f"High-risk (Art. 6(2), Annex III: {names}); it profiles people, so the Art. 6(3) derogation cannot apply.")
        return "high"
    if answers["derogations"]:
        facts.add("derogation")
        reasons.append(
            f"Annex III use ({names}), but the Art. 6(3) derogation applies (no significant risk of harm): not high-risk. "
            "Document this assessment before placing the system on the market (Art. 6(4)) and register it (Art. 49(2))."
        )
        return None
    facts.add("annex_iii")
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


def obligation_tiers(tier: str, model_role: str, transparency: list[str]) -> list[str]:
    """The tiers whose obligations apply: the tier itself; the Art. 50 duties of a high-risk
    system that also has them; and the GPAI tracks."""
    tiers = [tier]
    if tier == "high" and transparency:
        tiers.append("limited")
    if model_role != "none":
        tiers.append("gpai")
    if model_role == "gpai_systemic":
        tiers.append("gpai_systemic")
    return tiers


# The obligation bucket that binds every classified project whatever its tier (Art. 4 AI literacy,
# the Art. 6(4) record of a derogation); its entries narrow it with roles and `when`.
EVERY_TIER = "all"


def obligation_applies(*, bucket: str, roles: list[str], when: list[str], tiers: list[str], role: str, facts: frozenset[str]) -> bool:
    """Whether an obligation entry binds a project: its bucket is a tier in force (or every tier),
    it names the project's role (or no role: it binds every role), and one of its `when` facts
    holds (or it has none)."""
    in_force = bucket == EVERY_TIER or bucket in tiers
    return in_force and (not roles or role in roles) and (not when or bool(set(when) & facts))
