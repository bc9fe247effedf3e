"""The quarterly Better Care Fund style return of a pooled fund, as XLSX: the
pool and contributions, income and expenditure per scheme for the quarter and
the year to date with the forecast, the risk share per partner, and the BCF
metrics per month of the quarter (secondary use: small numbers suppressed).
Aggregates only; for commissioners and finance leads."""

from __future__ import annotations

import datetime as dt
import io

from joinedup.errors import InvalidInput
from joinedup.funding.bcf import metrics_compute
from joinedup.funding.selectors.ledger import month_next
from joinedup.funding.selectors.pooled import Dashboard, fund_dashboard, fy_label
from joinedup.governance.access import Actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUARTERS = {
    1: "Q1 (April to June)",
    2: "Q2 (July to September)",
    3: "Q3 (October to December)",
    4: "Q4 (January to March)",
}


def quarter_parse(raw: str) -> int:
    try:
        q = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput.for_field("quarter", "choose 1, 2, 3 or 4") from None
    if q not in QUARTERS:
        raise InvalidInput.for_field("quarter", "choose 1, 2, 3 or 4")
    return q


def return_rows(board: Dashboard, quarter: int) -> dict[str, list[tuple]]:
    """Pure: the return's sheets as rows (no database)."""
    q = slice((quarter - 1) * 3, quarter * 3)
    to_q = slice(0, quarter * 3)
    summary: list[tuple[object, ...]] = [
        ("Fund", board.fund.name),
        ("Agreement", board.fund.get_agreement_display()),
        ("Host partner", board.fund.host.name),
        ("Risk share", board.fund.get_risk_share_display()),
        ("Financial year", fy_label(board.year)),
        ("Quarter", QUARTERS[quarter]),
        ("Pool", board.pool if board.pool is not None else "not set"),
    ]
    summary += [(f"Contribution: {p.label}", p.contribution) for p in board.partners]
    spend: list[tuple[object, ...]] = [
        (
            "Scheme",
            "Type",
            "Plan (quarter)",
            "Actual (quarter)",
            "Variance (quarter)",
            "Plan (year to quarter end)",
            "Actual (year to quarter end)",
            "Plan (year)",
            "Forecast outturn",
            "Forecast variance",
        )
    ]
    for s in board.schemes:
        plan_q, actual_q = sum(s.plan[q]), sum(s.actual[q])
        spend.append(
            (
                s.name,
                s.kind,
                plan_q,
                actual_q,
                actual_q - plan_q,
                sum(s.plan[to_q]),
                sum(s.actual[to_q]),
                s.plan_year,
                s.forecast,
                s.forecast_variance,
            )
        )
    risk: list[tuple[object, ...]] = [
        (
            "Partner",
            "Contribution",
            "Risk share %",
            "Share of over (+) / under (-) spend",
        )
    ]
    risk += [(p.label, p.contribution, p.percent, p.risk) for p in board.partners]
    risk.append(
        ("Forecast over (+) / under (-) spend of the fund", "", "", board.overspend)
    )
    return {"Summary": summary, "Expenditure": spend, "Risk share": risk}


def bcf_return_xlsx(
    *, actor: Actor, fund_id: int, year: int, quarter: int, today: dt.date
) -> bytes:
    from openpyxl import Workbook

    board = fund_dashboard(actor=actor, fund_id=fund_id, year=year, today=today)
    months = board.months[(quarter - 1) * 3 : quarter * 3]
    sheets = return_rows(board, quarter)
    metrics = metrics_compute(
        start=months[0],
        end=month_next(months[-1]) - dt.timedelta(days=1),
        today=today,
    )
    rows: list[tuple] = [("Metric", "Unit", "Month", "Count", "Of", "Value")]
    for metric in metrics:
        for f in metric.figures:
            rows.append(
                (
                    metric.definition.title,
                    metric.definition.unit,
                    f.month.strftime("%Y-%m"),
                    f.count_shown,
                    f.of_shown,
                    round(f.value, 1) if f.value is not None else "suppressed or none",
                )
            )
    sheets["Metrics"] = rows
    book = Workbook(write_only=True)
    for title, content in sheets.items():
        sheet = book.create_sheet(title)
        for row in content:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
