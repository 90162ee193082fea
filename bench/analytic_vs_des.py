#!/usr/bin/env python3
"""Analytic tier against the SimGrid tier on random legal DeepSeek-V3 layouts.

  bench/analytic_vs_des.py [build] [--points 200] [--jobs 2] [--seed 1] [--work DIR]

Draws candidate layouts of DeepSeek-V3 pre-training on H800 clusters (cluster
size, PP with a layer split, schedule, EP, comm SMs, node limit, all-to-all
algorithm, global batch, ZeRO stage), keeps the first N that validate
(`moeplan sweep --tier analytic` says which do), simulates those with both
tiers (`--tier both`) and prints: Spearman rank correlation of the step
times, the median and worst |analytic - DES| / DES, where the analytic best
ranks among the DES results, and the largest disagreements.
Uses only the Python standard library.
"""
import argparse, csv, os, random, shutil, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("build", nargs="?", default="build")
ap.add_argument("--points", type=int, default=200)
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--work", default="bench-analytic-vs-des")
ap.add_argument("--candidates", type=int, default=1500)
ap.add_argument("--pairwise-max-ep", type=int, default=32,
                help="largest EP drawn with the pairwise all-to-all: a SimGrid run of pairwise at EP 64 "
                     "(4,032 flows per all-to-all) takes ~6 minutes on a 2-core machine, the rest seconds")
ap.add_argument("--batches", default="1920,3840,7680",
                help="global batches (sequences per 1024 GPUs) to draw from; a SimGrid run's wall time grows with "
                     "the micro-batches per pipeline (~30-80 s at 3840 on a 2-core machine)")
ap.add_argument("--analyze-only", action="store_true",
                help="reuse WORK/points.csv's SimGrid rows (e.g. of a run cut short) and re-estimate them analytically")
a = ap.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(a.work, exist_ok=True)
# Run a copy, so rebuilding the tree meanwhile does not change the binary under the runs.
exe = os.path.join(a.work, "moeplan")
shutil.copy2(os.path.join(a.build, "moeplan"), exe)
env = dict(os.environ, MOEPLAN_EXECUTABLE=os.path.abspath(exe),
           MOEPLAN_DATA_DIR=os.path.join(os.path.abspath(a.build), "share", "moeplan"))

def splits(layers, pp):
    """61 layers over pp stages, the first and last lighter (embedding; head, loss, MTP)."""
    base = layers // pp
    s = [base] * pp
    extra = layers - base * pp
    i = 1
    while extra > 0:
        s[i] += 1; extra -= 1; i = 1 + (i % (pp - 2)) if pp > 2 else (i + 1) % pp
    if pp > 2 and s[-1] > 1 and s[0] == s[1]:
        s[-1] -= 1; s[1] += 1
    return s

rng = random.Random(a.seed)
cands = []
for _ in range(a.candidates):
    nodes = rng.choice([128, 256])
    gpus = nodes * 8
    pp = rng.choice([4, 8, 16])
    dp = gpus // pp
    ep = rng.choice([e for e in (8, 16, 32, 64) if dp % e == 0])
    sched = rng.choice(["1f1b", "zb1p", "dualpipe", "dualpipev", "interleaved"])
    chunks = 2 if sched == "interleaved" else 1
    gb = rng.choice([int(b) for b in a.batches.split(",")]) * (gpus // 1024)
    c = {"topology.nodes": nodes, "plan.pp": pp, "plan.dp": dp, "plan.ep": ep, "plan.schedule": sched,
         "plan.chunks": chunks, "plan.layers_per_stage": splits(61, pp * (2 if sched in ("dualpipev", "interleaved") else 1)),
         "plan.comm_sms": rng.choice([0, 16, 20, 24, 32]), "plan.zero_stage": rng.choice([0, 1]),
         "plan.all_to_all": rng.choice(["hierarchical", "pairwise"] if ep <= a.pairwise_max_ep else ["hierarchical"]),
         "routing.node_limit": rng.choice([0, 2, 4]), "workload.global_batch": gb}
    cands.append(c)

def spec(points, path, tier):
    fields = list(points[0].keys())
    with open(path, "w") as f:
        f.write(f"name: analytic-vs-des\nbase: {root}/scenarios/deepseek-v3-pretrain-2048xH800.yaml\ntier: {tier}\nzip:\n  - ")
        f.write("\n    ".join(f"{k}: {[p[k] for p in points]}".replace("'", "") for k in fields))
        f.write("\n")

def run(path, out, tier):
    if os.path.exists(out): os.remove(out)
    subprocess.run([exe, "sweep", path, "-o", out, "-j", str(a.jobs), "--tier", tier], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    return list(csv.DictReader(open(out)))

t0 = time.time()
if a.analyze_only:
    des_rows = [r for r in csv.DictReader(open(f"{a.work}/points.csv")) if r["tier"] == "des"]
    rows = des_rows + run(f"{a.work}/points.yaml", f"{a.work}/analytic.csv", "analytic")
else:
    spec(cands, f"{a.work}/candidates.yaml", "analytic")
    rows = run(f"{a.work}/candidates.yaml", f"{a.work}/candidates.csv", "analytic")
    ok = [cands[int(r["index"])] for r in sorted(rows, key=lambda r: int(r["index"])) if r["status"] == "ok"]
    print(f"{len(ok)} of {len(cands)} candidates are legal; simulating {min(a.points, len(ok))} both ways", flush=True)
    points = ok[: a.points]
    spec(points, f"{a.work}/points.yaml", "both")
    rows = run(f"{a.work}/points.yaml", f"{a.work}/points.csv", "both")
by = {}
for r in rows:
    by.setdefault(int(r["index"]), {})[r["tier"]] = r
pairs = [(i, float(v["analytic"]["step_time_s"]), float(v["des"]["step_time_s"]), v["des"])
         for i, v in sorted(by.items()) if v.get("analytic", {}).get("status") == "ok" and v.get("des", {}).get("status") == "ok"]
errs = [r for r in rows if r["status"] != "ok"]
def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i]); r = [0] * len(xs)
    for k, i in enumerate(order): r[i] = k
    return r
ra, rd = ranks([p[1] for p in pairs]), ranks([p[2] for p in pairs])
n = len(pairs)
spearman = 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rd)) / (n * (n * n - 1))
rel = sorted(abs(p[1] - p[2]) / p[2] for p in pairs)
best_a = min(range(n), key=lambda i: pairs[i][1])
print(f"\npoints simulated both ways: {n} ({len(errs)} rows not ok), DES wall {time.time() - t0:.0f} s")
print(f"Spearman rank correlation      {spearman:.4f}   (target >= 0.95)")
print(f"median |analytic - DES| / DES  {100 * rel[n // 2]:.2f}%   (target <= 5%)")
print(f"90th percentile / worst        {100 * rel[int(0.9 * n)]:.2f}% / {100 * rel[-1]:.2f}%")
print(f"analytic best is DES rank      {rd[best_a] + 1} of {n}   (target: top 3)")
print("\nlargest disagreements (analytic vs DES step):")
fields = ["plan.schedule", "plan.pp", "plan.ep", "topology.nodes", "plan.comm_sms", "plan.all_to_all",
          "routing.node_limit", "plan.zero_stage", "workload.global_batch"]
for i in sorted(range(n), key=lambda i: -abs(pairs[i][1] - pairs[i][2]) / pairs[i][2])[:8]:
    _, an, de, r = pairs[i]
    print(f"  {100 * (an / de - 1):+6.1f}%  {an:7.3f} s vs {de:7.3f} s  " + " ".join(f"{f.split('.')[-1]}={r[f]}" for f in fields))
