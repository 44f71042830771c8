"""The base of the simulator's Mesa agents: employers, and workers in the reference engine.

Mesa 3.3 numbers each model's agents from a class-level dict keyed by the model, which keeps
every model ever made alive (fixed in later Mesa, which needs Python 3.12): a process that
runs many models (a sweep's worker, the dashboard) grew by ~12 MB a default run until the
process pool replaced the worker. Here the dict holds its models weakly, so a finished run's
model is freed.
"""
from __future__ import annotations

import itertools
import weakref

import mesa


class _IdsPerModel(weakref.WeakKeyDictionary):
    """Each model's agent counter (from 1, as Mesa numbers them), held only while the model lives."""

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


class Agent(mesa.Agent):
    _ids = _IdsPerModel()
