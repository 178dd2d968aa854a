"""Charts as PNG bytes: team activity per member with the funnel, and an agent's own month.

Fonts. matplotlib ships only DejaVu Sans, which has no Chinese glyphs, and machines install
only what the project installs. So the package carries its own: fonts/ChartSansCJK.otf, a
small subset of Noto Sans CJK SC (SIL OFL 1.1, fonts/OFL.txt; built by
tools/build_chart_font.py) with every chart word in simplified and traditional Chinese and
the characters most common in names. Charts are drawn in the agent's language everywhere:
- with the machine's own CJK font when it has one (Noto Sans CJK from Debian's
  `fonts-noto-cjk`, WenQuanYi, Source Han Sans, ...; or a font file passed in), which also
  draws any member's name;
- otherwise with the bundled subset; a member name it cannot draw falls back to the member's
  number (the caption beside the photo lists the numbers with the names), and with no CJK
  font at all (font=None) titles and axes fall back to English. Charts never show empty boxes
  for missing glyphs.
matplotlib is imported on first use (it takes about half a second), with the Agg canvas only.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from coachbot.render.templates import Renderer

# families to look for, most complete first; any of them draws simplified and traditional
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK JP",
    "Noto Sans SC", "Noto Sans TC", "Source Han Sans SC", "Source Han Sans CN",
    "Source Han Sans TW", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
    "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei", "AR PL UMing CN",
)
CJK_FILE_HINTS = ("notosanscjk", "notosanssc", "notosanstc", "sourcehansans", "wqy",
                  "droidsansfallback", "msyh", "pingfang", "simhei", "uming")
BASE_FAMILY = "DejaVu Sans"
BUNDLED_FONT = Path(__file__).parent / "fonts" / "ChartSansCJK.otf"
VISITS_COLOR, POLICIES_COLOR, PLAN_COLOR = "#2f6db5", "#f08a24", "#9aa5b1"
FUNNEL_COLORS = ("#9ecae1", "#6baed6", "#3182bd", "#f08a24")
MAX_MEMBERS = 20  # more would not be readable on a phone
_LOCK = threading.Lock()  # rcParams are global: one chart at a time


@dataclass(frozen=True)
class ChartTexts:
    """Every word on a chart, already in the reader's language (from the templates' labels)."""

    title: str
    visits: str
    policies: str
    funnel: str
    stages: tuple[str, str, str, str]  # names, prospects, proposals, closes
    plan: str
    daily_target: str


STAGE_KEYS = ("names", "prospects", "proposals", "closes")


def chart_texts(renderer: Renderer, locale: str, kind: str, first: date,
                last: date) -> ChartTexts:
    """The chart's words in one locale; kind is week, month or my (the agent's own)."""
    def text(key: str, **values: Any) -> str:
        return renderer.label(locale, f"charts.{key}", **values)

    span = f"{first.month}/{first.day}–{last.month}/{last.day}"
    return ChartTexts(
        title=text(f"{kind}_title", span=span), visits=text("visits"),
        policies=text("policies"), funnel=text("my_funnel" if kind == "my" else "funnel"),
        stages=tuple(text(k) for k in STAGE_KEYS),  # type: ignore[arg-type]
        plan=text("plan"), daily_target=text("daily_target"))


@dataclass(frozen=True)
class MemberBar:
    """One member's bars: the label shown under them, visits and policies."""

    label: str
    visits: int
    policies: int


def team_chart(members: Sequence[MemberBar], funnel: Sequence[int], texts: ChartTexts,
               fallback: ChartTexts, *, font: str | Path | None = "auto") -> bytes:
    """Visits and policies per member (numbered), beside the team's funnel."""
    with _LOCK, _fonts(font) as draws:
        figure, canvas = _figure(9.6, 5.4)
        pick = _picker(draws, texts, fallback)
        grid = figure.add_gridspec(1, 5)
        bars = figure.add_subplot(grid[0, :3])
        shown = list(members)[:MAX_MEMBERS]
        positions = list(range(len(shown)))
        width = 0.4
        visits = bars.bar([p - width / 2 for p in positions], [m.visits for m in shown], width,
                          color=VISITS_COLOR, label=pick("visits"))
        policies = bars.bar([p + width / 2 for p in positions], [m.policies for m in shown],
                            width, color=POLICIES_COLOR, label=pick("policies"))
        for container in (visits, policies):
            bars.bar_label(container, fontsize=8, padding=1)
        bars.set_xticks(positions, [_member_label(i, m.label, draws)
                                    for i, m in enumerate(shown, start=1)],
                        rotation=30 if len(shown) > 6 else 0, ha="right" if len(shown) > 6
                        else "center", fontsize=9)
        bars.set_ylim(0, max([1, *(m.visits for m in shown), *(m.policies for m in shown)])
                      * 1.2)
        bars.legend(loc="upper right", fontsize=9, frameon=False)
        _tidy(bars)
        _funnel(figure.add_subplot(grid[0, 3:]), funnel, None, pick)
        figure.suptitle(pick("title"), fontsize=13)
        return _png(figure, canvas)


def personal_chart(days: Sequence[date], visits: Sequence[int], daily_target: float,
                   funnel: Sequence[int], plan: Sequence[int], texts: ChartTexts,
                   fallback: ChartTexts, *, font: str | Path | None = "auto") -> bytes:
    """Visits a day against the daily target, and the month's funnel against the 1:3:10 plan."""
    with _LOCK, _fonts(font) as draws:
        figure, canvas = _figure(8.0, 6.4)
        pick = _picker(draws, texts, fallback)
        grid = figure.add_gridspec(2, 1, height_ratios=(3, 2))
        daily = figure.add_subplot(grid[0, 0])
        colors = [VISITS_COLOR if count >= daily_target else PLAN_COLOR for count in visits]
        daily.bar(range(len(days)), list(visits), color=colors)
        daily.axhline(daily_target, color=POLICIES_COLOR, linestyle="--", linewidth=1.5,
                      label=f"{pick('daily_target')} {daily_target:g}")
        ticks = [i for i, day in enumerate(days) if day.weekday() == 0 or i == len(days) - 1]
        daily.set_xticks(ticks, [f"{days[i].month}/{days[i].day}" for i in ticks], fontsize=8)
        daily.set_ylim(0, max([daily_target, *visits]) * 1.25 + 0.5)
        daily.set_title(pick("visits"), fontsize=11, loc="left")
        daily.legend(loc="upper left", fontsize=9, frameon=False)
        _tidy(daily)
        _funnel(figure.add_subplot(grid[1, 0]), funnel, plan, pick)
        figure.suptitle(pick("title"), fontsize=13)
        return _png(figure, canvas)


def find_cjk_font() -> str | None:
    """A font file that draws Chinese: the machine's own, else the one the package ships."""
    return _find_system_cjk_font() or (str(BUNDLED_FONT) if BUNDLED_FONT.exists() else None)


def can_draw(text: str, font: str | Path | None = "auto") -> bool:
    """Whether the fonts a chart would use have a glyph for every character of `text`."""
    return _covered(text, _font_files(font))


# -- drawing ------------------------------------------------------------------------------
def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, FigureCanvasAgg(figure)


def _funnel(axes: Any, counts: Sequence[int], plan: Sequence[int] | None, pick: Any) -> None:
    """Horizontal bars, widest at the top: names, prospects, proposals, closes."""
    labels = list(pick("stages"))
    rows = list(range(len(counts)))[::-1]
    if plan is not None:
        axes.barh(rows, list(plan), color="none", edgecolor=PLAN_COLOR, linestyle="--",
                  linewidth=1.2, label=pick("plan"), height=0.7)
    container = axes.barh(rows, list(counts), color=FUNNEL_COLORS[:len(counts)], height=0.5)
    texts = [str(c) if plan is None or p == 0 else f"{c}/{p}"
             for c, p in zip(counts, plan or [0] * len(counts), strict=True)]
    axes.bar_label(container, texts, fontsize=9, padding=2)
    axes.set_yticks(rows, labels, fontsize=9)
    axes.set_xlim(0, max([1, *counts, *(plan or [])]) * 1.3)
    axes.set_title(pick("funnel"), fontsize=11, loc="left")
    if plan is not None:
        axes.legend(loc="lower right", fontsize=8, frameon=False)
    _tidy(axes)


def _tidy(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8)


def _png(figure: Any, canvas: Any) -> bytes:
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    figure.clear()
    return buffer.getvalue()


def _member_label(number: int, name: str, draws: frozenset[int]) -> str:
    """ "3 小王" when the fonts can draw the name, else just "3" (the caption says who)."""
    short = name if len(name) <= 8 else name[:7] + "…"
    return f"{number} {short}" if _covered(short, draws) else str(number)


def _picker(draws: frozenset[int], texts: ChartTexts, fallback: ChartTexts) -> Any:
    """A function giving each text in the reader's language, or its fallback if not drawable."""

    def pick(name: str) -> Any:
        value = getattr(texts, name)
        if isinstance(value, tuple):
            return tuple(v if _covered(v, draws) else f
                         for v, f in zip(value, getattr(fallback, name), strict=True))
        return value if _covered(value, draws) else getattr(fallback, name)

    return pick


@contextlib.contextmanager
def _fonts(font: str | Path | None) -> Iterator[frozenset[int]]:
    """Set matplotlib's font family for one chart; yields the code points it can draw."""
    import matplotlib

    files = _font_files(font)
    with matplotlib.rc_context({"font.family": [_family(path) for path in files]}):
        yield _charmaps(tuple(files))


def _font_files(font: str | Path | None) -> list[str]:
    """Font files to draw with: the CJK one (found or given) first, DejaVu Sans always."""
    from matplotlib import font_manager

    base = font_manager.findfont(font_manager.FontProperties(family=BASE_FAMILY))
    chosen = find_cjk_font() if font == "auto" else (str(font) if font else None)
    return [chosen, base] if chosen else [base]


@functools.cache
def _find_system_cjk_font() -> str | None:
    from matplotlib import font_manager

    by_family = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_family:
            return by_family[family]
    # fonts installed after matplotlib built its cache are not in ttflist: look on disk
    for path in sorted(font_manager.findSystemFonts()):
        if any(hint in Path(path).name.lower().replace("-", "") for hint in CJK_FILE_HINTS):
            return path
    return None


@functools.cache
def _family(path: str) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


@functools.cache
def _charmaps(paths: tuple[str, ...]) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    points: set[int] = set()
    for path in paths:
        points.update(FT2Font(path).get_charmap())
    return frozenset(points)


def _covered(text: str, draws: frozenset[int] | list[str]) -> bool:
    points = draws if isinstance(draws, frozenset) else _charmaps(tuple(draws))
    return all(ord(ch) in points or ch.isspace() for ch in text)
