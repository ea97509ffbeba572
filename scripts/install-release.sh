#!/usr/bin/env bash
# Installs a patrol release for the GitHub Action (action.yml), or any Linux CI job: downloads
# patrol-VERSION-linux-ARCH.tar.gz and its .sha256 from the releases of PATROL_REPOSITORY (the
# action's own repository), checks the checksum, and puts patrol on PATH ($GITHUB_PATH).
#
#   PATROL_VERSION            0.1.0; empty: PATROL_ACTION_REF when it is a tag (v0.1.0), else the latest release
#   PATROL_REPOSITORY         owner/name whose releases hold the archives
#   PATROL_RELEASE_BASE_URL   default https://github.com/$PATROL_REPOSITORY/releases/download
#
# Writes installed=true or installed=false to $GITHUB_OUTPUT. No release for this version or
# machine is not an error (the action then builds from source); a checksum that does not match,
# or an archive without a patrol binary, is (exit 2).
set -euo pipefail

out="${GITHUB_OUTPUT:-/dev/null}"
not_installed() {
    echo "patrol: $1; building from source instead"
    echo "installed=false" >> "$out"
    exit 0
}

repository="${PATROL_REPOSITORY:-}"
base="${PATROL_RELEASE_BASE_URL:-}"
[ -n "$base" ] || [ -n "$repository" ] || not_installed "cannot tell which repository holds the releases"
base="${base:-https://github.com/$repository/releases/download}"

version="${PATROL_VERSION:-}"
version="${version#v}"
if [ -z "$version" ]; then
    case "${PATROL_ACTION_REF:-}" in v[0-9]*) version="${PATROL_ACTION_REF#v}" ;; esac
fi
if [ -z "$version" ] && [ -n "$repository" ]; then
    # The latest release: github.com/…/releases/latest redirects to …/releases/tag/vX.Y.Z.
    latest=$(curl -fsSLI -o /dev/null -w '%{url_effective}' "https://github.com/$repository/releases/latest" || true)
    case "${latest##*/}" in v[0-9]*) version="${latest##*/v}" ;; esac
fi
[ -n "$version" ] || not_installed "no release found"

[ "$(uname -s)" = Linux ] || not_installed "release archives are built for Linux only"
case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) not_installed "no release archive for $(uname -m)" ;;
esac

name="patrol-$version-linux-$arch.tar.gz"
folder="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/patrol-$version-$arch"
mkdir -p "$folder"
curl -fsSL -o "$folder/$name" "$base/v$version/$name" || not_installed "no archive at $base/v$version/$name"
if ! curl -fsSL -o "$folder/$name.sha256" "$base/v$version/$name.sha256"; then
    echo "::error::patrol: $name has no checksum file ($base/v$version/$name.sha256); refusing to install it"
    exit 2
fi
expected=$(awk '{ print $1; exit }' "$folder/$name.sha256")
actual=$(sha256sum "$folder/$name" | awk '{ print $1 }')
if [ "$expected" != "$actual" ]; then
    echo "::error::patrol: checksum mismatch for $name (expected $expected, got $actual); refusing to install it"
    exit 2
fi
tar -xzf "$folder/$name" -C "$folder"
binary=$(find "$folder" -type f -name patrol -perm -u+x | head -n 1)
if [ -z "$binary" ]; then
    echo "::error::patrol: $name holds no patrol executable"
    exit 2
fi
"$binary" --version
echo "$(dirname "$binary")" >> "${GITHUB_PATH:-/dev/null}"
echo "binary=$binary" >> "$out"
echo "installed=true" >> "$out"
