#!/usr/bin/env bash
# Pre-commit latency: how long `patrol diff --staged` (what the pre-commit hook runs) takes for a
# 20-line staged change in a repository of 10,000 files, process start and rule set-up included.
# Not a test: it measures and prints; see benchmarks/README.md.
#
# Usage:
#   benchmarks/precommit-latency.sh [options]
#
# The repository is generated once into benchmarks/corpus-latency/repo/ (git-ignored) from the
# text of benchmarks/generate-corpus.py (real source files of this machine, with a few planted
# Azure DevOps tokens in the committed files, as in the scan corpus), committed in one commit and
# packed; later runs reuse it. Each run resets it to HEAD, appends 20 lines of Python to one
# tracked file, stages them, times the commands below, and resets it again.
#
#   patrol diff --staged     the hook's command, in the repository
#   git diff --cached HEAD   the floor: git alone computing the staged diff
#   patrol --version         the floor: patrol's process start, without rules or git
#   patrol scan EMPTY_FILE   process start and rule set-up, scanning an empty file (no git)
#
# Then one run with a valid token planted in the change shows that it is found (exit 1).
#
# Options:
#   --runs N            timed runs per command (default 20)
#   --warmup N          untimed runs first (default 3)
#   --files N           files in the repository (default 10000)
#   --size-mb N         its size in MiB (default 100)
#   --seed N            generator seed (default 1)
#   --no-hyperfine      time with the Python helper even when hyperfine is installed
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (`make bench-latency` builds that one first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lib="$here/benchlib.py"

die() { echo "precommit-latency: $*" >&2; exit 2; }
note() { echo "precommit-latency: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

runs=20 warmup=3 files=10000 size_mb=100 seed=1 use_hyperfine=true
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) runs=${2:?--runs needs a number}; shift ;;
        --warmup) warmup=${2:?--warmup needs a number}; shift ;;
        --files) files=${2:?--files needs a number}; shift ;;
        --size-mb) size_mb=${2:?--size-mb needs a number}; shift ;;
        --seed) seed=${2:?--seed needs a number}; shift ;;
        --no-hyperfine) use_hyperfine=false ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
for v in "$runs" "$files" "$size_mb"; do [[ $v =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $v"; done
[[ $warmup =~ ^[0-9]+$ && $seed =~ ^[0-9]+$ ]] || die "--warmup and --seed take numbers"
command -v python3 >/dev/null || die "python3 is needed"
command -v git >/dev/null || die "git is needed"
hyperfine=""
if $use_hyperfine; then hyperfine=$(command -v hyperfine 2>/dev/null || true); fi

# patrol: $PATROL, else the release build, which must exist and should be newer than the sources.
if [[ -n ${PATROL:-} ]]; then
    patrol=$PATROL
    [[ -x $patrol ]] || die "PATROL=$patrol is not an executable"
else
    patrol="$root/.build/release/patrol"
    [[ -x $patrol ]] || die "$patrol is missing: build it first (swift build -c release, or make bench-latency)"
    newer=$(find "$root/Sources" "$root/patterns" "$root/Plugins" "$root/Package.swift" -newer "$patrol" -type f 2>/dev/null | awk 'NR <= 3')
    if [[ -n $newer ]]; then
        note "WARNING: $patrol is older than the sources (e.g. ${newer%%$'\n'*}):"
        note "  it may not be what you are editing; run 'swift build -c release' or 'make bench-latency'"
    fi
fi
patrol=$(cd "$(dirname "$patrol")" && pwd)/$(basename "$patrol")

# ------------------------------------------------------------------------------------------------
# The repository, generated once.
base="$here/corpus-latency"
if [[ $files != 10000 || $size_mb != 100 || $seed != 1 ]]; then base="$here/corpus-latency-${size_mb}m-${files}f-s${seed}"; fi
lrepo="$base/repo"
stamp="$base/stamp"
want="files=$files size_mb=$size_mb seed=$seed generator=$(sha256sum "$here/generate-corpus.py" | cut -c1-16)"
# All git commands on it name its .git explicitly, so that none can reach an enclosing repository.
lgit() { git --git-dir="$lrepo/.git" --work-tree="$lrepo" -c core.hooksPath=/dev/null "$@"; }
if [[ ! -f $stamp || $(cat "$stamp") != "$want" || ! -d $lrepo/.git ]]; then
    note "generating $lrepo: $files files, $size_mb MiB (once; later runs reuse it)"
    rm -rf "$lrepo" "$lrepo.partial" "$stamp"
    mkdir -p "$base"
    python3 "$here/generate-corpus.py" "$lrepo" --files "$files" --size-mb "$size_mb" --seed "$seed" --patrol "$patrol" >&2
    mv "$lrepo/.patrol-bench-manifest.json" "$base/manifest.json"
    git init -q "$lrepo"
    [[ -d $lrepo/.git ]] || die "git init $lrepo failed"
    lgit add -A
    GIT_AUTHOR_DATE='2026-01-01T12:00:00Z' GIT_COMMITTER_DATE='2026-01-01T12:00:00Z' \
        lgit -c gc.auto=0 -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
        commit -q -m "generated by benchmarks/precommit-latency.sh"
    lgit gc -q
    echo "$want" >"$stamp"
fi
[[ $(git -C "$lrepo" rev-parse --show-toplevel) == "$lrepo" ]] || die "$lrepo is not the top of its own repository"
tracked=$(lgit ls-files | wc -l)

# The change: 20 lines of Python appended to the first tracked .py file. One of them looks like a
# credential but holds none (an environment lookup).
target=$(lgit ls-files '*.py' | awk 'NR == 1')
[[ -n $target ]] || die "no .py file in $lrepo"
change() { # TOKEN_DEFAULT
    cat <<EOF

def fetch_build_artifacts(client, project, build_id, dest_dir):
    """Download every artifact of a finished build into dest_dir."""
    token = os.environ.get("AZURE_DEVOPS_PAT", "$1")
    headers = {"Accept": "application/json", "Authorization": f"Basic {token}"}
    url = f"{client.base_url}/{project}/_apis/build/builds/{build_id}/artifacts"
    response = client.session.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    artifacts = response.json().get("value", [])
    os.makedirs(dest_dir, exist_ok=True)
    for artifact in artifacts:
        name = artifact["name"]
        download_url = artifact["resource"]["downloadUrl"]
        target = os.path.join(dest_dir, f"{name}.zip")
        with client.session.get(download_url, headers=headers, stream=True) as r:
            r.raise_for_status()
            with open(target, "wb") as f:
                for chunk in r.iter_content(chunk_size=1 << 16):
                    f.write(chunk)
    return [a["name"] for a in artifacts]
EOF
}
stage_change() { # TOKEN_DEFAULT
    lgit reset -q --hard HEAD
    change "$1" >>"$lrepo/$target"
    lgit add -- "$target"
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-latency.XXXXXX")
trap 'lgit reset -q --hard HEAD 2>/dev/null || true; rm -rf "$tmp"' EXIT
results="$here/results/latency-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
bench() { python3 "$lib" "$@"; }
# The machine's busy CPU time so far, in clock ticks, straight from /proc/stat (no process start).
busy() {
    local _cpu u n sy idle io irq sirq st _rest
    read -r _cpu u n sy idle io irq sirq st _rest </proc/stat
    echo $((u + n + sy + irq + sirq + st))
}
hz=$(getconf CLK_TCK)

stage_change ""
added=$(lgit diff --cached --numstat HEAD | awk '{a+=$1; d+=$2} END {print a"+ "d"-"}')
{
    echo "# patrol pre-commit latency, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "repository: $lrepo: $tracked tracked files, $(du -sm --exclude=.git "$lrepo" | cut -f1) MiB, $(du -sm "$lrepo/.git" | cut -f1) MiB .git (packed), 1 commit"
    echo "change:     $added lines staged in $target"
    echo "machine:    $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
    echo "patrol:     $patrol ($("$patrol" --version 2>/dev/null); $("$patrol" rules list 2>/dev/null | wc -l) rules; $(stat -c '%s bytes, built %y' "$patrol" | cut -d. -f1); sha256 $(sha256sum "$patrol" | cut -c1-12))"
    echo "git:        $(git --version)"
    echo "timer:      ${hyperfine:+$hyperfine ($("$hyperfine" --version)), }$( [[ -n $hyperfine ]] && echo "-N --runs $runs --warmup $warmup" || echo "benchlib.py time-runs ($runs runs after $warmup warm-ups)")"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/summary.txt"

# Reads the repository once so that the page cache holds it.
lgit status --porcelain >/dev/null
cat "$lrepo/.git/index" "$lrepo"/.git/objects/pack/* >/dev/null

# time_cmd NAME SLUG CMD...: RUNS timed runs after WARMUP, in the repository, into $results/SLUG.json.
others=()
time_cmd() {
    local name=$1 slug=$2 before after t0 t1
    shift 2
    note "timing $name: $*"
    before=$(busy) t0=$EPOCHREALTIME
    if [[ -n $hyperfine ]]; then
        (cd "$lrepo" && "$hyperfine" -N --runs "$runs" --warmup "$warmup" --style basic \
            --export-json "$results/$slug.json" --command-name "$name" -- "$(printf '%q ' "$@")") >&2
    else
        bench time-runs "$results/$slug.json" "$runs" "$warmup" --cwd "$lrepo" -- "$@"
    fi
    t1=$EPOCHREALTIME after=$(busy)
    # The machine's busy CPU time during the block, less what the timed runs used themselves.
    others+=("$name: $(bench others-cpu "$results/$slug.json" "$(awk -v t="$before" -v h="$hz" 'BEGIN{print t/h}')" \
        "$(awk -v t="$after" -v h="$hz" 'BEGIN{print t/h}')" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$runs" "$warmup")")
}

time_cmd "patrol diff --staged" patrol-diff-staged "$patrol" diff --staged
time_cmd "git diff --cached HEAD" git-diff-cached "$(command -v git)" diff --cached HEAD
time_cmd "patrol --version" patrol-version "$patrol" --version
: >"$tmp/empty.txt"
time_cmd "patrol scan EMPTY_FILE" patrol-scan-empty "$patrol" scan "$tmp/empty.txt" --quiet

# One run with a valid token in the change: it must be found (exit 1).
planted_line=""
if token=$("$patrol" rules generate azure-devops-pat --count 1 --seed 20 2>/dev/null) && [[ -n $token ]]; then
    stage_change "$token"
    (cd "$lrepo" && python3 "$lib" measure "$tmp/planted.jsonl" planted 1 "$tmp/planted.out" "$tmp/planted.err" 0,1,2 \
        --interval 0 -- "$patrol" diff --staged --format json --output "$tmp/planted.json") 2>/dev/null || true
    (cd "$lrepo" && "$patrol" diff --staged --no-color >"$tmp/planted.txt" 2>&1) || true
    planted_line=$(bench planted "$tmp/planted.jsonl" "$tmp/planted.json" 2>/dev/null ||
        echo "NOT FOUND: no report (see ${results#"$root"/}/planted.txt)")
    cp "$tmp/planted.txt" "$results/planted.txt"
else
    planted_line="skipped: this patrol has no azure-devops-pat rule to generate a token"
fi
lgit reset -q --hard HEAD

{
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    bench latency-table "patrol diff --staged=$results/patrol-diff-staged.json" \
        "git diff --cached HEAD=$results/git-diff-cached.json" \
        "patrol --version=$results/patrol-version.json" \
        "patrol scan EMPTY_FILE=$results/patrol-scan-empty.json"
    echo
    echo "Wall time of each run, process start to exit, in the repository (page cache warm); p90 by"
    echo "linear interpolation. CPU = mean user + sys per run."
    echo "others' CPU: what other processes (and the timer itself) used during each block of runs,"
    echo "from /proc/stat; near 0, the runs had the machine to themselves:"
    for o in "${others[@]}"; do echo "  $o"; done
    echo
    median=$(bench median-ms "$results/patrol-diff-staged.json")
    echo "target: median of patrol diff --staged < 30 ms: $median ms: $(awk -v m="$median" 'BEGIN{print (m < 30) ? "MET" : "NOT MET"}')"
    echo "planted token: $planted_line"
    echo
    echo "commands (in $lrepo):"
    if [[ -n $hyperfine ]]; then
        echo "  $hyperfine -N --runs $runs --warmup $warmup --export-json FILE '$patrol diff --staged'"
        echo "  $hyperfine -N --runs $runs --warmup $warmup --export-json FILE '$(command -v git) diff --cached HEAD'"
        echo "  $hyperfine -N --runs $runs --warmup $warmup --export-json FILE '$patrol --version'"
        echo "  $hyperfine -N --runs $runs --warmup $warmup --export-json FILE '$patrol scan \$TMP/empty.txt --quiet'   (an empty file outside any repository)"
    else
        echo "  python3 benchmarks/benchlib.py time-runs FILE $runs $warmup -- $patrol diff --staged  (and the same for the others)"
    fi
    echo "  planted: $patrol diff --staged --format json --output FILE   (one run)"
} | tee -a "$results/summary.txt"
note "summary saved in ${results#"$root"/}/summary.txt"
