"""Streaming output, resume, and identical results across executors."""

from __future__ import annotations

import functools
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

import dealsim
from dealsim.cli import main
from dealsim.errors import DealsimError
from dealsim.uncertainty import shutdown_workers
from dealsim.uncertainty._runner import read_records, run_batches, run_blocks
from dealsim.uncertainty.montecarlo import monte_carlo, summarise_samples

THRESHOLD = Path(__file__).parents[1] / "data" / "threshold.toml"


def _squares(start: int, stop: int, *, fail_at: int | None = None) -> list[dict]:
    if fail_at is not None and start <= fail_at < stop:
        raise KeyboardInterrupt  # what Ctrl-C does in the middle of a run
    return [{"i": i, "y": i * i, "nested": {"half": i / 2}} for i in range(start, stop)]


@pytest.fixture(scope="module")
def threshold():
    return dealsim.load(THRESHOLD)


def test_records_come_back_in_index_order():
    records = run_batches(_squares, 7, key="i", header={}, batch=3)
    assert [r["y"] for r in records] == [0, 1, 4, 9, 16, 25, 36]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_interrupted_run_keeps_finished_batches_and_resume_completes_it(tmp_path, suffix):
    full, part = tmp_path / f"full{suffix}", tmp_path / f"part{suffix}"
    run_batches(_squares, 10, key="i", header={"seed": 3}, batch=3, output=full)
    with pytest.raises(KeyboardInterrupt):
        run_batches(
            functools.partial(_squares, fail_at=7),
            10,
            key="i",
            header={"seed": 3},
            batch=3,
            output=part,
        )
    _, kept = read_records(part)
    assert [r["i"] for r in kept] == [0, 1, 2, 3, 4, 5]  # batches 0-2 and 3-5 finished
    records = run_batches(_squares, 10, key="i", header={"seed": 3}, batch=3, output=part,
                          resume=True)  # fmt: skip
    assert part.read_bytes() == full.read_bytes()
    assert [r["nested"]["half"] for r in records] == [i / 2 for i in range(10)]


def test_resume_drops_a_half_written_last_line(tmp_path):
    full, part = tmp_path / "full.jsonl", tmp_path / "part.jsonl"
    run_batches(_squares, 6, key="i", header={}, batch=2, output=full)
    lines = full.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:3]) + lines[3][:7])  # header, two records, a broken third
    run_batches(_squares, 6, key="i", header={}, batch=2, output=part, resume=True)
    assert part.read_bytes() == full.read_bytes()


def test_resume_refuses_a_file_of_another_run(tmp_path):
    out = tmp_path / "run.jsonl"
    run_batches(_squares, 4, key="i", header={"seed": 1}, batch=2, output=out)
    with pytest.raises(DealsimError, match="cannot resume: seed is 1 in the file but 2"):
        run_batches(_squares, 4, key="i", header={"seed": 2}, batch=2, output=out, resume=True)
    with pytest.raises(DealsimError, match="cannot resume: total is 4 in the file but 5"):
        run_batches(_squares, 5, key="i", header={"seed": 1}, batch=2, output=out, resume=True)


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "run.jsonl"
    out.write_text("precious\n")
    with pytest.raises(DealsimError, match="already exists; pass --force"):
        run_batches(_squares, 2, key="i", header={}, batch=1, output=out)
    assert out.read_text() == "precious\n"
    run_batches(_squares, 2, key="i", header={}, batch=1, output=out, force=True)
    assert read_records(out)[1][1]["y"] == 1


def test_output_must_be_jsonl_or_csv(tmp_path):
    with pytest.raises(DealsimError, match=r"must end in \.jsonl"):
        run_batches(_squares, 2, key="i", header={}, batch=1, output=tmp_path / "x.json")


def test_same_seed_gives_identical_numbers_with_one_and_two_workers(threshold, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    a = monte_carlo(threshold, samples=600, seed=8, workers=1, batch=100, output=one)
    b = monte_carlo(threshold, samples=600, seed=8, workers=2, batch=100, output=two)
    assert a.to_dict() == b.to_dict()
    assert one.read_bytes() == two.read_bytes()


def test_montecarlo_resume_gives_the_file_of_an_uninterrupted_run(threshold, tmp_path):
    full, part = tmp_path / "full.jsonl", tmp_path / "part.jsonl"
    whole = monte_carlo(threshold, samples=500, seed=4, workers=1, batch=100, output=full)
    lines = full.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:201]))  # header and samples 0-199: an interrupted run
    resumed = monte_carlo(
        threshold, samples=500, seed=4, workers=1, batch=100, output=part, resume=True
    )
    assert part.read_bytes() == full.read_bytes()
    assert resumed.to_dict() == whole.to_dict()
    header = json.loads(lines[0])["header"]
    assert (header["seed"], header["samples"]) == (4, 500)
    assert header["scenario_sha256"] == threshold.sha256 and "dealsim_version" in header


def test_montecarlo_resume_checks_the_sample_count(threshold, tmp_path):
    out = tmp_path / "run.csv"
    monte_carlo(threshold, samples=50, seed=4, workers=1, output=out)
    with pytest.raises(DealsimError, match="samples is 50 in the file but 60"):
        monte_carlo(threshold, samples=60, seed=4, workers=1, output=out, resume=True)


def test_cli_streams_records_to_a_csv_file(tmp_path, capsys):
    out = tmp_path / "mc.csv"
    argv = ["montecarlo", str(THRESHOLD), "--samples", "40", "--seed", "2", "--workers", "1",
            "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert "P(agreement zone non-empty)" in capsys.readouterr().out
    header, records = read_records(out)
    assert header["seed"] == 2 and [r["sample"] for r in records] == list(range(40))
    assert main(argv) == 2  # the file exists now
    assert "already exists" in capsys.readouterr().err


def test_dask_cluster_gives_the_local_results(threshold):
    distributed = pytest.importorskip("distributed")
    local = monte_carlo(threshold, samples=300, seed=6, workers=1, batch=100)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = monte_carlo(threshold, samples=300, seed=6, batch=100, scheduler=client)
    assert remote.to_dict() == local.to_dict()


class _SquareBlock:
    """A task's records as one object (a RecordBlock): built only when asked for."""

    def __init__(self, start: int, stop: int):
        self.start, self.stop, self.built = start, stop, False

    def __len__(self) -> int:
        return self.stop - self.start

    def records(self) -> list[dict]:
        self.built = True
        return _squares(self.start, self.stop)


def test_record_blocks_are_written_and_returned_as_their_records(tmp_path):
    out = tmp_path / "run.jsonl"
    records = run_batches(_SquareBlock, 7, key="i", header={}, batch=3, output=out)
    assert [r["y"] for r in records] == [0, 1, 4, 9, 16, 25, 36]
    assert [r["y"] for r in read_records(out)[1]] == [0, 1, 4, 9, 16, 25, 36]


def test_run_blocks_hands_back_blocks_unbuilt_without_an_output_file():
    resumed, results = run_blocks(_SquareBlock, 7, key="i", header={}, batch=3)
    assert resumed == {}
    assert [(start, len(block)) for start, block in results] == [(0, 3), (3, 3), (6, 1)]
    assert not any(block.built for _, block in results)


def test_montecarlo_summary_of_its_run_file_equals_the_run(threshold, tmp_path):
    out = tmp_path / "run.jsonl"
    result = monte_carlo(threshold, samples=300, seed=5, workers=2, batch=100, output=out)
    _, records = read_records(out)
    again = summarise_samples(threshold, records, seed=5)
    assert again.to_dict() == result.to_dict()
    assert again.table.keys() == result.table.keys()
    for name, column in result.table.items():
        assert np.array_equal(again.table[name], column, equal_nan=column.dtype.kind == "f")


# ------------------------------------------------------------------ kept worker processes


def _pids(start: int, stop: int, *, fail_at: int | None = None) -> list[dict]:
    if fail_at is not None and start <= fail_at < stop:
        raise ValueError(f"task {start} fails")
    time.sleep(0.02)  # long enough that both workers take tasks
    return [{"i": i, "pid": os.getpid()} for i in range(start, stop)]


def _run_pids(workers: int = 2, **task) -> set[int]:
    records = run_batches(
        functools.partial(_pids, **task), 8, key="i", header={}, batch=1, workers=workers
    )
    assert [r["i"] for r in records] == list(range(8))
    return {r["pid"] for r in records}


def test_workers_are_kept_for_the_next_run_with_as_many():
    shutdown_workers()
    first, second = _run_pids(), _run_pids()
    assert os.getpid() not in first
    assert first & second  # the same processes ran both


def test_shutdown_workers_stops_them():
    first = _run_pids()
    shutdown_workers()
    assert not first & _run_pids()


def test_another_number_of_workers_starts_new_ones():
    first = _run_pids(workers=2)
    assert not first & _run_pids(workers=3)
    shutdown_workers()


def test_a_new_import_path_starts_new_workers(tmp_path, monkeypatch):
    first = _run_pids()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not first & _run_pids()


def test_a_failed_run_stops_its_workers_and_the_next_run_starts_new_ones():
    shutdown_workers()
    first = _run_pids()
    with pytest.raises(ValueError, match="task 3 fails"):
        _run_pids(fail_at=3)  # on the kept workers
    assert not first & _run_pids()


def test_runs_at_the_same_time_in_two_threads_each_get_their_workers():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as threads:
        runs = list(threads.map(lambda _: _run_pids(), range(2)))
    assert all(len(pids) >= 1 for pids in runs)  # _run_pids checked every record
