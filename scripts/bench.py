#!/usr/bin/env python3
"""Whole-process timing of `stackc check` and `stackc build` on generated
N-node stacks (scripts/gen_stack.py): the best wall time of RUNS runs and the
peak RSS of the process. Per-stage figures: `cargo bench --bench pipeline`.

    python3 scripts/bench.py                 # N = 100 1000 10000 50000
    RUNS=20 python3 scripts/bench.py 200     # the editor case

"bad" is `build` of the same stack with one error at its very end (an
address outside its network): rejecting it must not be slower than
compiling the valid one.
"""
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("STACKC", os.path.join(ROOT, "target", "release", "stackc"))
STRAY = 'node "stray" {\n  roles = [worker]\n  network = network.net0\n  ip = 192.168.0.1\n}\n'


def run(args):
    """Wall seconds and exit code of one run."""
    start = time.perf_counter()
    status = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - start, status


def peak_mb(args):
    """Peak RSS of the process, from /usr/bin/time (a forked Python child
    would count the interpreter's own pages)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr
    return int(out.strip().splitlines()[-1]) / 1024


def best(args, runs):
    results = [run(args) for _ in range(runs)]
    return min(r[0] for r in results), peak_mb(args), results[-1][1]


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10000, 50000]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print(f"machine: {os.cpu_count()} cores, {cpu()}")
    print(f"{'nodes':>7} {'check ms':>9} {'check MB':>9} {'build ms':>9} {'build MB':>9} {'bad ms':>8}")
    with tempfile.TemporaryDirectory() as work:
        for n in sizes:
            runs = int(os.environ.get("RUNS", "20" if n <= 1000 else "5"))
            stack = os.path.join(work, "n.stack")
            bad = os.path.join(work, "bad.stack")
            text = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_stack.py"), str(n)],
                                  check=True, capture_output=True, text=True).stdout
            with open(stack, "w") as f:
                f.write(text)
            with open(bad, "w") as f:
                f.write(text + STRAY)
            ct, cm, cs = best([BIN, "check", stack], runs)
            bt, bm, bs = best([BIN, "build", stack, "-o", os.path.join(work, "out")], runs)
            et, _, es = best([BIN, "build", bad, "-o", os.path.join(work, "bad-out")], runs)
            assert cs == 0 and bs == 0 and es == 1, (cs, bs, es)
            print(f"{n:>7} {ct * 1e3:>9.1f} {cm:>9.1f} {bt * 1e3:>9.1f} {bm:>9.1f} {et * 1e3:>8.1f}")


if __name__ == "__main__":
    main()
