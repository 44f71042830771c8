"""One place for colours, plain-language labels and number formats.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness. A sector has the same colour in every chart
and in the animation.
"""

from __future__ import annotations

import zlib

import matplotlib as mpl

SECTOR_ORDER = ["acute", "community", "primary", "social_care"]
SOURCE_ORDER = ["education", "international", "local_labour", "returners"]
DESTINATION_ORDER = ["other_industry", "retired", "left_area"]
OUTSIDE = SOURCE_ORDER + DESTINATION_ORDER

PALETTE = {
    # sectors (Okabe-Ito)
    "acute": "#0072B2",
    "community": "#009E73",
    "primary": "#E69F00",
    "social_care": "#CC79A7",
    # where staff come from
    "education": "#56B4E9",
    "international": "#D55E00",
    "local_labour": "#F0E442",
    "returners": "#999999",
    # where staff go
    "other_industry": "#444444",
    "retired": "#888888",
    "left_area": "#CCCCCC",
}
# For sectors configured beyond the four standard ones (Paul Tol's dark colours,
# chosen to stay apart from the colours above).
EXTRA_COLOURS = ["#882255", "#332288", "#117733", "#000000"]
ESTABLISHMENT_COLOUR = "#555555"

LABELS = {
    "acute": "Acute hospitals",
    "community": "Community health",
    "primary": "GP and primary care",
    "social_care": "Social care",
    "education": "Newly qualified",
    "international": "International recruits",
    "local_labour": "Local job market",
    "returners": "Returners",
    "other_industry": "Jobs outside health and care",
    "retired": "Retired",
    "left_area": "Left the area",
    "nurse": "Nurses",
    "ahp": "Allied health professionals",
    "doctor": "Doctors",
    "support": "Support staff",
    "all": "All sectors",
}
SHORT_LABELS = {
    "acute": "Acute",
    "community": "Community",
    "primary": "Primary care",
    "social_care": "Social care",
    "education": "Newly qualified",
    "international": "International",
    "local_labour": "Local job market",
    "returners": "Returners",
    "other_industry": "Other jobs",
    "retired": "Retired",
    "left_area": "Left the area",
}


def colour(key: str) -> str:
    """The colour of a sector or outside pool; unknown keys get a stable extra colour."""
    if key in PALETTE:
        return PALETTE[key]
    return EXTRA_COLOURS[zlib.crc32(key.encode()) % len(EXTRA_COLOURS)]


def label(key: str) -> str:
    return LABELS.get(key, str(key).replace("_", " ").capitalize())


def short_label(key: str) -> str:
    return SHORT_LABELS.get(key, label(key))


def ordered(keys, order=SECTOR_ORDER) -> list[str]:
    """Known keys in the standard order, then any others alphabetically."""
    keys = list(dict.fromkeys(keys))
    return [k for k in order if k in keys] + sorted(k for k in keys if k not in order)


# --- number formats ------------------------------------------------------------


def gbp(x: float, short: bool = False) -> str:
    """Money in the way a board paper writes it: £1.2m, £350k, £900.

    ``short`` drops the decimal from amounts of £10m or more (for chart axes).
    """
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e9:
        return f"{sign}£{x / 1e9:.2f}bn"
    if x >= 1e6:
        return f"{sign}£{x / 1e6:.0f}m" if short and x >= 1e7 else f"{sign}£{x / 1e6:.1f}m"
    if x >= 1e3:
        return f"{sign}£{x / 1e3:.0f}k"
    return f"{sign}£{x:.0f}"


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def count(x: float) -> str:
    return f"{x:,.0f}"


def signed_count(x: float) -> str:
    return "0" if round(x) == 0 else f"{x:+,.0f}"


# --- matplotlib ------------------------------------------------------------------

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.facecolor": "white",
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "savefig.facecolor": "white",
}


def chart_style():
    """Context manager applying the house style to charts made inside it."""
    return mpl.rc_context(RC)
