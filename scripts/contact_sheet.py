"""Write the illustration contact sheet: every exercise's start and end pictures on one page.

    python scripts/contact_sheet.py [OUT_DIR]      (default: docs/illustrations)

Writes OUT_DIR/contact-sheet.svg (the renderer's own SVG, nested) and OUT_DIR/contact-sheet.png
(the same shapes drawn with matplotlib, which cannot read SVG).
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Polygon

from lumbar.domain.catalog import Exercise, default_catalog
from lumbar.motion.render import Drawing, Shape, drawing_for, exercise_svg

PAIRS_PER_ROW = 4
CELL_W, CELL_H = 240, 180  # SVG user units of one picture (4:3)
GAP, LABEL_H, MARGIN = 8, 26, 16
TITLE_H = 40


def _layout(count: int) -> tuple[int, int, int]:
    rows = -(-count // PAIRS_PER_ROW)
    width = MARGIN * 2 + PAIRS_PER_ROW * (2 * CELL_W + GAP) + (PAIRS_PER_ROW - 1) * GAP * 3
    height = MARGIN * 2 + TITLE_H + rows * (CELL_H + LABEL_H + GAP * 2)
    return rows, width, height


def _origin(index: int) -> tuple[float, float]:
    row, col = divmod(index, PAIRS_PER_ROW)
    x = MARGIN + col * (2 * CELL_W + GAP + GAP * 3)
    y = MARGIN + TITLE_H + row * (CELL_H + LABEL_H + GAP * 2)
    return x, y


def contact_svg(exercises: list[Exercise]) -> str:
    _, width, height = _layout(len(exercises))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 22}" font-size="20" fill="#1f2a30">Lumbar exercise library: start and end positions</text>',
    ]
    for i, exercise in enumerate(exercises):
        x, y = _origin(i)
        for j, frame in enumerate(("start", "end")):
            svg = exercise_svg(exercise, frame, uid=f"cs-{exercise.id}-{frame}")
            cell = svg.replace(
                "<svg ", f'<svg x="{x + j * (CELL_W + GAP)}" y="{y}" width="{CELL_W}" height="{CELL_H}" ', 1
            )
            parts.append(cell)
            parts.append(
                f'<rect x="{x + j * (CELL_W + GAP)}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="none" stroke="#d5dde0"/>'
            )
        parts.append(
            f'<text x="{x}" y="{y + CELL_H + 18}" font-size="14" fill="#1f2a30">{escape(exercise.name)}'
            f'<tspan fill="#6b7a80" font-size="11"> ({exercise.id}: start, end)</tspan></text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _draw(ax: plt.Axes, drawing: Drawing, points_per_unit: float) -> None:
    x0, y0, w, h = drawing.view_box
    ax.set_xlim(x0, x0 + w)
    ax.set_ylim(y0 + h, y0)
    ax.set_aspect("equal")
    ax.axis("off")
    for z, shape in enumerate(drawing.shapes):
        _draw_shape(ax, shape, points_per_unit, z)
    ax.add_patch(
        Polygon(
            [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)],
            closed=True,
            fill=False,
            edgecolor="#d5dde0",
            linewidth=0.8,
            zorder=10_000,
        )
    )


def _draw_shape(ax: plt.Axes, shape: Shape, ppu: float, z: int) -> None:
    width = shape.width * ppu
    if shape.is_circle():
        if not shape.radius:
            return
        cx, cy = shape.points[0]
        ax.add_patch(
            Circle(
                (cx, cy),
                shape.radius,
                facecolor=shape.fill or "none",
                edgecolor=shape.stroke or "none",
                linewidth=width,
                zorder=z,
            )
        )
    elif shape.closed or shape.fill:
        ax.add_patch(
            Polygon(
                shape.points,
                closed=True,
                facecolor=shape.fill or "none",
                edgecolor=shape.stroke or "none",
                linewidth=width if shape.stroke else 0,
                joinstyle="round",
                zorder=z,
            )
        )
    else:
        ax.add_line(
            Line2D(
                shape.points[:, 0],
                shape.points[:, 1],
                color=shape.stroke,
                linewidth=width,
                solid_capstyle="round",
                solid_joinstyle="round",
                zorder=z,
            )
        )


def contact_png(exercises: list[Exercise], path: Path, dpi: int = 110) -> None:
    _, width, height = _layout(len(exercises))
    inch = 1 / 72  # one SVG unit drawn as one point
    fig = plt.figure(figsize=(width * inch * 1.5, height * inch * 1.5), dpi=dpi)
    fig.text(
        MARGIN / width,
        1 - (MARGIN + 22) / height,
        "Lumbar exercise library: start and end positions",
        fontsize=20 * 1.5,
        color="#1f2a30",
    )
    for i, exercise in enumerate(exercises):
        x, y = _origin(i)
        for j, frame in enumerate(("start", "end")):
            left = (x + j * (CELL_W + GAP)) / width
            bottom = 1 - (y + CELL_H) / height
            ax = fig.add_axes((left, bottom, CELL_W / width, CELL_H / height))
            drawing = drawing_for(exercise, frame)
            # Picture units to points: the cell is CELL_W SVG units (x1.5 points each) across.
            ppu = CELL_W * 1.5 / drawing.view_box[2]
            _draw(ax, drawing, ppu)
        fig.text(
            x / width,
            1 - (y + CELL_H + 18) / height,
            f"{exercise.name}  ({exercise.id})",
            fontsize=14 * 1.5 * 0.8,
            color="#1f2a30",
        )
    fig.savefig(path, dpi=dpi, facecolor="white")
    plt.close(fig)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("docs/illustrations")
    out.mkdir(parents=True, exist_ok=True)
    exercises = [e for e in default_catalog() if e.motion is not None and e.motion.illustration is not None]
    (out / "contact-sheet.svg").write_text(contact_svg(exercises), encoding="utf-8")
    contact_png(exercises, out / "contact-sheet.png")
    sys.stdout.write(
        f"wrote {out / 'contact-sheet.svg'} and {out / 'contact-sheet.png'} ({len(exercises)} exercises)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
