"""Close every figure after each test (pyplot warns beyond 20 open figures)."""

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
