"""Every path and parameter (`analysis.config`): what a run records, and what it leaves out."""

from __future__ import annotations

from pathlib import Path

from analysis.config import DEFAULT, ENGINES, ComputeConfig, Config


def test_to_dict_records_parameters_not_how_they_were_computed():
    params = DEFAULT.to_dict()
    assert params["cluster.random_state"] == DEFAULT.cluster.random_state
    assert params["embed.precision"] == "float64"
    assert not any(k.startswith("compute") for k in params)
    dask = DEFAULT.replace(compute=ComputeConfig("dask", 4, "tcp://10.0.0.1:8786"))
    assert dask.to_dict() == params


def test_paths_are_recorded_without_the_machine_part(tmp_path: Path):
    assert DEFAULT.to_dict()["raw_dir"] == str(Path("data") / "raw")
    outside = Config(processed_dir=tmp_path / "out").to_dict()
    assert outside["processed_dir"] == "out"  # outside the project: its name only


def test_default_engine_is_in_process():
    assert ENGINES == ("in-process", "dask")
    assert DEFAULT.compute == ComputeConfig() == ComputeConfig("in-process", 0, None)
