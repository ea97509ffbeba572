#!/usr/bin/env python3
"""Real-code precision benchmark for patrol: precision per confidence level on public repositories.

    python3 benchmarks/precision/precision-benchmark.py [--patrol PATH] [--cache DIR] [--history]
        [--repos NAME,NAME] [--list-unlabelled] [--show-secrets] [--json FILE]

Every repository of repos.tsv (name, URL, commit) is brought to DIR/<name> (default
benchmarks/corpus-precision/, git-ignored) at its pinned commit: from a local mirror when one is
at /work/.mirror/<owner>+<name>/repo, otherwise with `git clone`. The repositories are never
committed. Then `patrol scan` runs on each worktree (and `patrol history` with --history), the
findings are deduplicated by secret (rule and fingerprint, per repository) and joined with the
hand-labelled file labels.tsv (repo, path, rule, fingerprint, label, reason: fingerprints only,
never a secret).

It prints, per confidence level (high, medium, low from provider rules, generic = the generic
heuristic, all low), the distinct secrets reported, how many of them are labelled true and false,
the precision (true / labelled) and the unlabelled count; then every labelled-true secret that
is no longer reported (a lost real leak). --list-unlabelled lists the unlabelled findings
(redacted unless --show-secrets, for labelling on your own machine). Exit 1 when a target is
missed: high 100 %, medium >= 95 %, generic >= 80 %, or a labelled-true secret is lost.
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TARGETS = {"high": 1.0, "medium": 0.95, "generic": 0.80}
LEVELS = ["high", "medium", "low", "generic"]


def read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(line.split("\t"))
    return rows


def materialize(name: str, url: str, commit: str, cache: Path) -> Path:
    target = cache / name
    stamp = target / ".patrol-bench-commit"
    if stamp.exists() and stamp.read_text().strip() == commit:
        return target
    if target.exists():
        subprocess.run(["rm", "-rf", str(target)], check=True)
    target.mkdir(parents=True)
    owner_repo = url.rstrip("/").split("github.com/")[-1]
    mirror = Path("/work/.mirror") / owner_repo.replace("/", "+") / "repo"
    git_dir = mirror if mirror.exists() else None
    if git_dir is None:
        clone = cache / (name + ".git")
        if not clone.exists():
            subprocess.run(["git", "clone", "--bare", "--quiet", url, str(clone)], check=True)
        git_dir = clone
    # A real git worktree (so `patrol scan` treats it as one and `patrol history` can run).
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", "--shared", str(git_dir), str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "-c", "advice.detachedHead=false", "checkout", "--quiet", commit], check=False)  # a mirror lacks files of 4 MiB and more
    stamp.write_text(commit + "\n")
    # Keep the stamp out of the scan.
    with open(target / ".git" / "info" / "exclude", "a") as exclude:
        exclude.write(".patrol-bench-commit\n")
    return target


def scan(patrol: str, root: Path, history: bool, show_secrets: bool) -> list[dict]:
    findings = []
    commands = [[patrol, "scan", "--format", "jsonl", "--no-config", "--no-baseline", "--quiet", "."]]
    if history:
        commands.append([patrol, "history", "--format", "jsonl", "--no-config", "--no-baseline", "--quiet"])
    for command in commands:
        if show_secrets:
            command.insert(4, "--show-secrets")
        result = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if result.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} in {root} failed ({result.returncode}): {result.stderr[-2000:]}")
        findings += [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return findings


def level(finding: dict) -> str:
    return "generic" if finding["provider"] == "generic" else finding["confidence"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patrol", default=str(REPO / ".build/debug/patrol"))
    parser.add_argument("--cache", default=str(REPO / "benchmarks/corpus-precision"))
    parser.add_argument("--labels", default=str(HERE / "labels.tsv"))
    parser.add_argument("--history", action="store_true", help="also run patrol history on each repository")
    parser.add_argument("--list-unlabelled", action="store_true")
    parser.add_argument("--show-secrets", action="store_true", help="with --list-unlabelled: unredacted, for labelling locally")
    parser.add_argument("--json", help="write the distinct findings (redacted unless --show-secrets) to this file")
    parser.add_argument("--repos", help="comma-separated names from repos.tsv: run on these only")
    args = parser.parse_args()

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    labels: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    labels_path = Path(args.labels)
    if labels_path.exists():
        with open(labels_path, newline="") as handle:
            for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
                labels[(row["repo"], row["fingerprint"])] = (row["label"], row["rule"], row["path"], row["reason"])

    distinct: dict[tuple[str, str], dict] = {}
    repos = read_tsv(HERE / "repos.tsv")
    if args.repos:
        chosen = set(args.repos.split(","))
        repos = [row for row in repos if row[0] in chosen]
        labels = {key: value for key, value in labels.items() if key[0] in chosen}
    for name, url, commit, *_ in repos:
        root = materialize(name, url, commit, cache)
        for finding in scan(args.patrol, root, args.history, args.show_secrets):
            key = (name, finding["fingerprint"])
            if key not in distinct:
                distinct[key] = dict(finding, repo=name)

    counts = {lv: {"found": 0, "true": 0, "false": 0, "unlabelled": 0} for lv in LEVELS}
    unlabelled = []
    for key, finding in sorted(distinct.items()):
        row = counts[level(finding)]
        row["found"] += 1
        label = labels.get(key)
        if label is None:
            row["unlabelled"] += 1
            unlabelled.append(finding)
        elif label[0] == "true":
            row["true"] += 1
        else:
            row["false"] += 1

    print(f"patrol precision benchmark: {len(repos)} repositories, {len(distinct)} distinct secrets reported, {len(labels)} labels")
    print(f"{'level':<8} {'found':>6} {'true':>6} {'false':>6} {'precision':>10} {'unlabelled':>11}  target")
    failed = False
    for lv in LEVELS:
        row = counts[lv]
        labelled = row["true"] + row["false"]
        precision = row["true"] / labelled if labelled else None
        target = TARGETS.get(lv)
        shown = f"{precision * 100:.1f} %" if precision is not None else "-"
        verdict = ""
        if target is not None:
            met = precision is None or precision >= target
            verdict = f">= {target * 100:.0f} % " + ("ok" if met else "MISSED")
            failed |= not met
        print(f"{lv:<8} {row['found']:>6} {row['true']:>6} {row['false']:>6} {shown:>10} {row['unlabelled']:>11}  {verdict}")

    # A label whose reason says "history" was seen only by `patrol history`: it can be lost only
    # by a run that includes history.
    lost = [(key, value) for key, value in sorted(labels.items())
            if value[0] == "true" and key not in distinct and (args.history or "history" not in value[3])]
    print(f"labelled-true secrets no longer reported: {len(lost)}")
    for (repo, fingerprint), (_, rule, path, reason) in lost:
        print(f"  LOST {repo} {path} {rule} {fingerprint} ({reason})")
    failed |= bool(lost)

    if args.list_unlabelled:
        for finding in unlabelled:
            print("\t".join([finding["repo"], finding["path"], finding["rule"], finding["fingerprint"], level(finding),
                             str(finding["line"]), finding["secret"], finding["snippet"][:300]]))
    if args.json:
        with open(args.json, "w") as handle:
            for finding in distinct.values():
                handle.write(json.dumps(finding) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
