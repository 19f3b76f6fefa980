"""Benchmark: the Nash point of an imported Genius domain, dealsim against NegMAS.

Run with ``.venv/bin/python benchmarks/bench_genius.py``. The hand-written ANAC "party" domain
of the tests (``tests/io/data/genius``) is read twice: by NegMAS (``Scenario.from_genius_files``,
its own Genius reader, a benchmark-only peer) and by ``dealsim import genius`` (our reader, then
the scenario file it writes). NegMAS's ``pareto_frontier`` + ``nash_points`` (with the reservation
values as disagreement point) and dealsim's solve must agree on the Nash deal and its utilities;
the script prints both, the largest utility difference, and the time each takes.
"""

from __future__ import annotations

import time
from pathlib import Path

import dealsim
from dealsim.io.genius import genius_scenario_toml, read_genius
from dealsim.scenario import loads

DATA = Path(__file__).parent.parent / "tests" / "io" / "data" / "genius"
DOMAIN = DATA / "party_domain.xml"
PROFILES = [DATA / "party1_utility.xml", DATA / "party2_utility.xml"]


def _negmas():
    from negmas.inout import Scenario
    from negmas.preferences import nash_points, pareto_frontier

    start = time.perf_counter()
    scenario = Scenario.from_genius_files(
        domain=DOMAIN, ufuns=PROFILES, ignore_discount=True, ignore_reserved=False
    )
    # NegMAS keeps Genius's raw evaluations; Genius (and dealsim) divide each discrete issue's
    # evaluations by the issue's largest. Every issue of this domain tops out at 10, so the
    # NegMAS utilities are 10x ours; its reservation values are read in that raw scale too.
    print(f"negmas reserved values as read: {[u.reserved_value for u in scenario.ufuns]}")
    ufuns = scenario.ufuns
    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    frontier, indices = pareto_frontier(ufuns, outcomes=outcomes)
    nash = nash_points(ufuns, frontier, outcome_space=scenario.outcome_space, outcomes=outcomes)
    elapsed = time.perf_counter() - start
    (utilities, position), *_ = nash
    outcome = outcomes[indices[position]]
    names = [issue.name for issue in scenario.outcome_space.issues]
    return dict(zip(names, outcome, strict=True)), tuple(utilities), elapsed


def _dealsim():
    start = time.perf_counter()
    domain = read_genius(DOMAIN, PROFILES)
    result = dealsim.solve(loads(genius_scenario_toml(domain)))
    elapsed = time.perf_counter() - start
    nash = result.solutions["nash"]
    labels = {issue.name.lower(): issue.name for issue in domain.issues}
    deal = {labels[k]: v for k, v in nash.deal.items()}
    return deal, tuple(nash.utilities[p] for p in result.parties), elapsed


def main() -> None:
    negmas_deal, negmas_u, negmas_t = _negmas()
    dealsim_deal, dealsim_u, dealsim_t = _dealsim()
    print(f"domain: {DOMAIN.name} + {', '.join(p.name for p in PROFILES)}")
    print(f"negmas  Nash deal: {negmas_deal}  utilities {negmas_u}  ({negmas_t * 1e3:.1f} ms)")
    print(f"dealsim Nash deal: {dealsim_deal}  utilities {dealsim_u}  ({dealsim_t * 1e3:.1f} ms)")
    gap = max(abs(a / 10 - b) for a, b in zip(negmas_u, dealsim_u, strict=True))
    print(
        f"same deal: {negmas_deal == dealsim_deal}; "
        f"largest difference of negmas/10 and dealsim utilities: {gap:.3g}"
    )


if __name__ == "__main__":
    main()
