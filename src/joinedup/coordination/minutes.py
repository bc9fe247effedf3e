"""MDT minutes as PDF (fpdf2) and DOCX (python-docx): who attended, and per
person the discussion, the decisions and the actions with their owners. Built
from `selectors.mdt.Minutes` (already access-checked and audited); people the
reader may not see appear only as "a person not in your records"."""

from __future__ import annotations

import io
from pathlib import Path

from django.utils import timezone

from joinedup.coordination.models import Task
from joinedup.coordination.selectors.mdt import ItemRow, Minutes

HIDDEN = "A person not in your records (left out)"
_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _owner(task: Task) -> str:
    parts = []
    if task.assignee_user is not None:
        parts.append(task.assignee_user.get_full_name() or task.assignee_user.username)
    if task.assignee_team is not None:
        parts.append(task.assignee_team.name)
    parts.append(task.assignee_organisation.name)
    return ", ".join(parts)


def _action_line(task: Task) -> str:
    due = f", due {task.due_on:%d %b %Y}" if task.due_on else ""
    return f"{task.title}: {_owner(task)}{due} ({task.get_status_display().lower()})"


def _heading(row: ItemRow) -> str:
    if not row.visible:
        return HIDDEN
    p = row.item.person
    nhs = p.nhs_number_display or "NHS number not known"
    return f"{p.display_name} ({nhs})"


def _header_lines(m: Minutes) -> list[str]:
    meeting = m.meeting
    when = timezone.localtime(meeting.starts_at)
    where = ", ".join(x for x in (meeting.place, meeting.link) if x)
    lines = [
        f"Team: {meeting.team.name}, {meeting.team.organisation.name}",
        f"When: {when:%d %b %Y, %H:%M}",
        f"Where: {where}",
        f"Status: {meeting.get_status_display()}",
    ]
    lines.append(
        f"Produced {timezone.localtime(m.produced_at):%d %b %Y, %H:%M}. "
        "Confidential: contains personal information."
    )
    return lines


def _attendee_lines(m: Minutes) -> list[str]:
    return [
        f"{a.user.get_full_name() or a.user.username}, {a.organisation.name}"
        for a in m.attendees
    ]


def minutes_docx(m: Minutes) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(m.meeting.title, level=0)
    for line in _header_lines(m):
        doc.add_paragraph(line)
    doc.add_heading("Attendees", level=1)
    for line in _attendee_lines(m):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading("People discussed", level=1)
    for row in m.items:
        doc.add_heading(_heading(row), level=2)
        if not row.visible:
            continue
        doc.add_paragraph(f"Why on the list: {row.item.get_source_display()}")
        doc.add_paragraph("Discussion: " + (row.item.discussion or "Not recorded"))
        doc.add_paragraph("Decisions: " + (row.item.decisions or "Not recorded"))
        if row.actions:
            doc.add_paragraph("Actions:")
            for t in row.actions:
                doc.add_paragraph(_action_line(t), style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def minutes_pdf(m: Minutes) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    unicode_font = _FONT.exists() and _FONT_BOLD.exists()
    if unicode_font:
        pdf.add_font("body", "", str(_FONT))
        pdf.add_font("body", "B", str(_FONT_BOLD))
        family = "body"
    else:  # the core font covers Latin-1 only
        family = "Helvetica"

    def text(s: str) -> str:
        s = s.translate(_PUNCTUATION)
        return s if unicode_font else s.encode("latin-1", "replace").decode("latin-1")

    def para(s: str, size: int = 11, bold: bool = False) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.55, text(s), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    para(m.meeting.title, 18, bold=True)
    for line in _header_lines(m):
        para(line, 10)
    para("Attendees", 14, bold=True)
    for line in _attendee_lines(m):
        para(f"- {line}", 10)
    para("People discussed", 14, bold=True)
    for row in m.items:
        para(_heading(row), 12, bold=True)
        if not row.visible:
            continue
        para(f"Why on the list: {row.item.get_source_display()}", 10)
        para("Discussion: " + (row.item.discussion or "Not recorded"), 10)
        para("Decisions: " + (row.item.decisions or "Not recorded"), 10)
        if row.actions:
            para("Actions:", 10, bold=True)
            for t in row.actions:
                para(f"- {_action_line(t)}", 10)
    return bytes(pdf.output())
