"""Presentation layer for the workforce simulator.

Reads the files a run writes (``timeseries.parquet``, ``flows.parquet``,
``summary.json``) and turns them into a board report (:mod:`analysis.report`)
and an animated flow chart (:mod:`analysis.animate`). Nothing here imports the
simulator itself: the output folder is the only interface.
"""

from analysis.load import OutputError, Run, RunSet, load, load_run, load_runs

__all__ = ["OutputError", "Run", "RunSet", "load", "load_run", "load_runs"]
