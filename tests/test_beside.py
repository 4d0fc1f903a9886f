"""Stages that run beside the data pages of a rebuild (generator.build.beside): in one
forked process, each once, and never one whose partitions are a cluster's tasks."""

from __future__ import annotations

import os


def test_a_stage_with_cluster_tasks_stays_in_the_build_process(tmp_path):
    """A forked process cannot use the parent's cluster client: the open-data stage, whose
    per-enterprise files are cluster tasks, never runs beside the pages of a cluster
    build; the search stage, which has none, still may."""
    from generator.build.beside import may_run_beside
    from generator.build.context import BuildContext, active

    settings = {"GONGKAI_PROCESSES": 2}
    run = BuildContext(data_dir=tmp_path, output=tmp_path, published=tmp_path,
                       cache_dir=tmp_path, cluster=object())
    assert may_run_beside(settings, "GONGKAI_OPEN_DATA_BESIDE", False, True, executor_tasks=True)
    with active(run):
        assert not may_run_beside(settings, "GONGKAI_OPEN_DATA_BESIDE", False, True,
                                  executor_tasks=True)
        assert may_run_beside(settings, "GONGKAI_SEARCH_BESIDE", False, True)


def test_stages_beside_the_pages_run_once_each_in_one_process(tmp_path):
    """Offered twice, a stage runs once; every stage offered runs, in order, in one
    process, and waiting for each of them gives its outcome."""
    from generator.build.beside import launch_beside, start_beside, wait_beside

    log = tmp_path / "ran.txt"

    def stage(name: str) -> None:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()}\n")

    context: dict = {}
    start_beside(context, "search", stage, "search")
    start_beside(context, "search", stage, "search")
    start_beside(context, "open-data", stage, "open-data")
    assert not wait_beside(context, "open-data")  # offered, not launched: the caller runs it
    launch_beside(context)
    assert wait_beside(context, "open-data") and wait_beside(context, "search")
    ran = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert [name for name, _ in ran] == ["search", "open-data"]
    assert len({pid for _, pid in ran}) == 1 and ran[0][1] != str(os.getpid())
