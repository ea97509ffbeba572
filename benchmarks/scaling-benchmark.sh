#!/usr/bin/env bash
# Scaling benchmark (issue 17): how the cost of three cases grows with their size, so that a
# part growing faster than the input shows as a ratio well above the size ratio.
#
#   depth      `patrol scan` of a folder chain 100/200/400/800 deep with one token at the bottom
#   locations  `patrol scan` of one file holding the same token on 25k/100k/200k lines
#   report     `patrol remediate --no-replace-file` of a JSON report of 10k/50k/200k findings
#              (seconds and patrol's own peak memory)
#   verify     `patrol verify --no-access-map` of the same reports (no provider is asked)
#
# and then the pathological inputs (benchmarks/pathological-benchmark.sh) in MB/s per core.
# Not a test: it measures and prints; it exits 1 when a run does not give the expected result.
#
# Usage:
#   benchmarks/scaling-benchmark.sh [--quick] [--no-pathological]
#
# Options:
#   --quick            the two smaller sizes of each case only
#   --no-pathological  skip the pathological inputs
#
# Environment: PATROL=/path/to/patrol uses that binary instead of .build/release/patrol
# (`make bench-scaling` builds that one first). Needs git, python3 and /usr/bin/time (GNU).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "scaling-benchmark: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

quick=no
pathological=yes
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) quick=yes ;;
        --no-pathological) pathological=no ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done

patrol=${PATROL:-$root/.build/release/patrol}
[[ -x $patrol ]] || die "no patrol binary at $patrol (run 'swift build -c release' or 'make bench-scaling')"
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
token=$("$patrol" rules generate github-pat --seed 17 | head -n 1)
failed=0
depths=(100 200 400 800) lines=(25000 100000 200000) reports=(10000 50000 200000)
if [[ $quick == yes ]]; then depths=(100 200) lines=(25000 100000) reports=(10000 50000); fi

# Runs patrol under GNU time; prints "wall_s peak_MiB status".
timed() {
    local status=0
    /usr/bin/time -f '%e %M' -o "$work/time" "$patrol" "$@" > "$work/out" 2> "$work/err" || status=$?
    read -r wall kib < <(tail -n 1 "$work/time")
    echo "$wall $((kib / 1024)) $status"
}

# One row: case, size, seconds, peak, seconds per unit relative to the first size.
first_rate=
row() {
    local name=$1 size=$2 wall=$3 peak=$4 note=$5
    local rate
    rate=$(python3 -c "print($wall / $size)")
    [[ -n $first_rate ]] || first_rate=$rate
    printf '%-10s %8d %9s %9s %11s  %s\n' "$name" "$size" "$wall" "$peak" \
        "$(python3 -c "print(f'{$rate / max($first_rate, 1e-12):.2f}')")" "$note"
}

printf '%-10s %8s %9s %9s %11s  %s\n' case size wall_s peak_MiB "cost/unit" "(cost per unit relative to the smallest size; 1.00 is linear)"

for depth in "${depths[@]}"; do
    dir="$work/depth-$depth"
    mkdir -p "$dir"
    # cd in steps: the whole path may be longer than PATH_MAX.
    ( cd "$dir" && for ((i = 0; i < depth; i++)); do mkdir d && cd d; done && printf 'github_token = %s\n' "$token" > leaf.txt )
    read -r wall peak status < <(timed scan "$dir" --threads 1 --quiet --format json)
    [[ $status -eq 1 ]] || { echo "scaling-benchmark: depth $depth: exit $status, expected 1: $(head -c 300 "$work/err")" >&2; failed=1; }
    row depth "$depth" "$wall" "$peak" "exit $status"
    rm -rf "$dir"
done
first_rate=

for count in "${lines[@]}"; do
    file="$work/lines-$count.txt"
    python3 -c "import sys; sys.stdout.write(('token = ' + sys.argv[1] + '\n') * int(sys.argv[2]))" "$token" "$count" > "$file"
    read -r wall peak status < <(timed scan "$file" --threads 1 --format json)
    found=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); f=[x for x in r['findings'] if x['rule']=='github-pat']; print(f'{len(f)} finding, {len(f[0][\"locations\"]) if f else 0} locations')" "$work/out")
    [[ $found == "1 finding, $count locations" ]] || { echo "scaling-benchmark: $count lines: $found" >&2; failed=1; }
    row locations "$count" "$wall" "$peak" "$found"
    rm -f "$file"
done
first_rate=

for count in "${reports[@]}"; do
    report="$work/report-$count.json"
    python3 - "$report" "$count" "$work" <<'EOF'
import json, random, string, sys
path, count, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(count)
alphabet = string.ascii_letters + string.digits
with open(path, "w") as f:
    f.write('{"version": 1, "tool": {"name": "patrol", "version": "bench"}, "target": {"kind": "directory", "root": %s, "revs": null}, "findings": [\n' % json.dumps(root))
    for i in range(count):
        secret = "".join(rng.choice(alphabet) for _ in range(32))
        finding = {"rule": "generic-password", "rule_name": "Password", "provider": "generic", "confidence": "medium",
                   "secret": secret, "fingerprint": "%032x" % i, "redacted": False, "path": "config/app.env",
                   "line": i + 1, "column": 10, "end_line": i + 1, "end_column": 41, "snippet": "password=" + secret,
                   "decoded": "none", "validated": None, "verified": None, "context": {}, "commit": None, "author": None,
                   "author_date": None, "commit_date": None,
                   "locations": [{"path": "config/app.env", "line": i + 1, "column": 10, "commit": None, "author_date": None}]}
        f.write((",\n" if i else "") + json.dumps(finding, indent=2))
    f.write('\n], "skipped": [], "errors": [], "stats": {"files": 1, "blobs": 0, "bytes": 1, "seconds": 0.1, "rejected_by_validator": 0, "allowed": 0}}\n')
EOF
    mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.0f} MB')" "$report")
    read -r wall peak status < <(timed remediate "$report" --no-replace-file --format json --output "$work/plan.json" --verbose)
    own=$(grep -o 'peak memory [0-9]* MiB' "$work/err" || echo "peak memory ? MiB")
    [[ $status -eq 0 ]] || { echo "scaling-benchmark: remediate of $count findings: exit $status: $(head -c 300 "$work/err")" >&2; failed=1; }
    row report "$count" "$wall" "$peak" "$mb report, patrol's own $own"
done
first_rate=

# The same reports through verify (no provider is asked: generic passwords have no verifier),
# which writes every finding back: read a second time from the file, a finding at a time.
for count in "${reports[@]}"; do
    report="$work/report-$count.json"
    read -r wall peak status < <(timed verify "$report" --no-access-map --format json --output "$work/verified.json" --audit-log "$work/audit.jsonl" --verbose)
    own=$(grep -o 'peak memory [0-9]* MiB' "$work/err" || echo "peak memory ? MiB")
    [[ $status -eq 2 ]] || { echo "scaling-benchmark: verify of $count findings: exit $status, expected 2 (nothing checkable): $(tail -c 300 "$work/err")" >&2; failed=1; }
    row verify "$count" "$wall" "$peak" "patrol's own $own"
    rm -f "$report"
done

if [[ $pathological == yes ]]; then
    echo
    "$here/pathological-benchmark.sh" || failed=1
fi
exit "$failed"
