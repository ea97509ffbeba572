# syntax=docker/dockerfile:1
# patrol in a container:
#   docker build -t patrol .
#   docker run --rm -v "$PWD:/src" patrol scan /src
#   docker run --rm -v "$PWD:/src" patrol history /src
# The image has /usr/local/bin/patrol, git and ENTRYPOINT ["patrol"]; the pre-commit framework's
# `language: docker` hook relies on all three.

# Build: the official Swift image (Swift 6.2 or later, as Package.swift asks) on Debian bookworm,
# the same release as the runtime below, so the libraries the binary links match.
ARG SWIFT_IMAGE=swift:6.2-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpcre2-dev libsqlite3-dev libarchive-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# .git is not in the build context (.dockerignore): the commit for `patrol --version` comes in
# as a build argument (the release workflow passes the tagged commit).
ARG PATROL_COMMIT=
RUN --mount=type=cache,target=/src/.build \
    PATROL_COMMIT="${PATROL_COMMIT}" swift build -c release --static-swift-stdlib \
    && install -D -m 0755 .build/release/patrol /out/patrol \
    && strip /out/patrol \
    && /out/patrol --version

# Runtime: the binary needs only libc, libm, libstdc++, libgcc_s, zlib (all in bookworm-slim),
# libpcre2-8, libsqlite3 and libarchive (with the compression libraries it loads); scripts/check-dist.sh
# proves that list on the release archive.
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="patrol" \
      org.opencontainers.image.description="Finds committed access tokens and proves them offline by their checksums" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpcre2-8-0 libsqlite3-0 libarchive13 git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    # A mounted repository belongs to the host's user, not to the one patrol runs as: without
    # this, git refuses it ("dubious ownership") and `patrol history /src` could not read it.
    && git config --system --add safe.directory '*' \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/patrol --shell /usr/sbin/nologin patrol
COPY --from=build /out/patrol /usr/local/bin/patrol
USER patrol
WORKDIR /src
ENTRYPOINT ["patrol"]
CMD ["--help"]
