"""Run the benchmarks: ``python -m bench [--quick] [--only engine,api,export,db]``."""

import os

# Single-threaded BLAS before NumPy loads: every figure is per process, and the
# machine's cores are shared with gunicorn and the load generator.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from bench.runner import main  # noqa: E402

raise SystemExit(main())
