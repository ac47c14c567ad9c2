"""Preconditions and configuration errors stop before anything runs, naming the key, value and what is allowed."""

import pytest

from spinsweep.solvers.gpe import GPEParams, Grid, get_scheme
from spinsweep.solvers.gpe.run import run
from spinsweep.solvers.gpe.settings import RunSettings
from gpe_helpers import small_trapped


def test_grid_must_resolve_xi_s():
    p = small_trapped(shape=(64,))  # dx = 0.78 > xi_s/2 = 0.2
    with pytest.raises(ValueError, match=r"shape\[0\]=64.*spin healing length"):
        p.check_preconditions(0.001)


def test_box_must_hold_the_cloud():
    p = small_trapped(shape=(256,), box=30.0)  # R_TF = 20 > 0.9 * 15
    with pytest.raises(ValueError, match=r"box\[0\]=30.*Thomas-Fermi radius"):
        p.check_preconditions(0.001)


def test_dt_must_be_small():
    p = small_trapped(shape=(256,))  # mu = 20, dx^2/pi = 0.012
    p.check_preconditions(0.01)
    with pytest.raises(ValueError, match=r"dt=0.02.*split-step stability"):
        p.check_preconditions(0.02)  # the energy blows up at this dt (see test_conservation's numbers)
    with pytest.raises(ValueError, match=r"dt=0.005.*phase per step"):
        small_trapped(shape=(256,), mu=200.0).check_preconditions(0.005)  # mu dt = 1 rad per step


def test_parameter_errors():
    with pytest.raises(ValueError, match="even number of points"):
        GPEParams(shape=(63,), box=(10.0,), g11=1, g22=1, g12=1, omega_R=1, atom_number=1)
    with pytest.raises(ValueError, match="share one length B"):
        GPEParams(shape=(64,), box=(10.0,), g11=[1, 2], g22=1, g12=[1, 2, 3], omega_R=1, atom_number=1)
    with pytest.raises(ValueError, match="batched mode is 1D only"):
        GPEParams(shape=(16, 16), box=(10.0, 10.0), g11=[1, 2], g22=1, g12=1, omega_R=1, atom_number=1)
    with pytest.raises(ValueError, match="scheme='rk4'"):
        get_scheme("rk4")
    with pytest.raises(ValueError, match="slabs must divide the grid"):
        Grid((96, 20), (1.0, 1.0), rank=0, size=3)
    with pytest.raises(ValueError, match="1D runs are not domain-decomposed"):
        Grid((96,), (1.0,), rank=0, size=2)


def test_config_errors(tmp_path):
    """The typed settings repeat the schema's choices for library callers (the CLI validates the schema first,
    tests/gpe/test_settings.py)."""
    with pytest.raises(ValueError, match="config key 'gpe.time.dtt': unknown key"):
        RunSettings.from_mapping({"preset": "paper118", "time": {"dtt": 1}})
    with pytest.raises(ValueError, match="gpe.preset.*'paper999'"):
        RunSettings.from_mapping({"preset": "paper999"})
    with pytest.raises(ValueError, match="initial.protocol"):
        RunSettings.from_mapping({"preset": "paper118", "initial": {"protocol": "magic"}})
    # physics preconditions are checked before the store is touched, naming the key
    with pytest.raises(ValueError, match="config key 'gpe.grid.n_x': .*spin healing length"):
        run(RunSettings.from_mapping({"preset": "paper118", "grid": {"n_x": 256}}), tmp_path / "x.zarr")
    with pytest.raises(ValueError, match="config key 'gpe.time.dt': .*split-step stability"):
        run(RunSettings.from_mapping({"preset": "paper118", "time": {"dt": 0.5}}), tmp_path / "x.zarr")
    assert not (tmp_path / "x.zarr").exists()


def test_store_path_safety(tmp_path):
    (tmp_path / "notastore").mkdir()
    (tmp_path / "notastore" / "precious.txt").write_text("keep me")
    cfg = {"model": {"shape": [288], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": 1.0,
                     "atom_number": 26.67, "trap": [0.316]}, "time": {"dt": 0.008, "t_final": 0.4}}
    cfg = RunSettings.from_mapping(cfg)
    with pytest.raises(ValueError, match="not a zarr store"):
        run(cfg, tmp_path / "notastore")
    assert (tmp_path / "notastore" / "precious.txt").exists()
    # an unfinished store of a different run is not resumed with these parameters
    import zarr
    run(cfg, tmp_path / "a.zarr")
    g = zarr.open_group(tmp_path / "a.zarr", mode="r+")
    g.attrs["complete"] = False  # pretend it was killed
    other = cfg.replace(model=dict(cfg.model, omega_R=2.0))
    with pytest.raises(ValueError, match="different parameters"):
        run(other, tmp_path / "a.zarr")
