#!/usr/bin/env python3
"""Measuring helpers shared by benchmarks/history-benchmark.sh and benchmarks/precommit-latency.sh.

    python3 benchmarks/benchlib.py COMMAND ARGS...

Python 3.11 standard library only. The conventions are those of scan-benchmark.sh's embedded
helper: each run is started with posix_spawn, wall time comes from perf_counter, CPU time (user +
sys) and ru_maxrss from wait4 (the process and the children it waited for), and "others' CPU" is
the busy time of the whole machine (/proc/stat) during the run less the run's own CPU time and the
helper's. On top of that, `measure` samples the process tree's memory from /proc while it runs:

- own_hwm_kib: VmHWM of the measured process itself (its own peak RSS, without its children),
  as last read before it exited;
- own_anon_kib: the highest RssAnon of that process seen (RSS less file-backed and shared pages,
  such as a memory-mapped pack file);
- tree_rss_kib / tree_anon_kib: the highest sum of VmRSS / RssAnon over the process and all its
  descendants at one sample (pages that several processes map are counted once per process);
- max_procs: the most processes seen in the tree at once.

Samples are taken every --interval seconds (default 0.05) by a thread; wall time is measured by
the main thread, blocked in wait4, so sampling does not delay it.

Commands:
  measure RESULTS NAME RUN STDOUT STDERR OK_CODES [--stdin FILE] [--interval S] [--cwd DIR]
          [--timeout S] -- CMD...
  blobs REPO [OIDS_OUT]        count and bytes of the blobs in REPO's object database
  count KIND REPORT            findings in a report (patrol, kingfisher, gitleaks)
  by-rule KIND REPORT          findings per rule, most frequent first
  history-table RESULTS BYTES BLOBS FINDINGS_JSON
  time-runs OUT_JSON RUNS WARMUP [--cwd DIR] -- CMD...     hyperfine-like timing without hyperfine
  latency-table NAME=HYPERFINE_JSON...
"""

from __future__ import annotations

import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time


# ------------------------------------------------------------------------------------------------
# Noise and process-tree memory.

def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def self_cpu() -> float:
    """CPU time of this helper process (all its threads)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def tree_pids(root: int) -> list[int]:
    """root and its descendants, from /proc/PID/task/TID/children."""
    pids, i = [root], 0
    while i < len(pids):
        pid = pids[i]
        i += 1
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    pids.extend(int(x) for x in f.read().split())
            except (OSError, ValueError):
                pass
    return pids


def proc_status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/PID/status that matter here ({} once the process is gone)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon"):
                    out[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until stop() (see the module docstring)."""

    def __init__(self, pid: int, interval: float):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.done = threading.Event()
        self.own_hwm = self.own_anon = self.tree_rss = self.tree_anon = 0
        self.max_procs = self.samples = 0

    def sample(self) -> None:
        pids = tree_pids(self.pid)
        rss = anon = procs = 0
        for pid in pids:
            st = proc_status(pid)
            if not st:
                continue
            procs += 1
            rss += st.get("VmRSS", 0)
            anon += st.get("RssAnon", 0)
            if pid == self.pid:
                # VmHWM only grows: the last value read is the peak up to that moment.
                self.own_hwm = max(self.own_hwm, st.get("VmHWM", 0))
                self.own_anon = max(self.own_anon, st.get("RssAnon", 0))
        self.tree_rss = max(self.tree_rss, rss)
        self.tree_anon = max(self.tree_anon, anon)
        self.max_procs = max(self.max_procs, procs)
        self.samples += 1

    def run(self) -> None:
        while True:
            self.sample()
            if self.done.wait(self.interval):
                return

    def stop(self) -> None:
        self.done.set()
        self.join()


def spawn_measured(cmd: list[str], stdin: str, out: str, err: str, cwd: str | None,
                   interval: float | None, timeout: float | None = None):
    """Runs cmd once; returns (exit code, wall, rusage, sampler or None, timed out).

    With a timeout, the command runs in its own process group, which is killed (SIGKILL) when
    the time is up; so is it when this helper is interrupted."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, stdin, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    kw = {"setpgroup": 0} if timeout else {}
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)   # posix_spawn has no chdir action in Python 3.11
    try:
        start = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions, **kw)
    finally:
        os.chdir(old)
    sampler = timer = None
    expired = threading.Event()
    if interval:
        sampler = TreeSampler(pid, interval)
        sampler.start()
    if timeout:
        def kill() -> None:
            expired.set()
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
    try:
        # wait4 gives the child's own rusage (with its reaped descendants): CPU and peak RSS.
        _, status, ru = os.wait4(pid, 0)
    except BaseException:
        if timeout:
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
        raise
    wall = time.perf_counter() - start
    if timer:
        timer.cancel()
    if sampler:
        sampler.stop()
    return os.waitstatus_to_exitcode(status), wall, ru, sampler, expired.is_set()


# ------------------------------------------------------------------------------------------------
# history-benchmark.sh

def measure(argv: list[str]) -> None:
    """measure RESULTS NAME RUN STDOUT STDERR OK_CODES [--stdin F] [--interval S] [--cwd D] -- CMD..."""
    results, name, run, out, err, ok = argv[:6]
    rest = argv[6:]
    stdin, interval, cwd, timeout = "/dev/null", 0.05, None, None
    while rest and rest[0] != "--":
        if rest[0] == "--timeout":
            timeout = float(rest[1]) or None
        elif rest[0] == "--stdin":
            stdin = rest[1]
        elif rest[0] == "--interval":
            interval = float(rest[1])
        elif rest[0] == "--cwd":
            cwd = rest[1]
        else:
            sys.exit(f"benchlib measure: unknown option {rest[0]}")
        rest = rest[2:]
    cmd = rest[1:]
    busy, mine = busy_seconds(), self_cpu()
    code, wall, ru, s, timed_out = spawn_measured(cmd, stdin, out, err, cwd, interval, timeout)
    helper = self_cpu() - mine
    if s is None:
        s = TreeSampler(0, 0)   # not sampled: zeros
    # What other processes used meanwhile: the noise of a shared machine (tick-grained).
    others = max(0.0, busy_seconds() - busy - ru.ru_utime - ru.ru_stime - helper)
    row = {"name": name, "run": run, "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
           "maxrss_kib": ru.ru_maxrss, "own_hwm_kib": s.own_hwm, "own_anon_kib": s.own_anon,
           "tree_rss_kib": s.tree_rss, "tree_anon_kib": s.tree_anon, "max_procs": s.max_procs,
           "samples": s.samples, "helper_cpu": helper, "others_cpu": others, "exit": code,
           "timed_out": timed_out, "load1": os.getloadavg()[0]}
    if run != "warmup":
        with open(results, "a") as f:
            f.write(json.dumps(row) + "\n")
    mib = lambda kib: kib / 1024
    print(f"  {name:<11} {run:>6}: {wall:7.2f} s wall, {ru.ru_utime + ru.ru_stime:7.2f} s CPU, "
          f"own RSS {mib(s.own_hwm):6.0f} MiB (anon {mib(s.own_anon):5.0f}), tree {mib(s.tree_rss):6.0f} MiB "
          f"(anon {mib(s.tree_anon):5.0f}, {s.max_procs} procs), others {others:6.2f} s CPU, exit {code}",
          file=sys.stderr, flush=True)
    if timed_out:
        sys.exit(f"benchmark: {name} did not finish in {timeout:.0f} s and was killed: {' '.join(cmd)}")
    if str(code) not in ok.split(","):
        with open(err, errors="replace") as f:
            tail = f.read()[-2000:]
        sys.exit(f"benchmark: {name} exited {code} (expected {ok}): {' '.join(cmd)}\n{tail}")


def blobs(argv: list[str]) -> None:
    """blobs REPO [OIDS_OUT]: "COUNT BYTES" of the blobs in the object database (all of them,
    reachable or not, alternates included), in pack order; OIDS_OUT gets their ids, one a line."""
    repo = argv[0]
    oids_out = open(argv[1], "w") if len(argv) > 1 else None
    p = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch-all-objects", "--unordered",
                          "--batch-check=%(objecttype) %(objectname) %(objectsize)"],
                         stdout=subprocess.PIPE, text=True)
    n = total = 0
    for line in p.stdout:
        kind, oid, size = line.split()
        if kind == "blob":
            n += 1
            total += int(size)
            if oids_out:
                oids_out.write(oid + "\n")
    if p.wait() != 0:
        sys.exit(f"benchlib blobs: git cat-file --batch-all-objects failed in {repo}")
    if oids_out:
        oids_out.close()
    print(n, total)


def load_findings(kind: str, path: str) -> list:
    if kind == "patrol":
        return json.load(open(path))["findings"]
    if kind == "kingfisher":
        return json.load(open(path))["findings"]
    if kind == "gitleaks":
        return json.load(open(path)) or []
    return []


def count(argv: list[str]) -> None:
    """count KIND REPORT: findings in a tool's report."""
    kind, path = argv
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        print("no report")
        return
    if kind == "patrol":
        r = json.load(open(path))
        extra = f" (+{r['stats']['rejected_by_validator']} rejected"
        if r.get("errors"):
            extra += f", {len(r['errors'])} errors"
        print(f"{len(r['findings'])}{extra})")
    else:
        print(len(load_findings(kind, path)))


def by_rule(argv: list[str]) -> None:
    """by-rule KIND REPORT: findings per rule, most frequent first."""
    kind, path = argv
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        print("no report")
        return
    key = {"patrol": lambda f: f["rule"], "kingfisher": lambda f: f["rule"]["id"],
           "gitleaks": lambda f: f["RuleID"]}[kind]
    ids = [key(f) for f in load_findings(kind, path)]
    print(", ".join(f"{rule} {n}" for rule, n in collections.Counter(ids).most_common(8)) or "none")


def read_stats(argv: list[str]) -> None:
    """read-stats KIND REPORT STDERR: what a tool says it read."""
    kind, path, err = argv
    try:
        if kind == "patrol":
            r = json.load(open(path))
            st = r["stats"]
            print(f"{st['blobs']} blobs, {st['bytes']} bytes scanned; {len(r['skipped'])} skipped, "
                  f"{len(r['errors'])} errors")
        elif kind == "kingfisher":
            st = json.load(open(path))["metadata"]["summary"]
            print(f"{st['blobs_scanned']} blobs, {st['bytes_scanned']} bytes scanned")
        elif kind == "gitleaks":
            import re
            text = re.sub(r"\x1b\[[0-9;]*m", "", open(err, errors="replace").read())
            found = re.findall(r"\d+ commits scanned|scanned ~\S+ bytes \([^)]*\)", text)
            print("; ".join(found) or "?")
    except (OSError, ValueError, KeyError) as e:
        print(f"? ({e})")


def markdown(lines: list[list[str]]) -> str:
    widths = [max(len(l[i]) for l in lines) for i in range(len(lines[0]))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def history_table(argv: list[str]) -> None:
    """history-table RESULTS BYTES BLOBS FINDINGS_JSON: the summary table."""
    results, total, nblobs, findings = argv[0], int(argv[1]), int(argv[2]), json.load(open(argv[3]))
    rows = [json.loads(l) for l in open(results)] if os.path.exists(results) else []
    names = list(dict.fromkeys(r["name"] for r in rows))
    lines = [["tool", "runs", "wall s best/med", "CPU s best/med", "MB/s best/med",
              "own RSS MiB (anon)", "tree RSS MiB (anon)", "procs", "findings", "others' CPU s"]]
    mib = lambda kib: f"{kib / 1024:.0f}"
    for n in names:
        rs = [r for r in rows if r["name"] == n]
        walls = sorted(r["wall"] for r in rs)
        cpus = sorted(r["user"] + r["sys"] for r in rs)
        best, med = walls[0], statistics.median(walls)
        lines.append([n, str(len(rs)), f"{best:.2f} / {med:.2f}",
                      f"{cpus[0]:.2f} / {statistics.median(cpus):.2f}",
                      f"{total / 1e6 / best:.0f} / {total / 1e6 / med:.0f}",
                      f"{mib(max(r['own_hwm_kib'] for r in rs))} ({mib(max(r['own_anon_kib'] for r in rs))})",
                      f"{mib(max(r['tree_rss_kib'] for r in rs))} ({mib(max(r['tree_anon_kib'] for r in rs))})",
                      str(max(r["max_procs"] for r in rs)), findings.get(n, ""),
                      f"{statistics.median(r.get('others_cpu', 0) for r in rs):.2f}"])
    print(markdown(lines))


# ------------------------------------------------------------------------------------------------
# precommit-latency.sh

def time_runs(argv: list[str]) -> None:
    """time-runs OUT_JSON RUNS WARMUP [--cwd DIR] -- CMD...: like `hyperfine -N --runs RUNS
    --warmup WARMUP --export-json OUT_JSON CMD`, for machines without hyperfine. Output discarded;
    a non-zero exit stops it, as it stops hyperfine."""
    out, runs, warmup = argv[0], int(argv[1]), int(argv[2])
    rest, cwd = argv[3:], None
    if rest and rest[0] == "--cwd":
        cwd, rest = rest[1], rest[2:]
    cmd = rest[1:]
    times, users, systems, codes = [], [], [], []
    for i in range(warmup + runs):
        code, wall, ru, _, _ = spawn_measured(cmd, "/dev/null", "/dev/null", "/dev/null", cwd, None)
        if code != 0:
            sys.exit(f"benchlib time-runs: {' '.join(cmd)} exited {code}")
        if i >= warmup:
            times.append(wall)
            users.append(ru.ru_utime)
            systems.append(ru.ru_stime)
            codes.append(code)
    result = {"command": " ".join(cmd), "mean": statistics.mean(times), "median": statistics.median(times),
              "min": min(times), "max": max(times), "user": statistics.mean(users),
              "system": statistics.mean(systems), "times": times, "exit_codes": codes}
    json.dump({"results": [result], "timer": "benchlib.py time-runs"}, open(out, "w"), indent=2)


def p90(xs: list[float]) -> float:
    """90th percentile, linear interpolation between closest ranks (statistics 'inclusive')."""
    return statistics.quantiles(xs, n=10, method="inclusive")[8] if len(xs) > 1 else xs[0]


def latency_table(argv: list[str]) -> None:
    """latency-table NAME=HYPERFINE_JSON...: min / median / p90 / max / mean in ms, and CPU."""
    lines = [["command", "runs", "min ms", "median ms", "p90 ms", "max ms", "mean ms", "CPU ms (user+sys, mean)"]]
    for arg in argv:
        name, _, path = arg.partition("=")
        r = json.load(open(path))["results"][0]
        ts = [t * 1000 for t in r["times"]]
        cpu = (r.get("user", 0) + r.get("system", 0)) * 1000
        lines.append([name, str(len(ts)), f"{min(ts):.1f}", f"{statistics.median(ts):.1f}",
                      f"{p90(ts):.1f}", f"{max(ts):.1f}", f"{statistics.mean(ts):.1f}", f"{cpu:.1f}"])
    print(markdown(lines))


def others_cpu(argv: list[str]) -> None:
    """others-cpu HYPERFINE_JSON BUSY_BEFORE BUSY_AFTER WALL RUNS WARMUP: the CPU time other
    processes used during a timing block of WALL seconds: the machine's busy time less what the
    runs used (the warm-ups taken to cost what the timed runs cost; the timer's own overhead is
    counted as others')."""
    r = json.load(open(argv[0]))["results"][0]
    before, after, wall = float(argv[1]), float(argv[2]), float(argv[3])
    runs, warmup = int(argv[4]), int(argv[5])
    own = (r["user"] + r["system"]) * (runs + warmup)
    print(f"{max(0.0, after - before - own):.2f} s CPU during {wall:.2f} s")


def planted(argv: list[str]) -> None:
    """planted RUNS_JSONL REPORT: did the run with a planted token find it (exit 1, a finding)?"""
    row = json.loads(open(argv[0]).read().splitlines()[0])
    r = json.load(open(argv[1]))
    found = ", ".join(f"{f['rule']} at {f['path']}:{f['line']}:{f['column']} ({f['secret']}, "
                      f"validated: {f['validated']})" for f in r["findings"])
    verdict = "FOUND" if row["exit"] == 1 and r["findings"] else "NOT FOUND"
    print(f"{verdict}: exit {row['exit']} in {row['wall'] * 1000:.1f} ms; "
          f"{len(r['findings'])} finding(s): {found}")


def latency_median_ms(argv: list[str]) -> None:
    """median-ms HYPERFINE_JSON: the median in ms, for a pass/fail line."""
    r = json.load(open(argv[0]))["results"][0]
    print(f"{statistics.median(r['times']) * 1000:.1f}")


if __name__ == "__main__":
    commands = {"measure": measure, "blobs": blobs, "count": count, "by-rule": by_rule,
                "history-table": history_table, "read-stats": read_stats, "time-runs": time_runs,
                "latency-table": latency_table, "median-ms": latency_median_ms,
                "others-cpu": others_cpu, "planted": planted}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])
