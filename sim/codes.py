"""Names and integer codes shared by the whole simulator, and the dtypes chosen once.

Sectors and outside nodes are fixed by the model; roles come from the configuration
(the default roles are listed here so that the embedded default and tests agree).
"""
from __future__ import annotations

import numpy as np

SECTORS: tuple[str, ...] = ("acute", "community", "primary", "social_care")
N_SECTORS = len(SECTORS)
DEFAULT_ROLES: tuple[str, ...] = ("nurse", "ahp", "doctor", "support")

# Routes in: the pools of people outside the system that employers hire from (sim.pools).
# `returners` are former staff who left for another industry; `retire_return` are retirees.
ROUTES: tuple[str, ...] = ("education", "international", "local_labour", "returners", "retire_return")
N_ROUTES = len(ROUTES)
EDUCATION, INTERNATIONAL, LOCAL_LABOUR, RETURNERS, RETIRE_RETURN = range(N_ROUTES)
# How a worker joined their current employer when not from a pool: from another employer of the
# system (any sector), or by a change of role with the same employer (a career step).
OTHER_EMPLOYER = N_ROUTES
OTHER_EMPLOYER_NAME = "other_employer"
CAREER = N_ROUTES + 1
CAREER_NAME = "career"
# Programmes add their own routes after these (codes assigned per run, see sim.model).
FIRST_PROGRAMME_ROUTE = N_ROUTES + 2

# Where a leaver goes. The first entries are the four sectors (a move inside the system);
# a move to the worker's own sector is a move between two of its employers. `education`: a
# worker who leaves to study for another role (a nursing degree); they come back as graduates.
EXITS: tuple[str, ...] = ("other_industry", "retired", "left_area")
DESTINATIONS: tuple[str, ...] = SECTORS + EXITS + ("education",)
N_DESTINATIONS = len(DESTINATIONS)
DEST_OTHER_INDUSTRY = N_SECTORS
DEST_RETIRED = N_SECTORS + 1
DEST_LEFT_AREA = N_SECTORS + 2
DEST_EDUCATION = N_SECTORS + 3

# Nodes of the flow graph: sectors, then outside sources, then outside destinations. Education is
# one node: graduates come from it and workers who leave to study go to it.
NODES: tuple[str, ...] = SECTORS + ROUTES + EXITS
EXIT_NODE0 = N_SECTORS + N_ROUTES
EDUCATION_NODE = N_SECTORS + EDUCATION

# Age bands of the yearly age table (ages.parquet): lower bounds.
AGE_BANDS: tuple[int, ...] = (16, 25, 35, 45, 55, 65)
# Burnout thresholds of the timeseries' shares of staff above them.
BURNOUT_THRESHOLDS: tuple[float, ...] = (0.5, 0.7)

# Flexible-working status of a worker.
FLEX_NONE, FLEX_MET, FLEX_UNMET = 0, 1, 2

# One place for dtypes: compact types keep the worker table small (bytes per worker matter
# at England scale, 3.5M workers). FTE is stored in hundredths so that sums are exact integers
# whatever the summation order.
DT_ID = np.uint64
DT_CODE = np.int8
DT_EMPLOYER = np.int16
DT_AGE = np.uint8
DT_WEEKS = np.int16
DT_FTE = np.uint8          # contracted FTE in hundredths (1..100)
DT_FLAG = np.uint8

FTE_UNIT = 100
WEEKS_PER_YEAR = 52
FIRST_YEAR_WEEKS = WEEKS_PER_YEAR       # a worker's first year with an employer, for early leaving
MAX_WEEKS = int(np.iinfo(DT_WEEKS).max)  # tenures stop counting here
