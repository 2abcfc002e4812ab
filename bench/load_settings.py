"""The production settings, with static files collected into a folder of bench/load.py's own
(BENCH_STATIC_ROOT) instead of var/static, which the development server of the same checkout uses."""

import os

from egovexperts.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
