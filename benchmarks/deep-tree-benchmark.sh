#!/usr/bin/env bash
# Deep-folder benchmark (issue 17): seconds `patrol scan` takes on a single chain of folders
# 100, 200, 400, 800 (and optionally more) deep, with one file at the bottom, outside any git
# work tree and inside one. The cost must grow about linearly with depth: before the work tree was
# looked for once per root, every folder looked for `.git` in all its ancestors (depth³ in
# `stat` work: 9.8 s at depth 800). Not a test: it measures and prints; see benchmarks/README.md.
#
# Usage:
#   benchmarks/deep-tree-benchmark.sh [DEPTH…]     (default: 100 200 400 800)
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (falling back to .build/debug/patrol); TMPDIR is where the trees are made (and removed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
patrol=${PATROL:-}
if [[ -z "$patrol" ]]; then
    for candidate in "$root/.build/release/patrol" "$root/.build/debug/patrol"; do
        if [[ -x "$candidate" ]]; then patrol=$candidate; break; fi
    done
fi
[[ -n "$patrol" && -x "$patrol" ]] || { echo "deep-tree-benchmark: no patrol binary (swift build -c release, or set PATROL)" >&2; exit 2; }

depths=("$@")
[[ ${#depths[@]} -gt 0 ]] || depths=(100 200 400 800)

work=$(mktemp -d "${TMPDIR:-/tmp}/patrol-deep-tree.XXXXXX")
trap 'rm -rf "$work"' EXIT

seconds_of() {   # runs patrol scan in $1, prints the wall time in seconds
    local folder=$1 start end status=0
    start=$(date +%s.%N)
    (cd "$folder" && "$patrol" scan . --quiet --format json >/dev/null) || status=$?
    end=$(date +%s.%N)
    [[ $status -le 1 ]] || { echo "deep-tree-benchmark: patrol scan exited $status in $folder" >&2; exit 2; }
    echo "$start $end" | awk '{printf "%.3f", $2 - $1}'
}

make_chain() {   # makes $1/d/d/…/d/leaf.txt, $2 folders deep, one level at a time
    local top=$1 depth=$2 i
    mkdir -p "$top"
    (
        cd "$top"
        for ((i = 0; i < depth; i++)); do mkdir d && cd d; done
        echo "nothing to find here" > leaf.txt
    )
}

printf "%-8s %-22s %-22s\n" depth "plain folder (s)" "git work tree (s)"
for depth in "${depths[@]}"; do
    plain="$work/plain-$depth"
    repo="$work/repo-$depth"
    make_chain "$plain" "$depth"
    make_chain "$repo" "$depth"
    git -C "$repo" init -q
    printf "%-8s %-22s %-22s\n" "$depth" "$(seconds_of "$plain")" "$(seconds_of "$repo")"
    rm -rf "$plain" "$repo"
done
