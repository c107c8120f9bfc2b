"""The governance report as an A4 PDF (`report_pdf`), drawn from the report's data alone (see
`governance.selectors.report_build`): it reads nothing from the database."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from governance.selectors.report import REPORT_SECTIONS

# The PDF uses the core fonts, which cover latin-1 only: typography that has a plain equivalent
# gets it, and whatever else is left (emoji, CJK) becomes "?" instead of crashing the renderer.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "‹": "<",
        "›": ">",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "…": "...",
        "•": "*",
        "€": "EUR",
        "™": "(TM)",
        "✓": "[x]",
        "✔": "[x]",
        "✗": "x",
        "→": "->",
        "←": "<-",
        "≥": ">=",
        "≤": "<=",
        "≠": "!=",
        "\t": " ",
        "\r": "",
    }
)


def pdf_text(value: Any, limit: int | None = None) -> str:
    """`value` as text the core fonts can draw (latin-1), cut to `limit` characters."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).translate(_PLAIN)
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n" or 32 <= code < 127 or 160 <= code < 256:
            out.append(ch)
        elif code < 160:
            out.append(" ")  # control characters
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue  # combining marks, zero-width joiners, variation selectors
        else:
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 256 and not unicodedata.combining(c))
            out.append(plain if plain.isprintable() and plain else "?")
    return "".join(out)


# Fill colours of the heat-map levels (light, so the black count stays readable); each cell also
# names its level, so colour is never the only signal.
_LEVEL_FILL = {
    "low": (200, 230, 201),
    "medium": (255, 236, 179),
    "high": (255, 204, 153),
    "critical": (239, 154, 154),
}
_CELL_LIMIT = 400  # characters per table cell: a row must fit on a page


class _ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = pdf_text(title, 120)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"Governance report - {self.report_title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, level: int = 1, keep: float = 0) -> None:
        """A heading that keeps `keep` mm (or some) of what follows on its page."""
        size = {1: 15, 2: 12, 3: 10.5}[level]
        if self.will_page_break(max(keep, {1: 30, 2: 22, 3: 16}[level])):
            self.add_page()
        elif level == 1:
            self.ln(3)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, pdf_text(text, 300), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font("Helvetica", "", 9)

    def para(self, text: Any, style: str = "", size: float = 9) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 9)

    def facts(self, rows: Iterable[tuple[str, Any]]) -> None:
        """Label and value pairs, the labels in bold."""
        self.set_font("Helvetica", "", 8)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=(45, 135), width=180, text_align="LEFT", line_height=4, first_row_as_headings=False, padding=1) as table:
            for label, value in rows:
                row = table.row()
                row.cell(pdf_text(label), style=FontFace(emphasis="BOLD"))
                row.cell(pdf_text(value, _CELL_LIMIT * 4))
        self.ln(2)
        self.set_font("Helvetica", "", 9)

    def grid(self, head: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        """A table with wrapped cells; the heading row repeats on every page."""
        if not rows:
            self.para("None.", "I")
            return
        self.set_font("Helvetica", "", 8)
        self.set_fill_color(255, 255, 255)
        with self.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            line_height=4,
            padding=1,
        ) as table:
            table.row([pdf_text(h) for h in head])
            for row in rows:
                table.row([pdf_text(value, _CELL_LIMIT) for value in row])
        self.ln(2)
        self.set_font("Helvetica", "", 9)


def report_pdf(report: dict) -> bytes:
    """The report as an A4 PDF: the sections of `REPORT_SECTIONS`, in that order."""
    project = report["project"]
    pdf = _ReportPDF(project["name"])
    pdf.set_title(pdf_text(f"Governance report: {project['name']}", 200))
    pdf.set_author("GenAI Lifecycle")
    pdf.set_creation_date(timezone.now())
    pdf.add_page()
    _pdf_cover(pdf, report)
    for key, title in REPORT_SECTIONS:
        # The risks start with the heat map, which is never split across pages.
        pdf.heading(title, keep=_heat_map_height(report["risks"]["matrix"]["size"]) if key == "risks" else 0)
        _PDF_SECTIONS[key](pdf, report)
    return bytes(pdf.output())


def _name(user: dict | None) -> str:
    return user["name"] if user else "-"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _pdf_cover(pdf: _ReportPDF, report: dict) -> None:
    project = report["project"]
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 9, "Governance report", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, pdf_text(project["name"], 300), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    classification = project["classification"]
    pdf.facts(
        [
            ("Generated", report["generated_at"]),
            ("Template", f"{project['template']['name']} (v{project['template']['version']})"),
            ("Status", project["status"]),
            ("Current phase", project["current_phase"]),
            ("EU AI Act tier", classification["tier_label"] if classification else "not classified"),
            ("Tags", ", ".join(project["tags"]) or "-"),
            ("Members", "; ".join(f"{_name(m['user'])} ({m['role']})" for m in project["members"])),
        ]
    )
    if project["description"]:
        pdf.para(project["description"])


def _pdf_summary(pdf: _ReportPDF, report: dict) -> None:
    s = report["summary"]
    gate = s["current_gate"]
    readiness = "not assessed yet"
    if gate and gate["score"] is not None:
        readiness = f"{gate['score']:g} of threshold {gate['threshold']}, {'ready' if gate['ready'] else 'not ready'}"
        readiness += " (stale: inputs changed since)" if gate["stale"] else ""
    by_level = ", ".join(f"{n} {level}" for level, n in s["risks"]["open_by_level"].items() if n) or "none"
    checklist = s["checklist"]
    pdf.facts(
        [
            ("Phases passed", f"{s['phases_passed']} of {s['phases_total']}"),
            (
                "Checklist",
                f"{checklist['done']} of {checklist['total']} done; required {checklist['required_done']} of {checklist['required']}",
            ),
            ("Current gate readiness", readiness),
            ("Artifacts", f"{s['artifacts']['approved']} of {s['artifacts']['total']} approved"),
            ("Open risks", f"{s['risks']['open']} of {s['risks']['total']} ({by_level})"),
            ("Sign-offs", ", ".join(f"{n} {k}" for k, n in s["signoffs"].items() if k != "total") or "none"),
            (
                "Gate decisions",
                f"{s['gate_decisions']['total']} reviews; "
                + (", ".join(f"{n} {k}" for k, n in s["gate_decisions"]["outcomes"].items()) or "none decided"),
            ),
            ("Framework coverage", ", ".join(f"{k} {v}%" for k, v in s["framework_coverage"].items()) or "-"),
            (
                "Incidents",
                f"{s['incidents']['total']} ({s['incidents']['serious']} serious; reports due {s['incidents']['reports_due']}, "
                f"overdue {s['incidents']['reports_overdue']})",
            ),
        ]
    )


def _pdf_phases(pdf: _ReportPDF, report: dict) -> None:
    for phase in report["phases"]:
        checklist = phase["checklist"]
        pdf.heading(f"{phase['name']} - {phase['status'].replace('_', ' ')}", 2)
        gate = phase["gate"]
        line = f"Checklist: {checklist['done']} of {checklist['total']} done ({checklist['percent']}%), "
        line += f"required {checklist['required_done']} of {checklist['required']}."
        if gate:
            score = "not assessed" if gate["score"] is None else f"{gate['score']:g} (threshold {gate['threshold']})"
            line += f" Gate readiness: {score}, {'ready' if gate['ready'] else 'not ready'}{', stale' if gate['stale'] else ''}."
        pdf.para(line)
        rows = [
            ["[x]" if i["done"] else "[ ]", i["title"], _yes(i["required"]), _name(i["done_by"]) if i["done"] else "", i["note"]]
            for i in checklist["items"]
        ]
        pdf.grid(["Done", "Item", "Required", "Done by", "Note"], rows, widths=(11, 74, 16, 29, 50))


def _pdf_artifacts(pdf: _ReportPDF, report: dict) -> None:
    rows = [
        [a["phase"], a["type_label"], a["title"], a["status"].replace("_", " "), a["approved_version"] or "-", _name(a["owner"])]
        for a in report["artifacts"]
    ]
    pdf.grid(["Phase", "Type", "Title", "Status", "Approved v.", "Owner"], rows, widths=(20, 36, 54, 20, 18, 32))
    expected = [(p["name"], e) for p in report["phases"] for e in p["expected_artifacts"] if e["required"] and not e["approved"]]
    if expected:
        pdf.para("Required artifacts not yet approved: " + "; ".join(f"{e['label']} ({name})" for name, e in expected) + ".", "I")


def _pdf_risks(pdf: _ReportPDF, report: dict) -> None:
    risks = report["risks"]
    pdf.heading("Heat map", 2, keep=_heat_map_height(risks["matrix"]["size"]))
    _pdf_heat_map(pdf, risks)
    pdf.heading("Register", 2)
    rows = [
        [r["title"], r["category"], r["level"], f"{r['likelihood']}x{r['impact']}", r["status"], _name(r["owner"]), r["mitigation_plan"]]
        for r in risks["items"]
    ]
    pdf.grid(["Risk", "Category", "Level", "L x I", "Status", "Owner", "Mitigation"], rows, widths=(38, 30, 16, 12, 20, 24, 40))


def _heat_map_height(size: int) -> float:
    """The grid's rows, its heading row, the legend and its note, in mm."""
    return 11.0 * size + 10 + 30


def _pdf_heat_map(pdf: _ReportPDF, risks: dict) -> None:
    """Rows: likelihood, highest first; columns: impact. Each cell shows its count and level."""
    matrix, size = risks["matrix"], risks["matrix"]["size"]
    label_w, cell_w, cell_h = 34.0, min(26.0, 140.0 / size), 11.0
    x0 = pdf.l_margin
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_x(x0)
    pdf.cell(label_w, 10, "Likelihood \\ Impact", border=1, align="C")
    for i in range(size):
        _pdf_two_lines(pdf, str(i + 1), _label(matrix["impact_labels"], i), cell_w, 10)
    pdf.ln(10)
    for row in risks["heat_map"]:
        likelihood = row[0]["likelihood"]
        pdf.set_x(x0)
        pdf.set_font("Helvetica", "B", 7)
        pdf.cell(label_w, cell_h, pdf_text(f"{likelihood} {_label(matrix['likelihood_labels'], likelihood - 1)}", 30), border=1)
        for cell in row:
            _pdf_heat_cell(pdf, cell, cell_w, cell_h)
        pdf.ln(cell_h)
    pdf.ln(2)
    _pdf_legend(pdf, matrix)


def _pdf_two_lines(pdf: _ReportPDF, first: str, second: str, width: float, height: float, fill: tuple | None = None) -> None:
    """A bordered box with a bold first line and a small second line, centred."""
    x, y = pdf.get_x(), pdf.get_y()
    if fill:
        pdf.set_fill_color(*fill)
    pdf.rect(x, y, width, height, style="DF" if fill else "D")
    pdf.set_font("Helvetica", "B", 10 if fill else 7)
    pdf.set_xy(x, y + 1)
    pdf.cell(width, 4.5, pdf_text(first, 12), align="C")
    pdf.set_font("Helvetica", "", 6.5)
    pdf.set_xy(x, y + height - 5)
    pdf.cell(width, 4, pdf_text(second, 16), align="C")
    pdf.set_xy(x + width, y)


def _label(labels: list, index: int) -> str:
    return str(labels[index]) if 0 <= index < len(labels) else ""


def _pdf_heat_cell(pdf: _ReportPDF, cell: dict, width: float, height: float) -> None:
    count = str(cell["count"]) if cell["count"] else "-"
    _pdf_two_lines(pdf, count, cell["level"], width, height, fill=_LEVEL_FILL.get(cell["level"], (230, 230, 230)))


def _pdf_legend(pdf: _ReportPDF, matrix: dict) -> None:
    pdf.set_font("Helvetica", "", 8)
    pdf.set_x(pdf.l_margin)
    pdf.cell(15, 5, "Legend:")
    for level in matrix["levels"]:
        pdf.set_fill_color(*_LEVEL_FILL.get(level["key"], (230, 230, 230)))
        pdf.cell(5, 5, "", border=1, fill=True)
        pdf.cell(33, 5, pdf_text(f" {level['label']} (score >= {level['min']})", 40))
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(6)
    pdf.para(
        "Each cell shows the number of risks that are not closed at that likelihood and impact (by their residual "
        "assessment when there is one) and the level of that position; '-' means none.",
        "I",
        8,
    )


def _pdf_signoffs(pdf: _ReportPDF, report: dict) -> None:
    rows = [
        [s["phase"], s["title"], s["function"], s["status"], _name(s["decided_by"]), (s["decided_at"] or "")[:10], s["comment"]]
        for s in report["signoffs"]
    ]
    pdf.grid(["Phase", "Sign-off", "Function", "Status", "Decided by", "On", "Comment"], rows, widths=(18, 40, 26, 17, 25, 19, 35))


def _pdf_gate_decisions(pdf: _ReportPDF, report: dict) -> None:
    if not report["gate_decisions"]:
        pdf.para("No gate review has been requested yet.", "I")
    for d in report["gate_decisions"]:
        outcome = d["outcome"] or d["status"]
        pdf.heading(f"{d['phase_name']} gate: {outcome}", 2)
        pdf.facts(
            [
                ("Requested", f"{d['requested_at']} by {_name(d['requested_by'])}"),
                ("Justification", d["justification"] or "-"),
                ("Quorum", f"{d['quorum']['needed']} Go vote(s) of {len(d['approvers'])} approver(s)"),
                ("Resolved", d["resolved_at"] or d["withdrawn_at"] or "not yet"),
            ]
        )
        votes = [[_name(v["voter"]), v["decision"], v["cast_at"], v["comment"]] for v in d["votes"]]
        pdf.grid(["Voter", "Vote", "At", "Comment"], votes, widths=(35, 18, 42, 85))
        if d["snapshot"]:
            _pdf_snapshot(pdf, d["snapshot"])


def _pdf_snapshot(pdf: _ReportPDF, snapshot: dict) -> None:
    pdf.heading("What the decision saw", 3)
    readiness = snapshot.get("readiness") or {}
    criteria = readiness.get("criteria") or []
    met = sum(1 for c in criteria if c.get("met"))
    state = ("ready" if readiness.get("ready") else "not ready") + (" (stale)" if readiness.get("stale") else "")
    pdf.para(
        f"Readiness {readiness.get('score') or 'not assessed'}, {state}, computed {readiness.get('computed_at') or '-'}; "
        f"{met} of {len(criteria)} criteria met."
    )
    rows = [["Artifact", a.get("title"), f"v{a.get('version')}", "approved"] for a in snapshot.get("artifacts") or []]
    rows += [["Sign-off", s.get("title"), f"v{s.get('version')}", s.get("status")] for s in snapshot.get("signoffs") or []]
    pdf.grid(["Kind", "Title", "Version", "Status"], rows, widths=(25, 105, 20, 30))


def _pdf_coverage(pdf: _ReportPDF, report: dict) -> None:
    for fw in report["framework_coverage"]:
        pdf.heading(f"{fw['name']}: {fw['coverage']}% covered", 2)
        pdf.para(
            f"{fw['met']} met, {fw['open']} open, {fw['not_applicable']} not applicable of {len(fw['requirements'])} mapped "
            f"requirements ({fw['total_in_framework']} in the framework, as of {fw['as_of']})."
        )
        rows = [[r["code"], r["title"], r["status"].replace("_", " "), r["reason"]] for r in fw["requirements"]]
        pdf.grid(["Code", "Requirement", "Status", "Note"], rows, widths=(30, 90, 22, 38))


def _pdf_soa(pdf: _ReportPDF, report: dict) -> None:
    rows = report["statement_of_applicability"]
    counts = {k: sum(r["applicable"] == k for r in rows) for k in ("yes", "no", "undecided")}
    pdf.para(f"{len(rows)} Annex A controls: {counts['yes']} apply, {counts['no']} do not, {counts['undecided']} not decided yet.")
    grid = [[r["code"], r["title"], r["applicable"], r["justification"], "; ".join(r["evidence"])] for r in rows]
    pdf.grid(["Control", "Title", "Applies", "Justification", "Evidence"], grid, widths=(18, 52, 18, 46, 46))


def _pdf_post_launch(pdf: _ReportPDF, report: dict) -> None:
    post = report["post_launch"]
    pdf.para(
        f"Bias audit every {post['schedule']['bias_audit_every_days']} days; "
        f"monitoring review every {post['schedule']['monitoring_review_every_days']} days (once the project is live)."
    )
    pdf.heading("Audits and reviews", 2)
    rows = [
        [t["kind_label"], t["due_on"], "overdue" if t["overdue"] else t["status"], _name(t["done_by"]), t["notes"]] for t in post["tasks"]
    ]
    pdf.grid(["Kind", "Due", "Status", "Done by", "Findings"], rows, widths=(32, 22, 18, 30, 78))
    pdf.heading("Incidents", 2)
    rows = [
        [
            i["title"],
            i["occurred_on"],
            i["severity"],
            "serious" + (", reported" if i["reported_at"] else ", not reported") if i["serious"] else "-",
            i["description"],
        ]
        for i in post["incidents"]
    ]
    pdf.grid(["Incident", "When", "Severity", "Art. 73", "Description"], rows, widths=(40, 22, 18, 30, 70))


def _pdf_audit(pdf: _ReportPDF, report: dict) -> None:
    excerpt = report["audit_excerpt"]
    pdf.para(f"The latest {len(excerpt['events'])} of {excerpt['total']} events, newest first.")
    rows = [[e["seq"], e["at"], e["actor"] or "system", e["action"], e["object_label"] or e["object_type"]] for e in excerpt["events"]]
    pdf.grid(["#", "At (UTC)", "Who", "What", "Object"], rows, widths=(12, 42, 28, 48, 50))


_PDF_SECTIONS = {
    "summary": _pdf_summary,
    "phases": _pdf_phases,
    "artifacts": _pdf_artifacts,
    "risks": _pdf_risks,
    "signoffs": _pdf_signoffs,
    "gate_decisions": _pdf_gate_decisions,
    "framework_coverage": _pdf_coverage,
    "statement_of_applicability": _pdf_soa,
    "post_launch": _pdf_post_launch,
    "audit_excerpt": _pdf_audit,
}
