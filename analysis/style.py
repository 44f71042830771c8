"""One place for colours, plain-language labels and number formats.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness. A sector has the same colour in every chart
and in the animation.
"""

from __future__ import annotations

import zlib

import matplotlib as mpl

SECTOR_ORDER = ["acute", "community", "primary", "social_care"]
SOURCE_ORDER = ["education", "international", "local_labour", "returners", "retire_return"]
DESTINATION_ORDER = ["other_industry", "retired", "left_area", "education"]
# Small outside pools are merged into these in the animation (analysis.flowdata).
OTHER_SOURCES, OTHER_DESTINATIONS = "other_sources", "other_destinations"
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
    "retire_return": "#BBBBBB",
    OTHER_SOURCES: "#AAAAAA",
    OTHER_DESTINATIONS: "#AAAAAA",
}
# The difference panel of the animation: more (blue) or fewer (vermilion) than the baseline.
MORE, FEWER = "#0072B2", "#D55E00"
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
    "retire_return": "Retire and return",
    OTHER_SOURCES: "Other routes in",
    OTHER_DESTINATIONS: "Other destinations",
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
    "retire_return": "Retire and return",
    OTHER_SOURCES: "Other routes in",
    OTHER_DESTINATIONS: "Other destinations",
}
# Programmes by the names the ICS papers give them (I Can, Journey to Work, the People Hub's
# system bank, ...); a programme not listed here is shown by its module name in words.
PROGRAMME_LABELS = {
    "i_can": "I Can",
    "journey_to_work": "Journey to Work",
    "retention_coordinators": "Retention Coordinators",
    "flexible_working": "Flexible Working",
    "wellbeing_hub": "Wellbeing Hub",
    "system_bank": "System Bank (People Hub)",
    "agency_cap": "Agency Cap",
    "international_recruitment": "International Recruitment",
    "pay_parity": "Pay parity for care workers",
    "rotational_apprenticeships": "Rotational apprenticeships",
    "returners": "Returners (Retire and Return)",
    "referral": "Staff referral app (Care Friends)",
}


def colour(key: str) -> str:
    """The colour of a sector or outside pool; unknown keys get a stable extra colour."""
    if key in PALETTE:
        return PALETTE[key]
    return EXTRA_COLOURS[zlib.crc32(key.encode()) % len(EXTRA_COLOURS)]


def label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    if key in PROGRAMME_LABELS:
        return PROGRAMME_LABELS[key]
    return str(key).replace("_", " ").capitalize()


def scenario_label(programmes) -> str:
    """A run's scenario in words: its programmes by name, or the baseline."""
    names = [p for p in programmes if p]
    return " + ".join(label(p) for p in names) if names else "Baseline (no programme)"


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
