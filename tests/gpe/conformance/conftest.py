"""The conformance suite (in the manner of ubermag's micromagnetictests): the same physics checks run against
every back end of the GPE solver -- serial, threaded batch, MPI with 2 and 3 ranks.

MPI ranks exchange data twice per FFT (the slab transposes), and on a 2-core machine 2 or 3 ranks spend most of
their time waiting for each other, so the MPI back ends run each check on its representative case (the others
skip with that reason; ``mpi_subset``).  The ``backend`` fixture hands a check an object with ``trajectories(jobs)`` (see conformance_backends.py).  MPI
back ends need ``mpiexec``: they skip on a laptop without it and FAIL under CI=true (tests/conftest.py's
``require``).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # gpe_helpers

from conformance_backends import MPI, Serial, ThreadedBatch  # noqa: E402
from gpe_helpers import mpiexec_or_skip  # noqa: E402

BACKENDS = ["serial", "threaded", pytest.param("mpi2", marks=pytest.mark.mpi),
            pytest.param("mpi3", marks=pytest.mark.mpi)]


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request):
    if request.param == "serial":
        return Serial()
    if request.param == "threaded":
        return ThreadedBatch()
    return MPI(int(request.param[-1]), mpiexec_or_skip())

