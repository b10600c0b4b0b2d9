"""A balance-over-time line as SVG coordinates, drawn by the template with CSS classes
(no inline styles, so the page keeps its strict CSP). The page shows the same numbers
in a table beside it."""

WIDTH, HEIGHT, PAD = 600, 200, 24


def line_chart(series):
    """``series`` is [(date, balance), …] in date order; returns what the template draws."""
    if len(series) < 2:
        return None
    days = [day.toordinal() for day, _ in series]
    values = [float(value) for _, value in series]
    low, high = min(0.0, *values), max(values)
    span_x = (days[-1] - days[0]) or 1
    span_y = (high - low) or 1

    def x(day):
        return round(PAD + (day - days[0]) / span_x * (WIDTH - 2 * PAD), 1)

    def y(value):
        return round(HEIGHT - PAD - (value - low) / span_y * (HEIGHT - 2 * PAD), 1)

    # A step line: the balance holds until the next day with entries.
    points = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        if index:
            points.append(f"{x(day)},{y(values[index - 1])}")
        points.append(f"{x(day)},{y(value)}")
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(points),
        "zero_y": y(0),
        "left": PAD,
        "right": WIDTH - PAD,
        "high_y": y(high),
        "high": series[values.index(high)][1],
        "first": series[0][0],
        "last": series[-1][0],
    }
