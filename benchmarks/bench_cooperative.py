"""Benchmark: power indices of voting bodies and values of transferable-utility games.

Run: .venv/bin/python benchmarks/bench_cooperative.py (``--repeats N``, default 5)

* The EU Council under qualified majority (55% of the 27 members, i.e. 15, and 65% of the
  population, in thousands): exact Shapley–Shubik and Banzhaf indices by generating functions
  (:mod:`dealsim.solvers.voting`). Target: well under a few seconds.
* The peer is brute force: list all ``2**n`` coalitions of the same double-majority body with
  :func:`~dealsim.solvers.voting.weighted_voting_game` and take the Shapley and Banzhaf values of
  that game (:mod:`dealsim.solvers.cooperative`, vectorised over coalitions). 2**27 coalitions
  are out of reach (a gigabyte per array), so both run on the 20 and the 24 most populous
  members (quotas of 55% and 65% of that body); the answers must agree.
* The Shapley value of a random 20-player game (10^6 coalitions) and the nucleolus and core of
  random games of 10 and 14 players.

The QMV rule is modelled without the blocking-minority clause (a coalition of 24 or more members
also wins); :func:`weighted_voting_game` counts only conjunctions of weighted rules.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import timed

from dealsim.solvers.cooperative import banzhaf_value, core, nucleolus, shapley_value
from dealsim.solvers.voting import banzhaf_index, shapley_shubik_index, weighted_voting_game

# Eurostat, population on 1 January 2024 (news release "EU population increases again in 2024",
# 11 July 2024), in persons, by decreasing population: DE FR IT ES PL RO NL BE CZ PT SE EL HU AT
# BG DK FI SK IE HR LT SI LV EE CY LU MT.
EU_MEMBERS = "DE FR IT ES PL RO NL BE CZ PT SE EL HU AT BG DK FI SK IE HR LT SI LV EE CY LU MT"
EU_POPULATION_2024 = np.array(
    [
        83_445_000, 68_402_000, 58_989_700, 48_610_500, 36_621_000, 19_064_400, 17_942_900,
        11_832_000, 10_900_600, 10_639_700, 10_551_700, 10_397_200, 9_584_600, 9_158_800,
        6_445_500, 5_961_200, 5_603_900, 5_424_700, 5_343_800, 3_862_000, 2_885_900, 2_123_900,
        1_871_900, 1_374_700, 933_500, 672_100, 563_000,
    ]
)  # fmt: skip


def qualified_majority(population: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Weights (a row counting members, a row of population) and quotas 55% and 65%."""
    n = population.size
    return np.vstack([np.ones(n), population]), [0.55 * n, 0.65 * population.sum()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    repeats = parser.parse_args().repeats
    thousands = (EU_POPULATION_2024 + 500) // 1000
    print(f"medians of {repeats} runs")

    weights, quota = qualified_majority(thousands)
    t_ss, ss = timed(lambda: shapley_shubik_index(weights, quota), repeats)
    t_bz, bz = timed(lambda: banzhaf_index(weights, quota), repeats)
    print(f"EU Council QMV, 27 members, population {thousands.sum():,} thousand:")
    print(f"  Shapley-Shubik index (exact counting)   {t_ss * 1e3:8.1f} ms")
    print(f"  Banzhaf index (exact counting)          {t_bz * 1e3:8.1f} ms")
    for name, s, b in list(zip(EU_MEMBERS.split(), ss, bz, strict=True))[:5]:
        print(f"    {name}  Shapley-Shubik {s:.4f}  Banzhaf {b:.4f}")

    for members in (20, 24):
        weights, quota = qualified_majority(thousands[:members])
        t_dp, (ss_dp, bz_dp) = timed(
            lambda w=weights, q=quota: (shapley_shubik_index(w, q), banzhaf_index(w, q)), repeats
        )

        def brute_force(w=weights, q=quota):
            v = weighted_voting_game(w, q)
            return shapley_value(v), banzhaf_value(v, normalized=True)

        t_bf, (ss_bf, bz_bf) = timed(brute_force, repeats)
        gap = max(np.abs(ss_dp - ss_bf).max(), np.abs(bz_dp - bz_bf).max())
        print(f"{members} most populous members, same rule (both indices):")
        print(f"  exact counting                          {t_dp * 1e3:8.1f} ms")
        print(f"  brute force over 2**{members} coalitions       {t_bf * 1e3:8.1f} ms")
        print(f"  ratio {t_bf / t_dp:.1f}x; max |difference| {gap:.1e}")

    rng = np.random.default_rng(20)
    v = rng.random(2**20)
    v[0] = 0.0
    t_sh, phi = timed(lambda: shapley_value(v), repeats)
    t_bv, _ = timed(lambda: banzhaf_value(v), repeats)
    print("random 20-player game (2**20 coalitions):")
    print(f"  Shapley value                           {t_sh * 1e3:8.1f} ms")
    print(f"  Banzhaf value                           {t_bv * 1e3:8.1f} ms")
    print(f"  efficiency |sum phi - v(N)|             {abs(phi.sum() - v[-1]):.1e}")

    for n in (10, 14):
        v = rng.random(2**n)
        v[0] = 0.0
        v[1 << np.arange(n)] = 0.0
        v[-1] = 1.0  # a poor grand coalition: an empty core, several programmes
        t_core, res = timed(lambda v=v: core(v), repeats)
        t_nuc, nuc = timed(lambda v=v: nucleolus(v), repeats)
        print(f"random {n}-player game with an empty core (core empty: {res.empty}):")
        print(f"  core (one linear programme)             {t_core * 1e3:8.1f} ms")
        print(f"  nucleolus ({nuc.n_programs} linear programmes)        {t_nuc * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
