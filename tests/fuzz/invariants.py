"""What every finished run folder must satisfy, whatever the config: read back from the files.

`violations(folder)` returns one line per broken invariant (empty when all hold):

- stocks and flows add up: for every sector and week, headcount = last week's + flows in -
  flows out (from `headcount_start` in summary.json), and the timeseries' joiners and leavers
  are the flows in and out;
- no stock is negative, burnout is within 0..1, FTE is at most the headcount, sick FTE at most
  the FTE, vacancy at most the establishment;
- no NaN or infinity in any table or in summary.json;
- every intake cohort: in_post + leavers (by destination) = joined, in_post >= 0, retention
  within 0..1;
- flows are positive whole numbers; programme costs and recruits are not negative.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.codes import DESTINATIONS, SECTORS

TOL = 1e-6  # relative, for sums of floating-point FTE


def _numbers(obj, where: str) -> list[str]:
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _numbers(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _numbers(v, f"{where}[{i}]")
    elif isinstance(obj, float) and not math.isfinite(obj):
        out.append(f"summary.json {where} = {obj}")
    return out


def _finite(df: pd.DataFrame, name: str) -> list[str]:
    num = df.select_dtypes("number")
    bad = [c for c in num.columns if not np.isfinite(num[c].to_numpy(np.float64)).all()]
    return [f"{name}: column {c} has NaN or infinite values" for c in bad]


def violations(folder: Path) -> list[str]:
    folder = Path(folder)
    ts = pd.read_parquet(folder / "timeseries.parquet")
    fl = pd.read_parquet(folder / "flows.parquet")
    co = pd.read_parquet(folder / "cohorts.parquet")
    pr = pd.read_parquet(folder / "programmes.parquet")
    summary = json.loads((folder / "summary.json").read_text())
    out: list[str] = []
    for df, name in ((ts, "timeseries"), (fl, "flows"), (co, "cohorts"), (pr, "programmes")):
        out += _finite(df, name)
    out += [v for v in _numbers(summary, "") if "wall_time" not in v]
    ts = ts.assign(sector=ts["sector"].astype(str))
    fl = fl.assign(source=fl["source"].astype(str), target=fl["target"].astype(str))
    weeks = np.sort(ts["week"].unique())
    if len(weeks) and not np.array_equal(weeks, np.arange(len(weeks))):
        out.append("timeseries: weeks are not 0, 1, 2, ...")
    hc = ts.groupby(["week", "sector"])["headcount"].sum().unstack(fill_value=0)
    inflow = fl.groupby(["week", "target"])["count"].sum().unstack(fill_value=0)
    outflow = fl.groupby(["week", "source"])["count"].sum().unstack(fill_value=0)
    joiners = ts.groupby(["week", "sector"])["joiners"].sum().unstack(fill_value=0)
    leavers = ts.groupby(["week", "sector"])["leavers"].sum().unstack(fill_value=0)
    for s, info in summary["sectors"].items():
        if s not in hc:
            continue
        inn = inflow.get(s, pd.Series(dtype=np.int64)).reindex(hc.index, fill_value=0).to_numpy()
        outn = outflow.get(s, pd.Series(dtype=np.int64)).reindex(hc.index, fill_value=0).to_numpy()
        stock = hc[s].to_numpy()
        previous = np.concatenate([[info["headcount_start"]], stock[:-1]])
        broken = np.flatnonzero(stock != previous + inn - outn)
        if len(broken):
            w = int(hc.index[broken[0]])
            out.append(f"{s}: headcount does not follow the flows from week {w} "
                       f"({int(previous[broken[0]])} + {int(inn[broken[0]])} - {int(outn[broken[0]])} "
                       f"!= {int(stock[broken[0]])})")
        if not np.array_equal(joiners[s].to_numpy(), inn) or not np.array_equal(leavers[s].to_numpy(), outn):
            out.append(f"{s}: timeseries joiners/leavers differ from the flows")
        if info["headcount_end"] != (int(stock[-1]) if len(stock) else info["headcount_start"]):
            out.append(f"{s}: summary headcount_end differs from the last week's headcount")
    for col in ("headcount", "fte", "establishment_fte", "vacancy_fte", "sick_fte", "bank_fte",
                "agency_fte", "agency_cost_gbp", "bank_cost_gbp", "joiners", "leavers"):
        if (ts[col] < 0).any():
            out.append(f"timeseries: negative {col}")
    if not ts["mean_burnout"].between(0, 1).all():
        out.append("timeseries: mean_burnout outside 0..1")
    slack = TOL * (1 + ts["establishment_fte"].abs())
    if (ts["vacancy_fte"] > ts["establishment_fte"] + slack).any():
        out.append("timeseries: vacancy_fte above establishment_fte")
    if (ts["fte"] > ts["headcount"] + TOL).any() or (ts["sick_fte"] > ts["fte"] + TOL).any():
        out.append("timeseries: FTE above headcount, or sick FTE above FTE")
    if len(fl) and ((fl["count"] <= 0).any() or not set(fl["source"]) | set(fl["target"]) <= set(
            fl["source"].cat.categories if hasattr(fl["source"], "cat") else set(fl["source"]))
            | set(fl["target"])):
        out.append("flows: a count is not positive")
    left = co[[f"left_to_{d}" for d in DESTINATIONS]].sum(axis=1)
    if (co["in_post"] + left != co["joined"]).any():
        out.append("cohorts: in_post + leavers != joined")
    if (co["in_post"] < 0).any() or not co["retention"].between(0, 1).all():
        bad = co[(co["in_post"] < 0) | ~co["retention"].between(0, 1)].iloc[0]
        out.append(f"cohorts: in_post {bad['in_post']} of {bad['joined']} joined (cohort week "
                   f"{bad['cohort_week']}, route {bad['route']}, {bad['weeks_since_joining']} weeks)")
    if len(pr) and ((pr["cost_gbp"] < 0).any() or (pr["recruits"] < 0).any()):
        out.append("programmes: negative cost or recruits")
    unknown = set(summary["sectors"]) - set(SECTORS)
    if unknown:
        out.append(f"summary.json: unknown sectors {sorted(unknown)}")
    return out
