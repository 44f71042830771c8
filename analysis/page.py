"""HTML building blocks for the report: page shell, sections, figures, tables."""

from __future__ import annotations

import html
from dataclasses import dataclass

from analysis import style

CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --rule: #d9dee4; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
header { border-bottom: 3px solid #0072B2; margin-bottom: 8px; padding-bottom: 10px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
.subtitle { color: var(--muted); margin: 0; }
nav { background: var(--band); padding: 8px 14px; margin: 16px 0; border-radius: 4px;
  display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav a { color: #0b5c99; text-decoration: none; white-space: nowrap; }
h2 { font-size: 21px; margin: 34px 0 10px; padding-top: 6px; border-top: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.lead { color: var(--muted); }
ul.points { background: var(--band); border-left: 4px solid #0072B2; padding: 12px 16px 12px 34px; }
ul.points li { margin: 4px 0; }
figure { margin: 18px 0 26px; }
figure img { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13.5px; margin-top: 6px; max-width: 820px; }
figcaption b { color: var(--ink); }
table { border-collapse: collapse; width: 100%; margin: 10px 0 4px; font-size: 13.5px; }
th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--ink); padding: 5px 8px; }
td { border-bottom: 1px solid var(--rule); padding: 5px 8px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { border-top: 2px solid var(--ink); font-weight: 600; }
.range { color: var(--muted); font-size: 11.5px; font-weight: normal; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; -webkit-print-color-adjust: exact;
  print-color-adjust: exact; }
.tablenote { color: var(--muted); font-size: 13px; margin: 0 0 18px; }
.notice { background: #fff8e6; border-left: 4px solid #E69F00; padding: 8px 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; border-top: 1px solid var(--rule);
  padding-top: 8px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2.newpage { break-before: page; page-break-before: always; border-top: none; }
  figure, table, ul.points { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


@dataclass
class Section:
    id: str
    heading: str
    body: str
    lead: str = ""


def figure(data_uri: str, heading: str, caption: str) -> str:
    return (
        f'<figure><img src="{data_uri}" alt="{html.escape(heading)}">'
        f"<figcaption><b>{html.escape(heading)}.</b> {html.escape(caption)}</figcaption></figure>"
    )


def notice(text: str) -> str:
    return f'<p class="notice">{html.escape(text)}</p>'


def table(headers: list[str], rows: list[list[str]], note: str = "", header: bool = True,
          total_last: bool = False, text_columns: int = 1) -> str:
    """An HTML table. Cells are HTML already; the first ``text_columns`` columns are
    left-aligned text, the rest right-aligned numbers."""
    def cls(i: int) -> str:
        return ' class="num"' if i >= text_columns else ""

    head = ""
    if header:
        head = "<thead><tr>" + "".join(
            f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(headers)
        ) + "</tr></thead>"
    body = []
    for n, row in enumerate(rows):
        total = ' class="total"' if total_last and n == len(rows) - 1 else ""
        cells = "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{total}>{cells}</tr>")
    note_html = f'<p class="tablenote">{html.escape(note)}</p>' if note else ""
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>{note_html}"


def page(title: str, subtitle: str, sections: list[Section]) -> str:
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.heading)}</a>' for s in sections)
    parts = []
    for i, s in enumerate(sections):
        cls = ' class="newpage"' if i > 0 and s.id in {"staff", "flows", "costs"} else ""
        lead = f'<p class="lead">{html.escape(s.lead)}</p>' if s.lead else ""
        parts.append(
            f'<section id="{s.id}"><h2{cls}>{html.escape(s.heading)}</h2>{lead}{s.body}</section>'
        )
    palette = " ".join(
        f'<span class="swatch" style="background:{style.colour(k)}"></span>'
        f"{html.escape(style.label(k))}" for k in style.SECTOR_ORDER
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>{html.escape(title)}</h1>
<p class="subtitle">{html.escape(subtitle)}</p>
</header>
<nav>{nav}</nav>
<p class="lead">Sector colours used throughout: {palette}</p>
{''.join(parts)}
<footer>Made by the workforce simulator's reporting tools. Results come from a simulation
model: they show what could happen under its assumptions, not a forecast.</footer>
</main>
</body>
</html>
"""
