"""Shared test configuration: a headless matplotlib backend, the hypothesis profile, and figures
closed after each test (pyplot warns beyond 20 open figures)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import sys

import pytest
from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:  # only where a test drew something
        sys.modules["matplotlib.pyplot"].close("all")
