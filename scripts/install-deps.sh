#!/usr/bin/env bash
# Installs the system packages patrol needs on Debian/Ubuntu: libpcre2-dev (the regex engine)
# and pkg-config to find it; with --test, git too (the tests build real repositories).
set -euo pipefail

packages=()
pkg-config --exists libpcre2-8 2>/dev/null || packages+=(libpcre2-dev)
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
if [[ "${1:-}" == "--test" ]]; then
    command -v git >/dev/null 2>&1 || packages+=(git)
fi
[[ ${#packages[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: please install ${packages[*]} with your package manager" >&2
    exit 1
fi
echo "install-deps: installing ${packages[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
