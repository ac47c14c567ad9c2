"""Every performance ratio of the GPE and the workflow (issue 13) in one run: the three benchmarks in turn.

    python benchmarks/performance.py            # bench_gpe (all sections), bench_gpe_peers, bench_workflow
    python benchmarks/performance.py --quick    # their smoke runs: bench_gpe --quick, peers --quick, workflow
                                                 #   with one repeat

What each prints (every ratio is taken within one script run, its two sides interleaved; the load average is
printed beside them; each script also keeps its lines in benchmarks/results/):

* ``bench_gpe.py``: 1D/2D/3D step / fastest FFT pair (with the kernels' roofline), ``Propagator.advance()``
  per-call overhead in 3D, batched 1D one-at-a-time / together (per step, with the roofline cap, and end to
  end), observables share of a run, 3D one rank / two ranks;
* ``bench_gpe_peers.py``: plain numpy split step and pygpe (when installed) / spinsweep per step;
* ``bench_workflow.py``: no-change ``spinsweep run``, dry run, forced tiny job and the per-job overhead, the
  store check (``--workdir DIR`` is passed on: a finished default sweep to time as well).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke runs only (numbers indicative)")
    ap.add_argument("--workdir", type=Path, default=None, help="passed on to bench_workflow.py")
    args = ap.parse_args()
    runs = [["bench_gpe.py", *(["--quick"] if args.quick else [])],
            ["bench_gpe_peers.py", *(["--quick"] if args.quick else [])],
            ["bench_workflow.py", *(["--repeat", "1"] if args.quick else []),
             *(["--workdir", str(args.workdir)] if args.workdir else [])]]
    for script, *options in runs:
        print(f"\n## {script} {' '.join(options)}".rstrip(), flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), *options])
        if code:
            print(f"## {script} failed with exit code {code}", flush=True)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
