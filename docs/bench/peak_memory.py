"""Runs a command and reports the peak memory of its whole process tree, sampled every 0.2 s.

PyTorch's data workers are processes and ours are threads, so a fair comparison sums the tree:
RSS (pages each process has resident; pages shared by forked workers count in each) and PSS (each
shared page divided among its sharers, so the sum is what the tree really holds). Also prints the
peak RSS of the largest single process (VmHWM, exact rather than sampled).

  python3 docs/bench/peak_memory.py -- ./convnext train --config docs/bench/fashion_mnist_64.yaml
"""
import os
import subprocess
import sys
import time


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def tree(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children(p))
    return pids


def field_kib(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    command = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    proc = subprocess.Popen(command)
    peak_rss = peak_pss = peak_hwm = 0
    while proc.poll() is None:
        pids = tree(proc.pid)
        peak_rss = max(peak_rss, sum(field_kib(f"/proc/{p}/status", "VmRSS") for p in pids))
        peak_pss = max(peak_pss, sum(field_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids))
        peak_hwm = max([peak_hwm] + [field_kib(f"/proc/{p}/status", "VmHWM") for p in pids])
        time.sleep(0.2)
    gib = 1024 * 1024
    print(f"peak memory of the process tree: RSS {peak_rss / gib:.2f} GiB, PSS {peak_pss / gib:.2f} GiB;"
          f" largest process VmHWM {peak_hwm / gib:.2f} GiB", file=sys.stderr)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
