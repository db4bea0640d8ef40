"""The timeline picture of a cluster: one row per date, so that it stays readable with
dozens of statements.

A proportional date axis put every statement's label on its own line once a cluster held
more than a handful, and labels of close dates collided. Here each distinct date is a row,
oldest first: the date, the days since the row above, one dot per statement coloured by its
relation to the claim (linked to its row in the statements table, its text in the tooltip),
and the row's sources grouped ("CNN ×3 · BBC"). Undated statements get the last row.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape

from . import markup

WIDTH, ROW, TOP, DOT = 960, 22, 14, 5
DATE_X, GAP_X, AXIS_X, DOTS_X, STEP = 16, 100, 146, 160, 14
MAX_DOTS = 20  # dots drawn in one row; the rest are counted ("+7")
CHAR_WIDTH = 6.2  # of the 11 px font, on average
COLOURS = {"claim": "#1f5fbf", "agrees": "#2e8b57", "contradicts": "#c62828", "related": "#8a94a6"}
ORDER = {name: i for i, name in enumerate(COLOURS)}  # dots of a row grouped by relation


def timeline_svg(line: dict) -> str:
    """The statements of report ``line`` by date, one row per date (see the module)."""
    statements = {s["id"]: s for s in line["statements"]}
    rows: dict[date | None, list[dict]] = {}
    inferred: set[date] = set()
    for entry in line["timeline"]:
        s = statements.get(entry["statement"])
        if s is None:
            continue
        try:
            day: date | None = date.fromisoformat(entry["date"])
        except (TypeError, ValueError):
            day = None
        if day is not None and entry.get("date_inferred"):
            inferred.add(day)
        rows.setdefault(day, []).append(s)
    days = sorted(d for d in rows if d is not None)
    order = [*days, None] if None in rows else days
    height = TOP + max(len(order), 1) * ROW + 34
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{height}" width="{WIDTH}" height="{height}" font-size="11" font-family="sans-serif" '
        f'role="img" aria-label="Timeline of the {len(statements)} statements, one row per date">'
    ]
    if days:
        bottom = TOP + (len(days) - 1) * ROW + ROW // 2
        parts.append(
            f'<line x1="{AXIS_X}" y1="{TOP + ROW // 2}" x2="{AXIS_X}" y2="{bottom}" '
            'stroke="#5d6778"/>'
        )
    else:
        parts.append(f'<text class="axis" x="{DATE_X}" y="{TOP - 2}">no dated statement</text>')
    widest = min(max((len(r) for r in rows.values()), default=0), MAX_DOTS)
    labels_x = DOTS_X + (widest + 2) * STEP  # the sources start after the longest row
    previous: date | None = None
    for i, day in enumerate(order):
        y = TOP + i * ROW + ROW // 2
        parts.append(_row(y, day, previous, day in inferred, rows[day], labels_x))
        previous = day or previous
    legend = height - 12
    for i, (name, colour) in enumerate(COLOURS.items()):
        x = DATE_X + 6 + i * 110
        parts.append(
            f'<circle cx="{x}" cy="{legend - 4}" r="{DOT}" fill="{colour}"/>'
            f'<text x="{x + 10}" y="{legend}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _row(
    y: int, day: date | None, previous: date | None, inferred: bool, row: list[dict], labels_x: int
) -> str:
    """One date: its label, the days since the previous date, the dots and the sources."""
    if day is None:
        out = [
            f'<line x1="{DATE_X}" y1="{y - ROW // 2}" x2="{WIDTH - DATE_X}" y2="{y - ROW // 2}" '
            'stroke="#c5ccd8" stroke-dasharray="4 3"/>'
            f'<text class="axis" x="{DATE_X}" y="{y + 4}">undated</text>'
        ]
    else:
        label = ("≥ " if inferred else "") + day.isoformat()
        out = [
            f'<text class="axis" x="{DATE_X}" y="{y + 4}">{label}</text>',
            f'<line x1="{AXIS_X - 4}" y1="{y}" x2="{AXIS_X + 4}" y2="{y}" stroke="#5d6778"/>',
        ]
        if previous is not None:
            out.append(
                f'<text class="axis gap" x="{GAP_X}" y="{y + 4}">+{(day - previous).days} d</text>'
            )
    ordered = sorted(row, key=lambda s: (ORDER.get(s.get("relation") or "claim", 9), s["id"]))
    for i, s in enumerate(ordered[:MAX_DOTS]):
        out.append(_dot(DOTS_X + i * STEP, y, day, s))
    if len(ordered) > MAX_DOTS:
        out.append(
            f'<text x="{DOTS_X + MAX_DOTS * STEP}" y="{y + 4}">+{len(ordered) - MAX_DOTS}</text>'
        )
    chars = int((WIDTH - labels_x - DATE_X) / CHAR_WIDTH)
    out.append(
        f'<text class="sources" x="{labels_x}" y="{y + 4}">{escape(_sources(row, chars))}</text>'
    )
    return "".join(out)


def _sources(row: list[dict], chars: int) -> str:
    """The row's sources, most frequent first, each once with its count ("CNN ×3 · BBC")."""
    counts = Counter(_name(s) for s in row)
    names = [f"{n} ×{c}" if c > 1 else n for n, c in sorted(counts.items(), key=_by_count)]
    return markup.short(" · ".join(names), chars)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _name(statement: dict) -> str:
    article = statement["article"]
    return markup.short(markup.source(article) or article.get("title") or article["id"], 28)


def _dot(x: int, y: int, day: date | None, statement: dict) -> str:
    relation = statement.get("relation") or "claim"
    colour = COLOURS.get(relation, COLOURS["related"])
    tip = f"{day or 'undated'} · {_name(statement)} ({relation}): {statement['text']}"
    return (
        f'<a href="#st-{escape(statement["id"])}">'
        f'<circle class="dot {escape(relation)}" cx="{x}" cy="{y}" r="{DOT}" fill="{colour}">'
        f"<title>{escape(tip)}</title></circle></a>"
    )
