"""Compare two GPE stores array by array (and the checkpoint): prints EQUAL when every array is bitwise equal."""
import sys, numpy as np, zarr
a, b = sys.argv[1], sys.argv[2]
ga, gb = zarr.open_group(a, mode="r"), zarr.open_group(b, mode="r")
names = sorted(n for n, _ in ga.arrays())
bad = []
for n in names:
    x, y = ga[n][...], gb[n][...]
    if not np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"):
        bad.append(n)
ck = sorted(n for n, _ in ga["checkpoint"].arrays())
for n in ck:
    if not np.array_equal(ga["checkpoint"][n][...], gb["checkpoint"][n][...]): bad.append("checkpoint/"+n)
print(f"{a} vs {b}: {len(names)} arrays + checkpoint; bitwise {'EQUAL' if not bad else 'DIFFER: ' + str(bad)}")
