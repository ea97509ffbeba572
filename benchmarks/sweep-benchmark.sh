#!/usr/bin/env bash
# Incremental sweep benchmark: `patrol sweep` over generated local repositories, a first sweep
# (empty cache), a second one (nothing changed) and a third after one new commit in one repository,
# with wall time, patrol's own "seconds" and peak RSS; then first sweeps of 5 and of all the
# repositories on fresh caches, to show that memory does not grow with the number of
# repositories. Not a test: it measures and prints.
#
# Usage:
#   benchmarks/sweep-benchmark.sh [options]
#
# Options:
#   --repos N        repositories to generate and sweep (default 20)
#   --commits N      commits per repository (default 300)
#   --files N        files changed per commit (default 4)
#   --file-kib N     size of each file version in KiB (default 24)
#   --corpus DIR     where the repositories are generated (default benchmarks/corpus-sweep;
#                    kept between runs and regenerated only when the parameters change)
#   --interval MS    memory sampling interval (default 20)
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (`make bench-sweep` builds that one first).
#
# The target (issue 7): the second sweep spends at most 5 % of the first's time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lib="$here/benchlib.py"

die() { echo "sweep-benchmark: $*" >&2; exit 2; }
note() { echo "sweep-benchmark: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

repos=20
commits=300
files=4
file_kib=24
corpus="$here/corpus-sweep"
interval_ms=20
while [[ $# -gt 0 ]]; do
    case $1 in
        --repos) repos=${2:?--repos needs a number}; shift ;;
        --commits) commits=${2:?--commits needs a number}; shift ;;
        --files) files=${2:?--files needs a number}; shift ;;
        --file-kib) file_kib=${2:?--file-kib needs a number}; shift ;;
        --corpus) corpus=${2:?--corpus needs a folder}; shift ;;
        --interval) interval_ms=${2:?--interval needs milliseconds}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
for value in "$repos" "$commits" "$files" "$file_kib" "$interval_ms"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $value"
done
(( repos >= 5 )) || die "--repos must be at least 5 (the memory comparison sweeps 5)"

patrol=${PATROL:-$root/.build/release/patrol}
[[ -x $patrol ]] || die "no patrol binary at $patrol (run 'swift build -c release' or 'make bench-sweep')"
command -v git >/dev/null || die "git is needed"
interval=$(python3 -c "print($interval_ms / 1000)")

# --- Corpus: N repositories of random text, a few synthetic tokens each (fast-import). ---------
params="generator=2 repos=$repos commits=$commits files=$files file_kib=$file_kib"
if [[ ! -f $corpus/.params || $(cat "$corpus/.params") != "$params" ]]; then
    note "generating $repos repositories in $corpus ($params)"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    for i in $(seq 1 "$repos"); do
        repo="$corpus/repo-$(printf %02d "$i")"
        git init -q --bare "$repo"
        tokens=$("$patrol" rules generate azure-devops-pat --count 3 --seed "$i" | tr '\n' ' ')
        python3 - "$i" "$commits" "$files" "$file_kib" "$tokens" <<'PY' | git -C "$repo" fast-import --quiet
import os, random, sys
repo, commits, files, kib = (int(v) for v in sys.argv[1:5])
tokens = sys.argv[5].split()
rng = random.Random(repo)
alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 _=.,;:()"
def text(size):
    lines, total = [], 0
    while total < size:
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(20, 100)))
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode()
out = sys.stdout.buffer
leaks = {commits // 4: tokens[0], commits // 2: tokens[1], (3 * commits) // 4: tokens[2]}
pool = [text(kib * 1024) for _ in range(64)]   # reused pieces keep generation fast
for c in range(1, commits + 1):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1_700_000_000 + c * 60))
    message = b"commit %d" % c
    out.write(b"data %d\n%s\n" % (len(message), message))
    # Distinct paths within a commit: a second change to the same path would replace the first.
    for f, slot in enumerate(rng.sample(range(320), files)):
        path = b"src/module%d/file%d.txt" % (slot // 40, slot % 40)
        body = pool[rng.randrange(len(pool))] + b"repo %d commit %d file %d %x\n" % (repo, c, f, rng.getrandbits(64))
        if f == 0 and c in leaks:
            body += b"AZURE_DEVOPS_PAT=" + leaks[c].encode() + b"\n"
        out.write(b"M 100644 inline %s\ndata %d\n" % (path, len(body)))
        out.write(body + b"\n")
out.write(b"done\n")
PY
    done
    echo "$params" > "$corpus/.params"
fi
mapfile -t list < <(ls -d "$corpus"/repo-* | head -n "$repos")
printf '%s\n' "${list[@]}" > "$corpus/list.txt"
printf '%s\n' "${list[@]:0:5}" > "$corpus/list-5.txt"
blob_stats=$(for repo in "${list[@]}"; do python3 "$lib" blobs "$repo"; done | awk '{n += $1; b += $2} END {print n, b}')
note "corpus: ${#list[@]} repositories, $(awk '{print $1}' <<<"$blob_stats") blobs, $(awk '{printf "%.0f", $2 / 1e6}' <<<"$blob_stats") MB"

# --- Runs ----------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/patrol-sweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT   # replaced below while the corpus is changed
results="$work/results.jsonl"
run() {   # NAME CACHE LIST
    local name=$1 cache=$2 list_file=$3
    python3 "$lib" measure "$results" "$name" 1 "$work/$name.jsonl" "$work/$name.err" 0,1 --interval "$interval" -- \
        "$patrol" sweep --list "$list_file" --cache "$cache" --clone-dir "$work/clones" --quiet
}
seconds() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["summary"]["seconds"])' "$work/$1.jsonl"; }
summary() { tail -n 1 "$work/$1.jsonl"; }

note "first sweep of ${#list[@]} repositories (empty cache)"
run first "$work/cache.sqlite" "$corpus/list.txt"
note "second sweep (same cache, nothing changed)"
run second "$work/cache.sqlite" "$corpus/list.txt"

# One new commit in the first repository (a new file with one more token), swept incrementally;
# the branch is put back afterwards so the corpus stays as generated.
first_repo=${list[0]}
old_tip=$(git -C "$first_repo" rev-parse refs/heads/main)
restore() { git -C "$first_repo" update-ref refs/heads/main "$old_tip" && git -C "$first_repo" prune --expire=now; }
trap 'restore; rm -rf "$work"' EXIT
new_token=$("$patrol" rules generate azure-devops-pat --seed 999)
blob=$(printf 'AZURE_DEVOPS_PAT=%s\n' "$new_token" | git -C "$first_repo" hash-object -w --stdin)
tree=$( (git -C "$first_repo" ls-tree "$old_tip"; printf '100644 blob %s\tdeploy.env\n' "$blob") | git -C "$first_repo" mktree)
new_tip=$(GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com \
    git -C "$first_repo" commit-tree -p "$old_tip" -m "one more leak" "$tree")
git -C "$first_repo" update-ref refs/heads/main "$new_tip"
note "third sweep (same cache, one new commit in $(basename "$first_repo"))"
run incremental "$work/cache.sqlite" "$corpus/list.txt"
restore
note "first sweeps of 5 and of ${#list[@]} repositories on fresh caches (memory)"
run first-5 "$work/cache-5.sqlite" "$corpus/list-5.txt"
run first-all "$work/cache-all.sqlite" "$corpus/list.txt"

echo
echo "first:  $(summary first)"
echo "second: $(summary second)"
python3 - "$results" "$(seconds first)" "$(seconds second)" "$work" "${#list[@]}" <<'PY'
import json, sys
rows = {r["name"]: r for r in map(json.loads, open(sys.argv[1]))}
first, second = float(sys.argv[2]), float(sys.argv[3])
planted = 3 * int(sys.argv[5])
for name in ("first", "second", "incremental", "first-5", "first-all"):
    found = json.loads(open(f"{sys.argv[4]}/{name}.jsonl").read().splitlines()[-1])["summary"]["findings"]
    expected = {"first-5": 15, "incremental": planted + 1}.get(name, planted)
    if found != expected:
        sys.exit(f"sweep-benchmark: {name} reported {found} findings, {expected} tokens were planted")
mib = lambda kib: kib / 1024
print()
print(f"{'run':<11} {'wall s':>8} {'CPU s':>7} {'own peak RSS MiB':>17} {'tree RSS MiB':>13} {'others CPU s':>13}")
for name in ("first", "second", "incremental", "first-5", "first-all"):
    r = rows[name]
    print(f"{name:<11} {r['wall']:8.3f} {r['user'] + r['sys']:7.2f} {mib(r['own_hwm_kib']):17.1f} {mib(r['tree_rss_kib']):13.1f} {r['others_cpu']:13.2f}")
wall = rows["second"]["wall"] / rows["first"]["wall"] * 100
inside = second / first * 100 if first > 0 else float("nan")
print()
print(f"second / first: {wall:.1f} % of the wall time ({inside:.1f} % of patrol's own 'seconds'); target <= 5 %")
incremental = json.loads(open(f"{sys.argv[4]}/incremental.jsonl").read().splitlines()[-1])["summary"]
print(f"one new commit: {rows['incremental']['wall']:.3f} s wall, {incremental['blobs_scanned']} blob(s) scanned, {incremental['findings']} findings")
print(f"peak RSS, 5 vs all repositories: {mib(rows['first-5']['own_hwm_kib']):.1f} vs {mib(rows['first-all']['own_hwm_kib']):.1f} MiB")
print(f"findings: {planted} planted tokens reported by every sweep")
print("'others CPU' is what other processes used meanwhile: on a shared machine, a noisy run shows there.")
PY
