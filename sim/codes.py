"""Names and integer codes shared by the whole simulator, and the dtypes chosen once.

Sectors and outside nodes are fixed by the model; roles come from the configuration
(the default roles are listed here so that the embedded default and tests agree).
"""
from __future__ import annotations

import numpy as np

SECTORS: tuple[str, ...] = ("acute", "community", "primary", "social_care")
N_SECTORS = len(SECTORS)
DEFAULT_ROLES: tuple[str, ...] = ("nurse", "ahp", "doctor", "support")

# Routes in (where a joiner comes from when not from another employer of the system).
ROUTES: tuple[str, ...] = ("education", "international", "local_labour", "returners")
N_ROUTES = len(ROUTES)
# Route code of a worker who came from another employer of the system (any sector).
OTHER_EMPLOYER = N_ROUTES
OTHER_EMPLOYER_NAME = "other_employer"
# Programmes add their own routes after these (codes assigned per run, see sim.model).

# Where a leaver goes. The first entries are the four sectors (a move inside the system);
# a move to the worker's own sector is a move between two of its employers.
EXITS: tuple[str, ...] = ("other_industry", "retired", "left_area")
DESTINATIONS: tuple[str, ...] = SECTORS + EXITS
N_DESTINATIONS = len(DESTINATIONS)
DEST_OTHER_INDUSTRY = N_SECTORS
DEST_RETIRED = N_SECTORS + 1
DEST_LEFT_AREA = N_SECTORS + 2

# Nodes of the flow graph: sectors, then outside sources, then outside destinations.
NODES: tuple[str, ...] = SECTORS + ROUTES + EXITS
EXIT_NODE0 = N_SECTORS + N_ROUTES

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
