"""OffsetTridiagonal kernels against what a user would pick instead.

Peers, measured in the same run: ``scipy.linalg.solve_banded`` (LAPACK gtsv /
gbsv), LAPACK ``dgtsv`` on the chain-ordered matrix (p = q), LAPACK ``dgbtrf``
for the determinant, SuperLU ``splu``, ``lsmr`` for least squares, dense numpy
where it fits in memory and time.  Times are medians; ratios are peer / ours
(> 1 means ours is faster).  Every solve reports its relative residual.

Usage: ``python benchmarks/bench_tridiag.py [--quick]``
"""

import argparse
import time
from functools import partial

import numpy as np
from _common import machine, table
from _common import median_time as _median_time
from scipy.linalg import lapack, solve_banded
from scipy.sparse.linalg import lsmr, splu

from sparsenn.linalg import OffsetTridiagonal

STRUCTURES = [(1, 1), (3, 3), (2, 5)]
#: statistic over repeats (``--stat``): median by default, min is more robust to load
STAT = [np.median]


def median_time(fn, repeats):
    return _median_time(fn, repeats, stat=STAT[0])


def compare(fns, repeats):
    """Median seconds of each callable, run round-robin so load drifts hit all."""
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(STAT[0](t)) for name, t in times.items()}


def make(n, p, q, rng):
    """Diagonally dominant (well-conditioned) random diagonals."""
    sub, sup = rng.standard_normal(n - p), rng.standard_normal(n - q)
    diag = np.where(rng.random(n) < 0.5, -1, 1) * (2.5 + rng.random(n))
    return diag, sub, sup


def band(diag, sub, sup, p, q):
    ab = np.zeros((p + q + 1, diag.shape[0]))
    ab[q] = diag
    ab[0, q:] = sup
    ab[q + p, : diag.shape[0] - p] = sub
    return ab


def chain_gtsv(diag, sub, sup, k, b):
    """The p = q = k solve a LAPACK-savvy user writes: chain order + one dgtsv."""
    n = diag.shape[0]
    m = -(-n // k)
    grid = np.arange(m * k).reshape(m, k).T.ravel()
    perm = grid[grid < n]
    same = perm[1:] == perm[:-1] + k
    src = np.minimum(perm[:-1], n - k - 1)
    dl = np.where(same, sub[src], 0.0)
    du = np.where(same, sup[src], 0.0)
    x = lapack.dgtsv(dl, diag[perm], du, b[perm])[3]
    out = np.empty_like(x)
    out[perm] = x
    return out


def gbtrf_slogdet(ab, p, q):
    n = ab.shape[1]
    work = np.zeros((2 * p + q + 1, n))
    work[p:] = ab
    lu, ipiv, _ = lapack.dgbtrf(work, p, q)
    u = lu[p + q]
    swaps = np.count_nonzero(ipiv != np.arange(n))
    sign = (-1) ** ((swaps + np.count_nonzero(u < 0)) % 2)
    return sign, np.sum(np.log(np.abs(u)))


def banded_solve(diag, sub, sup, p, q, b):
    return solve_banded((p, q), band(diag, sub, sup, p, q), b)


def banded_slogdet(diag, sub, sup, p, q):
    return gbtrf_slogdet(band(diag, sub, sup, p, q), p, q)


def fmt(seconds):
    if seconds is None:
        return "–"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def ratio(peer, ours):
    return "–" if peer is None else f"{peer / ours:.3g}x"


def bench_solve_slogdet(sizes, repeats, dense_max):
    rows, scaling = [], {}
    for p, q in STRUCTURES:
        for n in sizes:
            rng = np.random.default_rng(n)
            diag, sub, sup = make(n, p, q, rng)
            b = rng.standard_normal(n)
            r = repeats if n < 10**6 else max(3, repeats // 2)

            build = partial(OffsetTridiagonal, diag, sub, sup, p=p, q=q)
            A = build()
            x = A.solve(b)
            resid = np.linalg.norm(A @ x - b) / np.linalg.norm(b)
            fns = {
                "solve": lambda build=build, b=b: build().solve(b),
                "slogdet": lambda build=build: build().slogdet(),
                # the peers start from the same three diagonals: build ab, then call
                "band": partial(banded_solve, diag, sub, sup, p, q, b),
                "gb": partial(banded_slogdet, diag, sub, sup, p, q),
            }
            if p == q:
                fns["gt"] = partial(chain_gtsv, diag, sub, sup, p, b)
            t = compare(fns, r)
            S = A.tosparse("csc")
            t["splu"] = median_time(lambda S=S, b=b: splu(S).solve(b), max(1, r // 2))
            if n <= dense_max:
                M = A.to_dense()
                t["dense"] = median_time(partial(np.linalg.solve, M, b), 3)
                t["dense_det"] = median_time(partial(np.linalg.slogdet, M), 3)
            t_solve, t_det, t_band = t["solve"], t["slogdet"], t["band"]
            t_gt, t_gb, t_splu = t.get("gt"), t["gb"], t["splu"]
            t_dense, t_dense_det = t.get("dense"), t.get("dense_det")
            scaling.setdefault((p, q), []).append((n, t_solve, t_det, t_band))
            rows.append(
                [f"({p},{q})", n, fmt(t_solve), f"{resid:.1e}", ratio(t_band, t_solve),
                 ratio(t_gt, t_solve), ratio(t_splu, t_solve), ratio(t_dense, t_solve),
                 fmt(t_det), ratio(t_gb, t_det), ratio(t_band, t_det),
                 ratio(t_dense_det, t_det)]
            )  # fmt: skip
    headers = [
        "(p,q)", "n", "solve", "resid", "vs solve_banded", "vs chain dgtsv",
        "vs splu", "vs dense solve", "slogdet", "vs dgbtrf slogdet",
        "vs solve_banded", "vs dense slogdet",
    ]  # fmt: skip
    return table(rows, headers), scaling


def exponents(scaling):
    rows = []
    for (p, q), pts in scaling.items():
        n, ts, td, tb = (np.array(c, dtype=float) for c in zip(*pts, strict=True))
        if n.size < 2:
            continue
        es, ed, eb = (np.polyfit(np.log(n), np.log(t), 1)[0] for t in (ts, td, tb))
        rows.append(
            [f"({p},{q})", f"{int(n[0])}..{int(n[-1])}", f"{es:.2f}", f"{ed:.2f}",
             f"{eb:.2f}"]
        )  # fmt: skip
    return table(
        rows,
        [
            "(p,q)",
            "n range",
            "solve exponent",
            "slogdet exponent",
            "solve_banded exponent (same run)",
        ],
    )


def bench_inv(sizes, repeats):
    rows = []
    for p, q in STRUCTURES:
        for n in sizes:
            rng = np.random.default_rng(n + 1)
            diag, sub, sup = make(n, p, q, rng)
            A = OffsetTridiagonal(diag, sub, sup, p=p, q=q)
            ab, M = band(diag, sub, sup, p, q), A.to_dense()
            build = partial(OffsetTridiagonal, diag, sub, sup, p=p, q=q)
            t_ours = median_time(lambda build=build: build().inv(), repeats)
            t_band = median_time(partial(solve_banded, (p, q), ab, np.eye(n)), 3)
            t_dense = median_time(partial(np.linalg.inv, M), 3)
            err = np.abs(A.inv() @ M - np.eye(n)).max()
            rows.append([f"({p},{q})", n, fmt(t_ours), f"{err:.1e}",
                         ratio(t_band, t_ours), ratio(t_dense, t_ours)])  # fmt: skip
    headers = [
        "(p,q)",
        "n",
        "inv",
        "max abs(inv A - I)",
        "vs solve_banded(eye)",
        "vs dense inv",
    ]
    return table(rows, headers)


def bench_lstsq(sizes, repeats, dense_max, alpha=0.1):
    rows = []
    for p, q in STRUCTURES:
        for n in sizes:
            rng = np.random.default_rng(n + 2)
            diag, sub, sup = (
                rng.standard_normal(n),
                rng.standard_normal(n - p),
                rng.standard_normal(n - q),
            )
            A = OffsetTridiagonal(diag, sub, sup, p=p, q=q)
            b = rng.standard_normal(n)
            r = repeats if n < 10**6 else max(3, repeats // 2)
            build = partial(OffsetTridiagonal, diag, sub, sup, p=p, q=q)
            t_ours = median_time(
                lambda build=build, b=b: build().lstsq(b, alpha=alpha), r
            )
            x = A.lstsq(b, alpha=alpha)
            grad = A.rmatvec(A @ x - b) + alpha * x  # optimality: zero gradient
            S = A.tosparse("csr")
            kw = dict(damp=np.sqrt(alpha), atol=1e-12, btol=1e-12)
            t_lsmr = median_time(partial(lsmr, S, b, **kw), 1)
            t_dense = None
            if n <= dense_max:
                M = A.to_dense()
                aug = np.vstack([M, np.sqrt(alpha) * np.eye(n)])
                rhs = np.concatenate([b, np.zeros(n)])
                t_dense = median_time(partial(np.linalg.lstsq, aug, rhs), 1)
            rows.append([f"({p},{q})", n, fmt(t_ours), f"{np.abs(grad).max():.1e}",
                         ratio(t_lsmr, t_ours), ratio(t_dense, t_ours)])  # fmt: skip
    headers = ["(p,q)", "n", f"lstsq(alpha={alpha})", "max abs(gradient)",
               "vs lsmr(damp)", "vs dense lstsq"]  # fmt: skip
    return table(rows, headers)


def bench_minnorm(n, repeats):
    """Singular, pruned: minimum-norm least squares (alpha = 0)."""
    rows = []
    for p, q in STRUCTURES:
        rng = np.random.default_rng(7)
        diag = rng.standard_normal(n)
        diag[rng.random(n) < 0.05] = 0.0
        sub = rng.standard_normal(n - p) * (rng.random(n - p) < 0.5)
        sup = rng.standard_normal(n - q) * (rng.random(n - q) < 0.5)
        A = OffsetTridiagonal(diag, sub, sup, p=p, q=q)
        M, b = A.to_dense(), rng.standard_normal(n)
        build = partial(OffsetTridiagonal, diag, sub, sup, p=p, q=q)
        t_ours = median_time(lambda build=build, b=b: build().lstsq(b), repeats)
        t_dense = median_time(partial(np.linalg.lstsq, M, b), 1)
        t_pinv = median_time(lambda M=M, b=b: np.linalg.pinv(M) @ b, 1)
        ref = np.linalg.lstsq(M, b)[0]
        err = np.linalg.norm(A.lstsq(b) - ref) / np.linalg.norm(ref)
        rank = np.linalg.matrix_rank(M)
        rows.append([f"({p},{q})", n, rank, fmt(t_ours), f"{err:.1e}",
                     ratio(t_dense, t_ours), ratio(t_pinv, t_ours)])  # fmt: skip
    headers = ["(p,q)", "n", "rank", "lstsq (min-norm)", "rel. diff vs numpy",
               "vs dense lstsq", "vs dense pinv @ b"]  # fmt: skip
    return table(rows, headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--stat", choices=["median", "min"], default="median")
    parser.add_argument(
        "--solve-only", action="store_true", help="only solve/slogdet and exponents"
    )
    args = parser.parse_args()
    STAT[0] = {"median": np.median, "min": np.min}[args.stat]
    if args.quick:
        sizes, inv_sizes, repeats, minnorm_n = [1000, 4000, 10**4], [500, 1000], 3, 300
    else:
        sizes = [1000, 4000, 10**4, 10**5, 10**6]
        inv_sizes, repeats, minnorm_n = [1000, 4000], 7, 1000
    print(f"# bench_tridiag ({machine()}; statistic: {args.stat})\n")
    OffsetTridiagonal([2.0, 2, 2], [1.0, 1], [1.0, 1], p=1, q=1).solve(np.ones(3))
    print(
        "## solve and slogdet (diagonally dominant; every column starts from the "
        "three diagonals: ours builds the object, band peers build ab)\n"
    )
    solve_table, scaling = bench_solve_slogdet(sizes, repeats, dense_max=4000)
    print(solve_table, "\n")
    print("## scaling exponents (log-log fit of time against n)\n")
    print(exponents(scaling), "\n")
    if args.solve_only:
        return
    print("## explicit inverse (dense n x n output)\n")
    print(bench_inv(inv_sizes, 3), "\n")
    print("## ridge least squares (standard-normal, not dominant)\n")
    print(bench_lstsq(sizes, repeats, dense_max=1000), "\n")
    print("## minimum-norm least squares on singular pruned matrices\n")
    print(bench_minnorm(minnorm_n, 3))


if __name__ == "__main__":
    main()
