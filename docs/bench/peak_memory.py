"""Runs a command and reports the peak memory of its whole process tree, sampled every 0.2 s.

PyTorch's data workers are processes and ours are threads, so a fair comparison sums the tree:
RSS (pages each process has resident; pages shared by forked workers count in each) and PSS (each
shared page divided among its sharers, so the sum is what the tree really holds). Also prints the
peak RSS of the largest single process (VmHWM, exact rather than sampled).

  python3 docs/bench/peak_memory.py [--trace FILE] -- ./convnext train --config docs/bench/fashion_mnist_64.yaml

--trace writes one line per second: seconds since the start, tree RSS and PSS in MiB.
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
    args = sys.argv[1:sys.argv.index("--")] if "--" in sys.argv else []
    command = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    trace = open(args[args.index("--trace") + 1], "w") if "--trace" in args else None
    start = time.monotonic()
    last_traced = -1
    proc = subprocess.Popen(command)
    peak_rss = peak_pss = peak_hwm = 0
    while proc.poll() is None:
        pids = tree(proc.pid)
        rss = sum(field_kib(f"/proc/{p}/status", "VmRSS") for p in pids)
        pss = sum(field_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        peak_hwm = max([peak_hwm] + [field_kib(f"/proc/{p}/status", "VmHWM") for p in pids])
        second = int(time.monotonic() - start)
        if trace and second != last_traced:
            trace.write(f"{second} {rss // 1024} {pss // 1024}\n")
            trace.flush()
            last_traced = second
        time.sleep(0.2)
    gib = 1024 * 1024
    print(f"peak memory of the process tree: RSS {peak_rss / gib:.2f} GiB, PSS {peak_pss / gib:.2f} GiB;"
          f" largest process VmHWM {peak_hwm / gib:.2f} GiB", file=sys.stderr)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
