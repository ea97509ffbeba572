#!/usr/bin/env bash
# Checks that a release archive's patrol runs on a machine without Swift (Linux; run as root):
#   1. ldd lists only libc, libm, libstdc++, libgcc_s, zlib, libpcre2-8, libsqlite3 and libarchive
#      with the libraries it loads (nettle, acl, lzma, zstd, lz4, bz2, xml2, icu) (plus the loader
#      and the vDSO): the Swift runtime is linked in;
#   2. each of those comes from a Debian package that debian:bookworm-slim has (libc6,
#      libstdc++6, libgcc-s1, zlib1g, …) or that the Dockerfile's runtime stage installs
#      (libpcre2-8-0, libsqlite3-0, libarchive13 and its dependencies);
#   3. inside a chroot that holds nothing but the binary and those libraries, `patrol --version`
#      prints the version and the commit, a clean folder scans with exit 0, and a folder with a
#      generated (synthetic) token is reported with exit 1, the secret redacted.
# Usage: scripts/check-dist.sh dist/patrol-VERSION-linux-ARCH.tar.gz
set -euo pipefail

archive="${1:?usage: scripts/check-dist.sh dist/patrol-VERSION-linux-ARCH.tar.gz}"
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
[[ $(uname -s) == Linux ]] || { echo "check-dist: Linux only" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "check-dist: run as root (chroot needs it)" >&2; exit 2; }

work="$(mktemp -d)"
# /proc is unmounted before the folder is removed (see the chroot below).
trap 'umount "$work/root/proc" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "check-dist: FAIL: $*" >&2; exit 1; }

# The checksum file beside the archive must match it.
if [[ -f "$archive.sha256" ]]; then
    (cd "$(dirname "$archive")" && sha256sum --check --quiet "$(basename "$archive").sha256") || fail "checksum mismatch"
    echo "check-dist: $(basename "$archive").sha256 matches"
else
    fail "$archive.sha256 is missing"
fi

tar -C "$work" -xzf "$archive"
package="$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)"
binary="$package/patrol"
for file in patrol LICENSE README.md patrol.1 completions/patrol.bash completions/_patrol completions/patrol.fish; do
    [[ -s "$package/$file" ]] || fail "the archive lacks $file"
done
echo "check-dist: the archive holds $(cd "$package" && find . -type f | sort | tr '\n' ' ')"
if file "$binary" | grep -q "not stripped"; then fail "patrol is not stripped"; fi

# 1. The libraries it loads.
echo "check-dist: ldd $(basename "$binary"):"
ldd "$binary" | sed 's/^/    /'
allowed='^(linux-vdso\.so\.1|/lib(64)?/ld-linux[-a-z0-9_.]*\.so\.[0-9]+|ld-linux[-a-z0-9_.]*\.so\.[0-9]+|lib(c|m|stdc\+\+|gcc_s|z|pcre2-8|sqlite3|archive|nettle|acl|lzma|zstd|lz4|bz2|xml2|icuuc|icudata)\.so(\.[0-9]+)*)$'
libraries=()
while read -r name arrow path _; do
    [[ -n "$name" ]] || continue
    grep -Eq "$allowed" <<<"$name" || fail "unexpected library $name"
    if [[ "$arrow" == "=>" && "$path" == /* ]]; then
        libraries+=("$path")
    elif [[ "$name" == /* ]]; then
        libraries+=("$name")
    fi
done < <(ldd "$binary" | sed 's/(0x[0-9a-f]*)//')
echo "check-dist: ldd lists only libc, libm, libstdc++, libgcc_s, zlib, libpcre2-8, libsqlite3, libarchive and its compression libraries, the loader and the vDSO"

# 2. Which Debian packages hold them.
if command -v dpkg >/dev/null 2>&1; then
    runtime_packages='^(libc6|libstdc\+\+6|libgcc-s1|zlib1g|libpcre2-8-0|libsqlite3-0|libarchive13|libnettle8|libacl1|liblzma5|libzstd1|liblz4-1|libbz2-1\.0|libxml2|libicu72)$'
    for library in "${libraries[@]}"; do
        real="$(readlink -f "$library")"
        owner="$(dpkg -S "$real" 2>/dev/null || dpkg -S "$library" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true)"
        owner="${owner%%:*}"
        [[ -n "$owner" ]] || fail "no Debian package holds $library"
        grep -Eq "$runtime_packages" <<<"$owner" || fail "$library comes from $owner, which the runtime image lacks"
        echo "check-dist:     $library  ($owner)"
    done
    grep -q 'libpcre2-8-0' "$root_dir/Dockerfile" && grep -q 'libsqlite3-0' "$root_dir/Dockerfile" && grep -q 'libarchive13' "$root_dir/Dockerfile" \
        || fail "the Dockerfile's runtime stage does not install libpcre2-8-0, libsqlite3-0 and libarchive13"
    echo "check-dist: every library comes from libc6, libstdc++6, libgcc-s1, zlib1g (in debian:bookworm-slim) or libpcre2-8-0, libsqlite3-0, libarchive13 and its dependencies (installed by the Dockerfile)"
fi

# 3. A root with nothing else: no Swift, no shell, no git.
chroot_dir="$work/root"
mkdir -p "$chroot_dir/work/clean" "$chroot_dir/work/leak" "$chroot_dir/tmp" "$chroot_dir/dev"
chmod 1777 "$chroot_dir/tmp"
for library in "${libraries[@]}"; do
    for path in "$library" "$(readlink -f "$library")"; do
        mkdir -p "$chroot_dir$(dirname "$path")"
        cp -L "$path" "$chroot_dir$path"
    done
done
mknod -m 0666 "$chroot_dir/dev/null" c 1 3
cp "$binary" "$chroot_dir/patrol"
echo "check-dist: the chroot holds: $(cd "$chroot_dir" && find . -type f | sort | tr '\n' ' ')"
# Every container and machine has /proc, and the Swift runtime reads a process's arguments from
# /proc/self/cmdline: a root without it would run patrol with no arguments at all.
mkdir -p "$chroot_dir/proc"
mount -t proc proc "$chroot_dir/proc" || fail "cannot mount /proc in the chroot"

version="$(chroot "$chroot_dir" /patrol --version)" || fail "patrol --version did not run in the chroot"
echo "check-dist: chroot: patrol --version -> $version"
grep -Eq '^patrol [0-9]+\.[0-9]+\.[0-9]+( \([0-9a-f]{7,12}\))?$' <<<"$version" || fail "unexpected version line: $version"

printf 'nothing to see here\nuser: deploy\n' > "$chroot_dir/work/clean/notes.txt"
status=0
chroot "$chroot_dir" /patrol scan /work/clean > "$work/clean.out" 2>&1 || status=$?
[[ $status -eq 0 ]] || { cat "$work/clean.out" >&2; fail "scan of a clean folder exited $status"; }
echo "check-dist: chroot: patrol scan /work/clean -> exit 0: $(tail -1 "$work/clean.out")"

# A synthetic token, generated now by the binary itself: none is stored in this repository.
token="$("$binary" rules generate github-pat --count 1 | head -1)"
[[ -n "$token" ]] || fail "rules generate gave no token"
printf 'export GITHUB_TOKEN=%s\n' "$token" > "$chroot_dir/work/leak/env.sh"
status=0
chroot "$chroot_dir" /patrol scan /work/leak > "$work/leak.out" 2>&1 || status=$?
[[ $status -eq 1 ]] || { cat "$work/leak.out" >&2; fail "scan of a folder with a token exited $status, not 1"; }
grep -q 'github-pat' "$work/leak.out" || fail "the token was not reported"
! grep -qF "$token" "$work/leak.out" || fail "the secret was printed unredacted"
echo "check-dist: chroot: patrol scan /work/leak -> exit 1, github-pat reported, secret redacted: $(tail -1 "$work/leak.out")"
echo "check-dist: OK"
