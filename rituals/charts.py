"""Stacked bars as SVG coordinates for the frictions report: one bar per month, one segment
per category. Drawn by the template with presentation attributes and CSS classes (no inline
styles, so the page keeps its strict CSP); the page shows the same numbers in a table.

``commons.charts`` draws a balance as a line; counts by category read better as bars.
"""

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 32, 8, 16, 28

# Okabe and Ito's palette: told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")


def stacked_bars(columns, keys, counts):
    """``columns``: the bars, in order (months); ``keys``: the categories, bottom first;
    ``counts``: ``{(column, key): count}``. Returns what the template draws, or None when
    every count is zero."""
    totals = [sum(counts.get((column, key), 0) for key in keys) for column in columns]
    high = max(totals, default=0)
    if not high:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / len(columns)
    bar_width = round(max(step * 0.7, 1), 1)
    scale = plot_height / high
    label_every = 1 if len(columns) <= 12 else 3
    drawn = []
    for index, (column, total) in enumerate(zip(columns, totals, strict=True)):
        x = round(LEFT + index * step + (step - bar_width) / 2, 1)
        base = HEIGHT - BOTTOM
        segments = []
        for position, key in enumerate(keys):
            count = counts.get((column, key), 0)
            if not count:
                continue
            height = round(count * scale, 1)
            base = round(base - height, 1)
            segments.append(
                {"key": key, "count": count, "y": base, "height": height, "fill": fill(position)}
            )
        drawn.append(
            {
                "column": column,
                "total": total,
                "x": x,
                "middle": round(x + bar_width / 2, 1),
                "top": round(HEIGHT - BOTTOM - total * scale, 1),
                "segments": segments,
                # Counted back from the newest bar, which is always labelled.
                "labelled": (len(columns) - 1 - index) % label_every == 0,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 16,
        "top": TOP,
        "high": high,
        "bar_width": bar_width,
        "bars": drawn,
    }


def fill(position):
    return PALETTE[position % len(PALETTE)]
