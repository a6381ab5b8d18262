#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file of the Airlock JVM (as bench/pgbench.sh writes them).

    python3 bench/profile-summary.py .airlock/bench/profile-simple-1.collapsed [more files ...]

Prints, per file: CPU samples by thread group (event loops, lineage writer, JIT compiler, GC, other); for the
event loops, how much is kernel time and through which system call it was entered; and the share of a few
Airlock frames (gate, SQL analysis, policy, lineage queueing). Samples are 1 ms of CPU each with
`interval=1ms`, so counts divided by the transactions of the run give CPU per transaction.
"""
import collections
import re
import sys

GROUPS = [("event loops", re.compile(r"EventLoopGroup")), ("lineage writer", re.compile(r"^lineage-writer")),
          ("JIT compiler", re.compile(r"Compiler|C\d CompilerThre")), ("GC", re.compile(r"GC Thread|G1 |GN? ?Conc|Refine"))]
FRAMES = ["dev/airlock/gateway/AirlockGate.admit", "dev/airlock/gateway/AirlockGate.authenticate",
          "dev/airlock/policy/sql/SqlAnalyzer.analyze", "dev/airlock/policy/CompiledPolicy.decide",
          "dev/airlock/audit/LineageWriter.enqueue", "io/netty/util/ResourceLeakDetector"]


def group(thread):
    for name, rx in GROUPS:
        if rx.search(thread):
            return name
    return "other"


def summarise(path):
    by_group = collections.Counter()
    syscall = collections.Counter()
    frames = collections.Counter()
    loop_total = 0
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            if not stack:
                continue
            n = int(n)
            fr = stack.split(";")
            g = group(fr[0].strip("[]"))
            by_group[g] += n
            if g != "event loops":
                continue
            loop_total += n
            entry = next((fr[i - 1] for i, x in enumerate(fr) if x.endswith("_[k]")), None)
            syscall["(user space)" if entry is None else entry] += n
            for name in FRAMES:
                if any(x.startswith(name) for x in fr):
                    frames[name] += n
    total = sum(by_group.values()) or 1
    print(f"== {path}: {total} samples")
    for g, n in by_group.most_common():
        print(f"  {n:8d} {100 * n / total:5.1f} %  {g}")
    if loop_total:
        print("  event loops, by where kernel time was entered:")
        for s, n in syscall.most_common(8):
            print(f"  {n:8d} {100 * n / loop_total:5.1f} %  {s}")
        print("  event loops, inclusive:")
        for name in FRAMES:
            print(f"  {frames[name]:8d} {100 * frames[name] / loop_total:5.1f} %  {name}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        summarise(p)
