"""MPI launch self-test: ``<launcher> -n P python -m spinsweep.workflow.mpi_check OUT.json``.

Checks that P ranks start as one MPI world (sum of ranks by allreduce, host names by gather) and that the
mpi4py build and the MPI library agree; rank 0 writes what it found.  Rule ``mpi_selftest`` runs it through
the same ``tasks``/``mpi`` resources as the physics MPI rules, so a site can test its launcher in seconds.
"""

from __future__ import annotations

import json
import socket
import sys


def main(out: str) -> int:
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    total = comm.allreduce(rank)
    hosts = comm.gather(socket.gethostname(), root=0)
    if total != size * (size - 1) // 2:
        raise SystemExit(f"rank {rank}: allreduce gave {total}, expected {size * (size - 1) // 2}")
    if rank == 0:
        report = {"ranks": size, "hosts": hosts, "allreduce_ok": True,
                  "mpi_library": MPI.Get_library_version().strip().splitlines()[0],
                  "mpi4py": __import__("mpi4py").__version__}
        with open(out, "w") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
