"""The command line (`analysis.cli`): help, the options a run's Config is made from, and
one-line errors on bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analysis.cli import build_parser, config_from_args, main
from analysis.config import DEFAULT, PROJ_ROOT, ComputeConfig
from analysis.run_sets import current_set

from .conftest import run_cli, run_python


def cli(*args: str):
    return run_python("-m", "analysis", *args)


def test_help_documents_options():
    out = cli("run", "--help")
    assert out.returncode == 0
    for opt in (
        "--model",
        "--seed",
        "--min-cluster-size",
        "--raw-dir",
        "--output-dir",
        "--force",
        "--engine",
        "--workers",
        "--scheduler",
    ):
        assert opt in out.stdout
    assert "--embed-in-process" not in out.stdout
    assert str(PROJ_ROOT) not in out.stdout  # no machine paths in the help


def config_of(*argv: str):
    return config_from_args(build_parser().parse_args(["run", *argv]))


def test_no_options_is_the_default_config():
    assert config_of() == DEFAULT


def test_engine_options_make_the_compute_config():
    assert config_of("--engine", "dask", "--workers", "2").compute == ComputeConfig("dask", 2)
    many = config_of("--engine", "dask", "--workers", "3", "--oversubscribe").compute
    assert many == ComputeConfig("dask", 3, oversubscribe=True)
    # a scheduler address implies the Dask engine, whatever --engine says
    c = config_of("--scheduler", "tcp://10.0.0.1:8786").compute
    assert c == ComputeConfig("dask", 0, "tcp://10.0.0.1:8786")
    # how a run computes is not one of the parameters that decide its outputs
    assert config_of("--engine", "dask", "--workers", "2").to_dict() == DEFAULT.to_dict()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--engine", "gpu"], "invalid choice: 'gpu'"),
        (["--embed-in-process"], "unrecognized arguments: --embed-in-process"),
        (["--seed", "x"], "invalid int value: 'x'"),
    ],
)
def test_bad_engine_options_are_usage_errors(argv: list[str], message: str, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "-1"], "compute.workers = -1: expected a number from 0 to 1,024"),
        (["--workers", "100"], "compute.workers = 100: this machine has"),
        (["--scheduler", "not-a-url"], "compute.scheduler = 'not-a-url': expected a Dask"),
        (["--scheduler", "tcp://host:99999"], "expected a Dask scheduler address"),
        (["--target-outlier-share", "1.5"], "target_outlier_share = 1.5: expected a number"),
        (["--target-outlier-share", "-0.1"], "target_outlier_share = -0.1: expected a number"),
        (["--target-outlier-share", "nan"], "target_outlier_share = nan: expected a number"),
        (["--target-outlier-share", "inf"], "target_outlier_share = inf: expected a number"),
        (["--consensus-seeds", "100000"], "consensus_seeds = 100000: expected a number from 1"),
        (["--consensus-seeds", "0"], "consensus_seeds = 0: expected a number from 1"),
        (["--min-cluster-size", "1"], "min_cluster_size = 1: expected a number 2 or more"),
    ],
)
def test_out_of_range_options_are_one_line_before_any_work(argv, message, tmp_path: Path):
    """Checked when the config is made, from the ranges its fields declare: nothing is read,
    embedded or written first."""
    out = cli("run", *argv, "--output-dir", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 2
    err = out.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], out.stderr
    assert "entries in" not in out.stdout and not (tmp_path / "out").exists()


@pytest.mark.parametrize("seeds", ["0", "-1", "1000"])
def test_sweep_seeds_are_checked_before_any_work(seeds: str, tmp_path: Path):
    out = cli("sweep", "--seeds", seeds, "--output-dir", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"error: sweep seeds = {int(seeds)}: expected a number from 1 to 100"
    ]
    assert not (tmp_path / "out").exists()


def test_bad_dump_exits_nonzero_with_one_line(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.txt").write_text("new\n\nJul 11\n\nA lonely title\n", encoding="utf-8")
    out = cli("run", "--raw-dir", str(raw), "--output-dir", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 2
    err = out.stderr.strip().splitlines()
    assert err == [
        "error: broken.txt:5: title 'A lonely title' has no abstract: the file ends (truncated?)"
    ]
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_raw_dir_is_one_line(tmp_path: Path):
    out = cli("run", "--raw-dir", str(tmp_path / "nope"), "--output-dir", str(tmp_path / "o"))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "no such folder" in out.stderr


def test_bad_model_is_one_line_error(tmp_path: Path):
    res = run_cli(tmp_path, "--model", str(tmp_path / "no-model"))
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "nothing is downloaded" in res.stderr


def test_an_unwritable_output_is_one_line_before_any_work(tmp_path: Path):
    (tmp_path / "file").write_text("")
    cases = [
        (["--output-dir", str(tmp_path / "file")], "output folder", "is a file, not a folder"),
        (["--figures-dir", str(tmp_path / "file")], "figures folder", "is a file, not a folder"),
        (["--output-dir", str(tmp_path / "file" / "sub")], "output folder", "is not writable"),
    ]
    if Path("/sys").is_dir():  # a folder nobody may create files in, root included
        cases.append((["--output-dir", "/sys/analysis-out"], "output folder", "not writable"))
    for args, what, why in cases:
        extra = [] if "--output-dir" in args else ["--output-dir", str(tmp_path / "o")]
        out = cli("run", *args, *extra, "--quiet")
        assert out.returncode == 2, out.stderr
        err = out.stderr.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: {what} ") and why in err[0], err
        assert "embedded" not in out.stdout  # refused before loading or embedding anything


@pytest.mark.slow
def test_skipped_dumps_are_recorded_apart_and_fixing_one_is_noticed(run_a: Path, tmp_path: Path):
    import json
    import shutil

    from analysis.artifacts import run_differences
    from analysis.config import RAW_DIR

    from .conftest import copy_caches

    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    (raw / "999_bad.txt").write_text("new\n\nJul 11\n\nA lonely title\n", encoding="utf-8")
    out = tmp_path / "out"
    copy_caches(run_a, out)
    one_fit = ("--consensus-seeds", "1")  # quick: the themes are not what is tested here
    res = run_cli(out, "--raw-dir", str(raw), "--no-figures", "--skip-bad-dumps", *one_fit)
    assert res.returncode == 0, res.stderr
    meta = json.loads((current_set(out) / "run.json").read_text())
    assert "999_bad.txt" not in meta["inputs"] and len(meta["inputs"]) == 5
    assert list(meta["skipped_dumps"]) == ["999_bad.txt"]
    assert "has no abstract" in meta["skipped_dumps"]["999_bad.txt"]["reason"]
    cfg = DEFAULT.replace(
        raw_dir=raw,
        processed_dir=out,
        figures_dir=out / "figures",
        cluster=dataclasses.replace(DEFAULT.cluster, consensus_seeds=1),
    )
    assert run_differences(cfg) == []  # the same folder, the dump still bad: nothing to redo
    (raw / "999_bad.txt").write_text("new\n\nJul 11\n\nA title\n\nIts abstract.\n")
    assert run_differences(cfg) == ["dumps changed since: 999_bad.txt"]
