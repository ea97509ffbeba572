#!/usr/bin/env bash
# Pathological-input benchmark (issue 14): hostile inputs that used to take super-linear time,
# each SIZE megabytes followed by one real GitHub token, scanned with `patrol scan FILE
# --threads 1`. Prints MB/s per input (per core: bytes over the run's CPU time) and checks that
# the trailing token was found. Not a test: it measures and prints; it exits 1 when a token is
# missed or a run fails, and reports (without failing) an input slower than the target.
#
# Usage:
#   benchmarks/pathological-benchmark.sh [--size-mb N] [--runs N] [--target MBPS] [--keep DIR]
#
# Options:
#   --size-mb N    megabytes (10^6 bytes) of each input before its token (default 10)
#   --runs N       timed runs per input; the fastest is reported (default 1)
#   --target MBPS  the floor, per core (default 20)
#   --keep DIR     write the inputs there and keep them (default: a temporary folder)
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (`make bench-pathological` builds that one first). Needs python3 and /usr/bin/time (GNU).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "pathological-benchmark: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

size_mb=10
runs=1
target=20
keep=
while [[ $# -gt 0 ]]; do
    case $1 in
        --size-mb) size_mb=${2:?--size-mb needs a number}; shift ;;
        --runs) runs=${2:?--runs needs a number}; shift ;;
        --target) target=${2:?--target needs a number}; shift ;;
        --keep) keep=${2:?--keep needs a folder}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[[ $size_mb =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "not a number: $size_mb"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $runs"

patrol=${PATROL:-$root/.build/release/patrol}
[[ -x $patrol ]] || die "no patrol binary at $patrol (run 'swift build -c release' or 'make bench-pathological')"
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=${keep:-$work/inputs}
token=$("$patrol" rules generate github-pat --seed 14 | head -n 1)
python3 "$here/pathological-inputs.py" "$inputs" "$size_mb" "$token"

printf '%-18s %10s %9s %9s %10s %8s  %s\n' input bytes wall_s cpu_s "MB/s/core" peak_MiB token
failed=0
slowest=
for file in "$inputs"/*.txt; do
    name=$(basename "$file" .txt)
    bytes=$(stat -c %s "$file")
    best_cpu= best_wall= peak= found=no
    for ((run = 1; run <= runs; run++)); do
        status=0
        /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
            "$patrol" scan "$file" --threads 1 --format json --output "$work/report.json" --quiet || status=$?
        if [[ $status -ne 1 ]]; then
            echo "pathological-benchmark: $name: patrol exited $status (expected 1: the trailing token)" >&2
            failed=1
        fi
        read -r wall user sys kib < <(tail -n 1 "$work/time")
        cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
        if [[ -z $best_cpu ]] || python3 -c "import sys; sys.exit(0 if $cpu < $best_cpu else 1)"; then
            best_cpu=$cpu best_wall=$wall peak=$((kib / 1024))
        fi
        grep -q "\"$token\"\|${token:0:4}…(${#token})" "$work/report.json" && found=yes
    done
    [[ $found == yes ]] || { echo "pathological-benchmark: $name: the trailing token was not found" >&2; failed=1; }
    rate=$(python3 -c "print(f'{$bytes / 1e6 / max($best_cpu, 0.01):.1f}')")
    printf '%-18s %10d %9s %9s %10s %8s  %s\n' "$name" "$bytes" "$best_wall" "$best_cpu" "$rate" "$peak" "$found"
    if [[ -z $slowest ]] || python3 -c "import sys; sys.exit(0 if $rate < ${slowest#* } else 1)"; then
        slowest="$name $rate"
    fi
done
echo "slowest: ${slowest% *} at ${slowest#* } MB/s per core (target: at least $target)"
python3 -c "import sys; sys.exit(0 if ${slowest#* } >= $target else 1)" || echo "pathological-benchmark: below the target" >&2
exit "$failed"
