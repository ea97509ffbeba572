#!/usr/bin/env python3
"""Generates a benchmark corpus for `patrol scan`: real-looking source files with planted tokens.

    python3 benchmarks/generate-corpus.py OUT_DIR [--size-mb 1024] [--files 20000] [--seed 1]
                                          [--source DIR ...] [--patrol PATH]

The text is real: a pool of a few thousand text files read from --source folders (by default the
Python, C, Swift, Perl, Node and documentation files that this machine has) is sliced and
concatenated into --files files (1 KB to 400 KB, log-uniform, scaled to reach --size-mb) in nested
folders with realistic names and extensions (.py .js .ts .go .cs .java .yml .json .env .ps1 .tf .sh
.xml .md, and a few NuGet.Config, pip.conf, azure-pipelines.yml).

About one Azure DevOps token per 500 KB is planted in a realistic context (assignments in several
languages, `export`, pipeline YAML, clone URLs, NuGet.Config, pip.conf, `config.sh --token`, .env
lines, bare tokens), plus look-alikes with a bad checksum that must not be reported. Tokens come
only from `patrol rules generate RULE --count N --seed S [--bad-checksum]`: this script knows no
checksum algorithm.

OUT_DIR/.patrol-bench-manifest.json lists every planted token's path, line, rule, kind (valid or
bad) and context, and its fingerprint (the first 32 hex digits of SHA-256 over rule id, a NUL byte
and the token, which is patrol's JSON `fingerprint`), never the token itself.

Deterministic for a seed (given the same source files and the same patrol). Idempotent: an OUT_DIR
whose manifest has the same parameters is reused as it is. A corpus is built in OUT_DIR.partial
and renamed into place when complete. Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import bisect
import glob
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

GENERATOR_VERSION = 1
MANIFEST_NAME = ".patrol-bench-manifest.json"
BYTES_PER_TOKEN = 500 * 1024        # about one valid token per 500 KB
BAD_RATIO = 0.25                    # plus a quarter as many bad-checksum look-alikes
TOKEN_BATCH = 64                    # tokens per `patrol rules generate` call
POOL_MAX_FILES = 4000               # "a few thousand" source files
POOL_MAX_FILE_BYTES = 1024 * 1024   # files of 1 MB or more are not pooled
MIN_FILE_BYTES, MAX_FILE_BYTES = 1024, 400 * 1024

RULE_PAT = "azure-devops-pat"
RULE_LEGACY = "azure-devops-pat-legacy"

# Default sources: (glob of folders, file name suffixes). Whatever exists is used.
DEFAULT_SOURCES: list[tuple[str, tuple[str, ...]]] = [
    ("/usr/lib/python3*", (".py",)),
    ("/usr/include", (".h",)),
    ("/opt/swift/usr/lib/swift", (".swiftinterface", ".h")),
    ("/usr/share/perl*", (".pm",)),
    ("/usr/lib/x86_64-linux-gnu/perl*", (".pm",)),
    ("/usr/lib/node_modules", (".js", ".ts", ".json", ".md")),
    ("/usr/share/nodejs", (".js", ".ts", ".json")),
    ("/usr/lib/google-cloud-sdk", (".yaml", ".yml")),
    ("/usr/share/doc", (".md", ".sh")),
    ("/usr/share/xml", (".xml",)),
    ("/usr/share/mime", (".xml",)),
]
TEXT_SUFFIXES = (".py", ".h", ".c", ".hpp", ".cc", ".swift", ".swiftinterface", ".pm", ".pl",
                 ".js", ".mjs", ".cjs", ".ts", ".go", ".cs", ".java", ".kt", ".rs", ".rb", ".sh",
                 ".ps1", ".yml", ".yaml", ".json", ".xml", ".toml", ".ini", ".cfg", ".conf", ".tf",
                 ".md", ".rst", ".txt", ".html", ".css")

# A pool file's flavour, by suffix, and the corpus extensions each flavour feeds.
FLAVOUR_OF_SUFFIX = {
    ".py": "python",
    ".h": "clike", ".c": "clike", ".hpp": "clike", ".cc": "clike", ".swift": "clike",
    ".swiftinterface": "clike", ".js": "clike", ".mjs": "clike", ".cjs": "clike", ".ts": "clike",
    ".go": "clike", ".cs": "clike", ".java": "clike", ".kt": "clike", ".rs": "clike",
    ".pm": "script", ".pl": "script", ".sh": "script", ".ps1": "script", ".rb": "script",
    ".yml": "config", ".yaml": "config", ".json": "config", ".toml": "config", ".ini": "config",
    ".cfg": "config", ".conf": "config", ".tf": "config",
    ".xml": "markup", ".html": "markup",
    ".md": "docs", ".rst": "docs", ".txt": "docs", ".css": "clike",
}
# Corpus extension -> (weight, flavours to draw text from, in order of preference)
EXTENSIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    ".py": (14, ("python",)),
    ".js": (11, ("clike",)),
    ".ts": (9, ("clike",)),
    ".go": (8, ("clike",)),
    ".cs": (9, ("clike",)),
    ".java": (8, ("clike",)),
    ".yml": (8, ("config",)),
    ".json": (7, ("config",)),
    ".xml": (5, ("markup", "config")),
    ".sh": (5, ("script",)),
    ".ps1": (3, ("script",)),
    ".tf": (3, ("config",)),
    ".env": (2, ()),            # synthesised KEY=value lines
    ".md": (8, ("docs",)),
}
SPECIAL_NAMES = {".yml": ("azure-pipelines.yml", 0.08), ".xml": ("NuGet.Config", 0.10),
                 ".env": (".env", 0.30)}

DIR_WORDS = ("src", "lib", "internal", "pkg", "app", "apps", "services", "tools", "scripts",
             "deploy", "infra", "config", "configs", "test", "tests", "docs", "api", "web",
             "core", "common", "shared", "utils", "handlers", "models", "controllers", "client",
             "server", "cmd", "build", "ci", "pipelines", "modules", "components", "vendor",
             "examples", "samples", "migrations", "jobs", "workers", "integration", "terraform",
             "helm", "charts", "ops", "platform", "data", "schemas", "auth", "gateway", "legacy")
PROJECT_WORDS = ("billing", "orders", "inventory", "payments", "identity", "search", "catalog",
                 "notifications", "reporting", "checkout", "shipping", "analytics", "accounts",
                 "ledger", "pricing", "customer", "fulfilment", "telemetry", "storefront", "sync")
ORGS = ("contoso", "fabrikam", "northwind", "adventure-works", "tailspin", "wingtiptoys",
        "woodgrove", "litware", "proseware", "fourthcoffee", "alpineski", "margie-travel")
ENV_VARS = ("AZURE_DEVOPS_PAT", "AZURE_DEVOPS_EXT_PAT", "AZDO_PERSONAL_ACCESS_TOKEN", "ADO_TOKEN",
            "SYSTEM_ACCESSTOKEN", "AZP_TOKEN", "ADO_PAT", "NUGET_FEED_PAT", "VSTS_PAT")

# Planting contexts: name -> (corpus extensions it fits, template). {tok} is the token.
CONTEXTS: dict[str, tuple[tuple[str, ...], str]] = {
    "python-assign": ((".py",), 'AZURE_DEVOPS_PAT = "{tok}"\n'),
    "python-environ": ((".py",), 'pat = os.environ.get("{var}", "{tok}")  # fallback for local runs\n'),
    "python-dict": ((".py",), 'HEADERS = {{"Authorization": "Basic " + b64(":" + "{tok}")}}\n'),
    "js-const": ((".js", ".ts"), "const adoToken = '{tok}';\n"),
    "js-env": ((".js", ".ts"), 'process.env.{var} = process.env.{var} || "{tok}";\n'),
    "ts-config": ((".ts",), "export const config = {{ org: '{org}', pat: '{tok}' }};\n"),
    "go-short": ((".go",), 'token := "{tok}"\n'),
    "go-const": ((".go",), 'const azdoPAT = "{tok}"\n'),
    "cs-var": ((".cs",), 'var pat = "{tok}";\n'),
    "cs-const": ((".cs",), 'private const string PersonalAccessToken = "{tok}";\n'),
    "java-string": ((".java",), 'String pat = "{tok}";\n'),
    "java-final": ((".java",), 'private static final String AZDO_TOKEN = "{tok}";\n'),
    "sh-export": ((".sh",), "export {var}={tok}\n"),
    "sh-export-quoted": ((".sh",), 'export {var}="{tok}"\n'),
    "git-clone-url": ((".sh", ".md", ".yml", ".ps1"),
                      "git clone https://{user}:{tok}@dev.azure.com/{org}/{proj}/_git/{repo}\n"),
    "git-remote-vs": ((".sh", ".md"),
                      "git remote add origin https://{tok}@{org}.visualstudio.com/DefaultCollection/_git/{repo}\n"),
    "agent-config": ((".sh", ".md"),
                     "./config.sh --unattended --url https://dev.azure.com/{org} --auth pat --token {tok} --pool Default --agent build-01\n"),
    "ps-env": ((".ps1",), '$env:{var} = "{tok}"\n'),
    "ps-var": ((".ps1",), "$pat = '{tok}'\n"),
    "yaml-variable": ((".yml",), "variables:\n  adoPat: {tok}\n  organization: {org}\n"),
    "yaml-script": ((".yml",), "  - script: git clone https://x:{tok}@dev.azure.com/{org}/{proj}/_git/{repo}\n"),
    "json-field": ((".json",), '  "personalAccessToken": "{tok}",\n'),
    "nuget-config": ((".xml",), '    <add key="ClearTextPassword" value="{tok}" />\n'),
    "xml-element": ((".xml",), "  <PersonalAccessToken>{tok}</PersonalAccessToken>\n"),
    "pip-conf": ((".md", ".yml", ".sh"),
                 "extra-index-url = https://feed:{tok}@pkgs.dev.azure.com/{org}/_packaging/{feed}/pypi/simple/\n"),
    "terraform": ((".tf",), 'provider "azuredevops" {{\n  org_service_url       = "https://dev.azure.com/{org}"\n  personal_access_token = "{tok}"\n}}\n'),
    "env-line": ((".env",), "{var}={tok}\n"),
    "dockerfile-env": ((".md", ".sh"), "ENV AZP_TOKEN={tok}\n"),
    "bare": (tuple(EXTENSIONS), "{tok}\n"),
}
# Contexts for the special file names.
SPECIAL_CONTEXTS = {"NuGet.Config": ("nuget-config",), "azure-pipelines.yml": ("yaml-variable", "yaml-script"),
                    "pip.conf": ("pip-conf",), ".env": ("env-line",)}


def log(msg: str) -> None:
    print(f"generate-corpus: {msg}", file=sys.stderr, flush=True)


def fingerprint(rule: str, token: str) -> str:
    return hashlib.sha256(rule.encode() + b"\0" + token.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# The pool of real text


def candidate_files(sources: list[str] | None) -> list[Path]:
    """Every pool candidate, sorted, so that the pool depends only on the seed and the files."""
    roots: list[tuple[Path, tuple[str, ...]]] = []
    if sources:
        roots = [(Path(s), TEXT_SUFFIXES) for s in sources]
    else:
        for pattern, suffixes in DEFAULT_SOURCES:
            roots += [(Path(p), suffixes) for p in sorted(glob.glob(pattern)) if os.path.isdir(p)]
    found: set[Path] = set()
    for root, suffixes in roots:
        if not root.is_dir():
            raise SystemExit(f"generate-corpus: --source {root}: not a folder")
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", "__pycache__", "node_modules")
                           or dirpath == str(root)]
            for name in filenames:
                if name.endswith(suffixes):
                    found.add(Path(dirpath, name))
    return sorted(found)


def read_pool(candidates: list[Path], rng: random.Random) -> dict[str, list[bytes]]:
    """Reads up to POOL_MAX_FILES text files, balanced across flavours; skips binaries."""
    by_flavour: dict[str, list[Path]] = {}
    for path in candidates:
        flavour = FLAVOUR_OF_SUFFIX.get(path.suffix, "docs")
        by_flavour.setdefault(flavour, []).append(path)
    for paths in by_flavour.values():
        rng.shuffle(paths)
    pool: dict[str, list[bytes]] = {f: [] for f in by_flavour}
    per_flavour = max(1, POOL_MAX_FILES // max(1, len(by_flavour)))
    # Round-robin so that a flavour with few files leaves its share to the others.
    quota = {f: per_flavour for f in by_flavour}
    spare = 0
    for flavour in sorted(by_flavour, key=lambda f: len(by_flavour[f])):
        take = min(len(by_flavour[flavour]), quota[flavour] + spare)
        spare = quota[flavour] + spare - take
        quota[flavour] = take
    for flavour in sorted(by_flavour):
        for path in by_flavour[flavour]:
            if len(pool[flavour]) >= quota[flavour]:
                break
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                size = path.stat().st_size
                if size < 256 or size >= POOL_MAX_FILE_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data or b"\r" in data[:8192] and b"\r\n" not in data[:8192]:
                continue                       # binary, or old Mac line ends
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if not data.endswith(b"\n"):
                data += b"\n"
            pool[flavour].append(data)
    return {f: files for f, files in pool.items() if files}


# ---------------------------------------------------------------------------------------------
# Tokens, from patrol only


def patrol_generate(patrol: str, rule: str, count: int, seed: int, bad: bool) -> list[str]:
    if count <= 0:
        return []
    cmd = [patrol, "rules", "generate", rule, "--count", str(count), "--seed", str(seed)]
    if bad:
        cmd.append("--bad-checksum")
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise SystemExit(f"generate-corpus: {patrol}: not found (build it: swift build -c release)")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"generate-corpus: {' '.join(cmd)} failed ({e.returncode}): {e.stderr.strip()}")
    tokens = [line.strip() for line in out.splitlines() if line.strip()]
    if len(tokens) != count:
        raise SystemExit(f"generate-corpus: {' '.join(cmd)} printed {len(tokens)} tokens, not {count}")
    return tokens


def patrol_version(patrol: str) -> str:
    try:
        out = subprocess.run([patrol, "--version"], capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


# ---------------------------------------------------------------------------------------------
# Layout: sizes, folders, names


def file_sizes(rng: random.Random, count: int, total: int) -> list[int]:
    if count == 0:
        return []
    lo, hi = math.log(MIN_FILE_BYTES), math.log(MAX_FILE_BYTES)
    sizes = [math.exp(rng.uniform(lo, hi)) for _ in range(count)]
    floor, ceiling = 256, max(MAX_FILE_BYTES, 4 * total // count)
    for _ in range(30):                 # scale to the total, respecting the bounds
        scale = total / sum(sizes)
        if abs(scale - 1) < 1e-4:
            break
        sizes = [min(ceiling, max(floor, s * scale)) for s in sizes]
    return [int(s) for s in sizes]


def identifiers(pool: dict[str, list[bytes]], rng: random.Random) -> list[str]:
    """Lower-case words from the pool, for file names."""
    words: set[str] = set()
    sample = [d for files in pool.values() for d in files[:50]]
    for data in sample:
        for m in re.finditer(rb"\b([a-z][a-z]{3,11})(?:_[a-z]{3,9})?\b", data[:20000]):
            words.add(m.group(0).decode())
            if len(words) > 4000:
                break
    result = sorted(words) or ["module", "helper", "service", "client", "config"]
    rng.shuffle(result)
    return result


def make_folders(rng: random.Random, count: int, words: list[str]) -> list[str]:
    folders: set[str] = set()
    while len(folders) < count:
        depth = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
        parts = [rng.choice(PROJECT_WORDS) + rng.choice(("", "-api", "-service", "-web", "-worker", "-lib"))]
        for _ in range(depth - 1):
            parts.append(rng.choice(DIR_WORDS) if rng.random() < 0.7 else rng.choice(words))
        folders.add("/".join(parts))
    return sorted(folders)


def file_name(rng: random.Random, ext: str, words: list[str]) -> str:
    special = SPECIAL_NAMES.get(ext)
    if special and rng.random() < special[1]:
        return special[0]
    if ext == ".md" and rng.random() < 0.05:
        return "pip.conf"
    stem = rng.choice(words)
    if rng.random() < 0.4:
        stem += rng.choice(("_", "-", "")) + rng.choice(words)
    if ext in (".cs", ".java"):
        stem = "".join(p.capitalize() for p in re.split(r"[_-]", stem))
    elif ext in (".go", ".py"):
        stem = stem.replace("-", "_")
    return stem + ext


# ---------------------------------------------------------------------------------------------
# Content


def slice_text(rng: random.Random, data: bytes, want: int) -> bytes:
    """A run of whole lines of data, of at most about `want` bytes, starting anywhere."""
    if len(data) <= want:
        return data
    start = rng.randrange(0, len(data) - want + 1)
    if start:
        nl = data.find(b"\n", start)
        start = nl + 1 if nl != -1 else 0
    end = data.rfind(b"\n", start, start + want)
    return data[start:end + 1] if end > start else data[start:start + want] + b"\n"


def env_text(rng: random.Random, size: int, names: list[str]) -> bytes:
    out: list[str] = []
    n = 0
    while n < size:
        key = rng.choice(names)
        kind = rng.random()
        if kind < 0.3:
            value = str(rng.randrange(1, 65536))
        elif kind < 0.6:
            value = f"https://{rng.choice(PROJECT_WORDS)}.{rng.choice(ORGS)}.internal:{rng.randrange(1024, 9999)}"
        elif kind < 0.8:
            value = rng.choice(("true", "false", "debug", "info", "production", "staging"))
        else:
            value = f"/var/lib/{rng.choice(PROJECT_WORDS)}/{rng.choice(DIR_WORDS)}"
        line = f"{key}={value}\n" if rng.random() < 0.9 else f"# {key.lower().replace('_', ' ')}\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


def build_text(rng: random.Random, size: int, sources: list[list[bytes]]) -> bytes:
    parts: list[bytes] = []
    n = 0
    while n < size:
        files = rng.choice(sources)
        data = files[rng.randrange(len(files))]
        piece = slice_text(rng, data, min(size - n + 200, rng.choice((4096, 16384, 65536, 262144))))
        parts.append(piece)
        n += len(piece)
    text = b"".join(parts)
    if len(text) > size:
        cut = text.rfind(b"\n", 0, size)
        text = text[:cut + 1] if cut > 0 else text[:size].rstrip(b"\n") + b"\n"
    return text


# ---------------------------------------------------------------------------------------------


def same_params(out_dir: Path, params: dict) -> bool:
    manifest = out_dir / MANIFEST_NAME
    try:
        old = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    if old.get("params") != params:
        return False
    # A cheap integrity check: the same number of files and bytes.
    files = total = 0
    for dirpath, _, filenames in os.walk(out_dir):
        for name in filenames:
            if name != MANIFEST_NAME:
                files += 1
                total += os.path.getsize(os.path.join(dirpath, name))
    return files == old.get("corpus", {}).get("files") and total == old.get("corpus", {}).get("bytes")


def generate(out_dir: Path, args: argparse.Namespace, params: dict) -> dict:
    rng = random.Random(args.seed)
    total = args.size_mb * 1024 * 1024
    started = time.monotonic()

    candidates = candidate_files(args.source)
    if not candidates:
        raise SystemExit("generate-corpus: no text files found in the sources; give --source DIR")
    pool = read_pool(candidates, random.Random(rng.random()))
    pool_files = sum(len(v) for v in pool.values())
    pool_bytes = sum(len(d) for v in pool.values() for d in v)
    if not pool_files:
        raise SystemExit("generate-corpus: no usable text files in the sources")
    log(f"pool: {pool_files} files, {pool_bytes / 1e6:.1f} MB "
        f"({', '.join(f'{f} {len(v)}' for f, v in sorted(pool.items()))}) from {len(candidates)} candidates")

    # Tokens: valid ones of both rules, and bad-checksum look-alikes.
    n_valid = max(2, round(total / BYTES_PER_TOKEN))
    n_pat = (n_valid * 55 + 99) // 100
    n_legacy = n_valid - n_pat
    n_bad_pat, n_bad_legacy = max(1, round(n_pat * BAD_RATIO)), max(1, round(n_legacy * BAD_RATIO))
    # `rules generate --count N` draws consecutive tokens from one stream (neighbours share most
    # characters), so tokens come in batches of TOKEN_BATCH, each batch from its own seed.
    planted_tokens: list[tuple[str, str, str]] = []          # (rule, kind, token)
    for k, (rule, kind, count) in enumerate(((RULE_PAT, "valid", n_pat), (RULE_LEGACY, "valid", n_legacy),
                                             (RULE_PAT, "bad", n_bad_pat), (RULE_LEGACY, "bad", n_bad_legacy))):
        for batch, first in enumerate(range(0, count, TOKEN_BATCH)):
            seed = (args.seed * 4 + k) * 100_000 + batch
            tokens = patrol_generate(args.patrol, rule, min(TOKEN_BATCH, count - first), seed, kind == "bad")
            planted_tokens += [(rule, kind, t) for t in tokens]
    seen: set[str] = set()
    unique = []
    for item in planted_tokens:
        if item[2] not in seen:
            seen.add(item[2])
            unique.append(item)
    if len(unique) != len(planted_tokens):
        log(f"warning: patrol generated {len(planted_tokens) - len(unique)} duplicate tokens; dropped")
    planted_tokens = unique
    rng.shuffle(planted_tokens)

    # Layout.
    words = identifiers(pool, rng)
    exts = list(EXTENSIONS)
    weights = [EXTENSIONS[e][0] for e in exts]
    folders = make_folders(rng, max(1, args.files // 12), words)
    env_names = sorted({m.decode() for d in pool.get("clike", [])[:200]
                        for m in re.findall(rb"\b[A-Z][A-Z0-9]{2,}_[A-Z0-9_]{2,24}\b", d[:30000])}) or list(ENV_VARS)
    kinds = [rng.choices(exts, weights)[0] for _ in range(args.files)]
    env_sizes = {i: rng.randrange(600, 8192) for i, ext in enumerate(kinds) if ext == ".env"}
    other = [i for i in range(args.files) if i not in env_sizes]
    scaled = file_sizes(rng, len(other), max(len(other) * 256, total - sum(env_sizes.values())))
    sizes = dict(env_sizes) | dict(zip(other, scaled))
    files: list[tuple[str, str, int]] = []                   # (relative path, extension, size)
    used: set[str] = set()
    for i, ext in enumerate(kinds):
        folder = rng.choice(folders)
        for _ in range(100):
            rel = f"{folder}/{file_name(rng, ext, words)}"
            if rel not in used:
                break
        else:
            rel = f"{folder}/{len(used)}{ext}"
        used.add(rel)
        files.append((rel, ext, sizes[i]))

    # Which file gets which token: a random byte of the corpus, so about one per 500 KB.
    cumulative: list[int] = []
    acc = 0
    for _, _, size in files:
        acc += size
        cumulative.append(acc)
    plants: dict[int, list[tuple[str, str, str]]] = {}
    for item in planted_tokens:
        index = bisect.bisect_right(cumulative, rng.randrange(acc))
        plants.setdefault(min(index, len(files) - 1), []).append(item)

    partial = out_dir.with_name(out_dir.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    manifest_planted = []
    written_bytes = 0
    for index, (rel, ext, size) in enumerate(files):
        name = rel.rsplit("/", 1)[1]
        if ext == ".env":
            text = env_text(rng, size, env_names)
        else:
            flavours = [pool[f] for f in EXTENSIONS[ext][1] if f in pool] or list(pool.values())
            text = build_text(rng, size, flavours[:1] if rng.random() < 0.85 else flavours + list(pool.values()))
        here: list[dict] = []
        for rule, kind, token in plants.get(index, ()):
            choices = SPECIAL_CONTEXTS.get(name) or [c for c, (e, _) in CONTEXTS.items() if ext in e]
            context = rng.choice(choices)
            if rng.random() < 0.1:
                context = "bare"
            snippet = CONTEXTS[context][1].format(
                tok=token, var=rng.choice(ENV_VARS), org=rng.choice(ORGS), proj=rng.choice(PROJECT_WORDS),
                repo=rng.choice(PROJECT_WORDS) + rng.choice(("", "-api", "-web", "-infra")),
                feed=rng.choice(("internal", "python-feed", "shared", "release")),
                user=rng.choice(("build", "pat", "svc-ci", "me", "x")),
            ).encode()
            # Insert the snippet at a line start; plants already in this file after it move down.
            at = rng.randrange(0, len(text) + 1)
            nl = text.rfind(b"\n", 0, at)
            at = nl + 1 if nl != -1 else 0
            text = text[:at] + snippet + text[at:]
            for p in here:
                if p["_offset"] >= at:
                    p["_offset"] += len(snippet)
            here.append({"_offset": at + snippet.index(token.encode()), "path": rel, "rule": rule,
                         "kind": kind, "context": context, "fingerprint": fingerprint(rule, token)})
        target = partial / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text)
        for p in here:
            p["line"] = text.count(b"\n", 0, p.pop("_offset")) + 1
        manifest_planted += here
        written_bytes += len(text)
        if (index + 1) % 2000 == 0:
            log(f"{index + 1}/{len(files)} files, {written_bytes / 1e6:.0f} MB")

    manifest_planted.sort(key=lambda p: (p["path"], p["line"]))
    manifest = {
        "generator": "patrol benchmarks/generate-corpus.py",
        "params": params,
        "patrol": {"path": args.patrol, "version": patrol_version(args.patrol)},
        "pool": {"files": pool_files, "bytes": pool_bytes},
        "corpus": {"files": len(files), "bytes": written_bytes},
        "planted_counts": {
            f"{rule}/{kind}": sum(1 for p in manifest_planted if p["rule"] == rule and p["kind"] == kind)
            for rule in (RULE_PAT, RULE_LEGACY) for kind in ("valid", "bad")},
        "planted": manifest_planted,
    }
    (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    partial.rename(out_dir)
    log(f"wrote {out_dir}: {len(files)} files, {written_bytes / 1e6:.1f} MB, "
        f"{len(manifest_planted)} planted tokens ({manifest['planted_counts']}) in {time.monotonic() - started:.0f} s")
    return manifest


def main() -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path)
    parser.add_argument("--size-mb", type=int, default=1024, help="corpus size in MiB (default 1024)")
    parser.add_argument("--files", type=int, default=20000, help="number of files (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--source", action="append", metavar="DIR",
                        help="folder of text files to draw from (repeatable; default: this machine's "
                             "Python, C, Swift, Perl, Node and documentation files)")
    parser.add_argument("--patrol", default=str(here.parent / ".build/release/patrol"),
                        help="the patrol binary that generates the tokens (default .build/release/patrol)")
    parser.add_argument("--force", action="store_true", help="regenerate even if OUT_DIR is up to date")
    args = parser.parse_args()
    if args.size_mb <= 0 or args.files <= 0:
        parser.error("--size-mb and --files must be positive")
    if args.files * 256 > args.size_mb * 1024 * 1024:
        parser.error("too many files for that size (at least 256 bytes a file)")
    if args.source:
        args.source = [str(Path(s).resolve()) for s in args.source]

    out_dir: Path = args.out_dir.resolve()
    params = {"version": GENERATOR_VERSION, "size_mb": args.size_mb, "files": args.files,
              "seed": args.seed, "sources": args.source}
    if out_dir.exists() and not args.force:
        if same_params(out_dir, params):
            log(f"{out_dir} is up to date (same parameters); reusing it")
            return 0
        if not (out_dir / MANIFEST_NAME).exists() and any(out_dir.iterdir()):
            raise SystemExit(f"generate-corpus: {out_dir} exists and is not a generated corpus; "
                             "choose another folder")
        log(f"{out_dir}: parameters changed or files missing; regenerating")
    if not os.access(args.patrol, os.X_OK):
        raise SystemExit(f"generate-corpus: {args.patrol}: no patrol binary (run `swift build -c release`, "
                         "or give --patrol PATH)")
    generate(out_dir, args, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
