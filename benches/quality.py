#!/usr/bin/env python3
"""Ranking quality: how well the day's list (proxy_scores) finds labelled malware, for [rank] mode "spot" and
"evidence" (BENCHMARKS.md, "Ranking quality").

The day: the demo generator's synthetic day of benign browsing (`proxy-oa demo --rows N`, which also plants three
synthetic infected clients), plus RITA's real proxy-beacon capture (tests/fixtures/rita/, GPL-3.0: one infected
client beaconing through a Squid proxy) moved in time so that its last 24 hours end at the day's last second. Both
are read as one raw day (`--raw` the Blue Coat log and the Zeek folder). SigmaHQ's proxy rules
(tests/fixtures/sigma/, DRL 1.1) are imported first, as a site would.

For each mode it prints, for the top N rows of the list: precision (rows of infected clients / N), recall (infected
clients with a row in the top N / infected clients), and the place of the first row of each infected client.

    python3 benches/quality.py --bin target/release/proxy-oa [--rows 200000] [--top 100]
"""

import argparse
import os
import subprocess
import sys
import tempfile

DAY = "20161211"
DAY_END = 1481500799  # 2016-12-11 23:59:59 UTC
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Every infected client of the day and what it does.
INFECTED = {
    "10.136.0.18": "RITA's proxy beacon (real capture): CONNECT to www.honestimnotevil.com every ~5 min",
    "10.1.5.23": "demo (synthetic): POSTs to generated domains, an old MSIE agent",
    "10.2.1.77": "demo (synthetic): POSTs to generated domains, an old MSIE agent",
    "10.1.3.45": "demo (synthetic): night-time uploads to a paste site with curl",
}


def run(args, **kw):
    out = subprocess.run(args, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


def shift_zeek(src, dst):
    """RITA's logs with every `ts` moved so that the capture's last connection is the day's last second."""
    os.makedirs(dst, exist_ok=True)
    texts = {name: open(os.path.join(src, name)).read().splitlines() for name in ("http.log", "conn.log")}
    last = max(float(l.split("\t")[0]) for t in texts.values() for l in t if not l.startswith("#"))
    shift = DAY_END - int(last)
    for name, lines in texts.items():
        with open(os.path.join(dst, name), "w") as f:
            for l in lines:
                if not l.startswith("#"):
                    ts, rest = l.split("\t", 1)
                    l = f"{float(ts) + shift:.6f}\t{rest}"
                f.write(l + "\n")


def measure(binary, ws, raw, mode, top):
    cfg = os.path.join(ws, f"{mode}.toml")
    with open(cfg, "w") as f:
        # Every row ranked (threshold 1): the list is the model's lowest `top` scores, not only those under
        # spot-ml's 1e-6 (which a day this size may not have).
        f.write(f'[pipeline]\nlimit = {top}\n[rank]\nmode = "{mode}"\nthreshold = 1.0\n')
    run([binary, "--workspace", ws, "--config", cfg, "run", "--date", DAY, "--offline"] + sum([["--raw", r] for r in raw], []))
    rows = run([binary, "--workspace", ws, "show", "--date", DAY, "--table", "proxy_scores"]).splitlines()[1:]
    clients = [r.split("\t")[2] for r in rows]
    hits = sum(1 for c in clients if c in INFECTED)
    hits10 = sum(1 for c in clients[:10] if c in INFECTED)
    found = {c: clients.index(c) + 1 for c in INFECTED if c in clients}
    for r in rows[:10]:
        f = r.split("\t")
        print(f"  {mode} {f[26]:>3} {f[2]:<15} {f[3]:<28} {f[27]}", file=sys.stderr)
    return len(clients), hits, hits10, found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/proxy-oa"))
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--top", type=int, default=100)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="proxy-oa-quality-") as ws:
        run([a.bin, "--workspace", ws, "demo", "--rows", str(a.rows)])
        run([a.bin, "--workspace", ws, "sigma", "import", os.path.join(ROOT, "tests/fixtures/sigma/rules")])
        shift_zeek(os.path.join(ROOT, "tests/fixtures/rita/proxy"), os.path.join(ws, "rita"))
        raw = [os.path.join(ws, "demo", f"proxy-{DAY}.log"), os.path.join(ws, "rita")]
        print(f"day: {a.rows} synthetic benign rows (demo generator) + RITA's capture; top {a.top}\n")
        print("| mode | rows | precision@10 | precision@top | recall (infected clients in top) | first row of each "
              "infected client |")
        print("|---|---:|---:|---:|---:|---|")
        for mode in ("spot", "evidence"):
            n, hits, hits10, found = measure(a.bin, ws, raw, mode, a.top)
            places = ", ".join(f"{c}: {found[c]}" if c in found else f"{c}: -" for c in INFECTED)
            print(f"| {mode} | {n} | {hits10 / 10:.1f} ({hits10}/10) | {hits / max(n, 1):.2f} ({hits}/{n}) | "
                  f"{len(found) / len(INFECTED):.2f} ({len(found)}/{len(INFECTED)}) | {places} |")


if __name__ == "__main__":
    main()
