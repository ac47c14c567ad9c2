"""Noble tests: one BLAS thread (small matrices; OpenBLAS threads on the shared 2-core host cost 50x)."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
