"""
Scaling of the linear algebra core
==================================

An offset-tridiagonal matrix of size ``n`` stores ``3n`` values; its solve and
products take ``O(n)`` operations, against ``O(n^3)`` for a dense LU solve and
``O(n^2)`` for a dense product. Times measured here, while the documentation
is built (so on a shared machine they are noisy; the slopes are what matter).
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from sparsenn.linalg import OffsetTridiagonal


def best_of(fn, repeat=5):
    """Return the shortest of ``repeat`` wall times of ``fn()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


rng = np.random.default_rng(0)
sizes = [2**k for k in range(8, 17, 2)]
rows = []
for n in sizes:
    T = OffsetTridiagonal(
        4 + rng.random(n), rng.random(n - 3), rng.random(n - 5), p=3, q=5
    )
    b = rng.random(n)
    T.solve(b)  # compile / warm up
    solve = best_of(lambda T=T, b=b: T.solve(b))
    matvec = best_of(lambda T=T, b=b: T.matvec(b))
    dense = None
    if n <= 2048:
        A = T.to_dense()
        dense = best_of(lambda A=A, b=b: np.linalg.solve(A, b), repeat=3)
    rows.append((n, solve, matvec, dense))
    shown = "-" if dense is None else f"{dense * 1e3:.3f} ms"
    print(f"n={n:6d}: solve {solve * 1e3:8.3f} ms, matvec {matvec * 1e3:8.3f} ms, "
          f"dense solve {shown}")  # fmt: skip

# %%
# Log-log: slope 1 for the structured solve and product, about 3 (at large
# ``n``) for the dense solve.
fig, ax = plt.subplots()
n = np.array([r[0] for r in rows])
ax.loglog(n, [r[1] for r in rows], "o-", label="OffsetTridiagonal.solve")
ax.loglog(n, [r[2] for r in rows], "s-", label="OffsetTridiagonal.matvec")
dense = [(r[0], r[3]) for r in rows if r[3] is not None]
ax.loglog(*zip(*dense, strict=True), "^-", label="numpy.linalg.solve (dense)")
ax.set_xlabel("n")
ax.set_ylabel("seconds (best of 5)")
ax.legend()
plt.show()
