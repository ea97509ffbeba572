# patrol — see README.md.
SWIFT  ?= swift
PREFIX ?= /usr/local
STRIP  ?= strip

# The version is Patrol.version in Sources/patrol/Patrol.swift, the one place it is written.
VERSION := $(shell sed -n 's/^ *static let version = "\(.*\)"$$/\1/p' Sources/patrol/Patrol.swift)
OS      := $(shell uname -s | tr A-Z a-z)
ARCH    := $(shell uname -m)
# Linux: the Swift runtime linked into the binary, so it runs without Swift. macOS has the
# runtime in the system and does not support a static one.
STATIC  := $(if $(filter linux,$(OS)),--static-swift-stdlib)
DIST    := patrol-$(VERSION)-$(OS)-$(ARCH)
SHA256  := $(if $(filter darwin,$(OS)),shasum -a 256,sha256sum)
TAROWNER := $(if $(filter darwin,$(OS)),--uid 0 --gid 0,--owner=0 --group=0 --numeric-owner)

.PHONY: run test bench bench-accuracy bench-precision bench-history bench-latency bench-sweep bench-pathological bench-scaling install deps build release clean dist dist-check man

## make run: install what is missing, build release, scan this repository
run: release
	.build/release/patrol scan .

## make test: install what the tests need, run the whole test suite
test:
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## make bench: throughput benchmark against ripgrep (and other scanners when installed)
bench: release
	benchmarks/scan-benchmark.sh

## make bench-accuracy: labelled corpus (every rule, encoded forms, history, hard negatives): recall per provider, precision
bench-accuracy: release
	python3 benchmarks/accuracy-benchmark.py

## make bench-precision [HISTORY=1]: hand-labelled findings on pinned public repositories: precision per confidence level
bench-precision: release
	python3 benchmarks/precision/precision-benchmark.py --patrol .build/release/patrol $(if $(HISTORY),--history)

## make bench-history [REPO=path]: full-history scan (default: the git/git copy) against Kingfisher and gitleaks
bench-history: release
	benchmarks/history-benchmark.sh $(REPO)

## make bench-latency: pre-commit latency, patrol diff --staged in a 10,000-file repository
bench-latency: release
	benchmarks/precommit-latency.sh

## make bench-sweep: first and second (incremental) sweep of 20 generated repositories, times and peak RSS
bench-sweep: release
	benchmarks/sweep-benchmark.sh

## make bench-pathological: hostile 10 MB inputs (percent escapes, password lines, dense AWS keys), MB/s per core
bench-pathological: release
	benchmarks/pathological-benchmark.sh

## make bench-scaling: cost against size for folder depth, locations per file and report size, then the pathological inputs
bench-scaling: release
	benchmarks/scaling-benchmark.sh

## make install: a stripped release build with the Swift runtime linked in, into $(PREFIX)/bin
install: deps
	$(SWIFT) build -c release $(STATIC)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/patrol $(DESTDIR)$(PREFIX)/bin/patrol
	$(STRIP) $(DESTDIR)$(PREFIX)/bin/patrol

## make man: the manual page patrol.1 (ArgumentParser's generate-manual plugin)
man: deps
	$(SWIFT) package generate-manual --configuration release
	cp .build/plugins/GenerateManual/outputs/patrol/patrol.1 patrol.1

## make dist: dist/patrol-VERSION-OS-ARCH.tar.gz (stripped binary, man page, completions, LICENSE, README) and its .sha256
dist: man
	$(SWIFT) build -c release $(STATIC)
	rm -rf dist/$(DIST) dist/$(DIST).tar.gz dist/$(DIST).tar.gz.sha256
	install -d dist/$(DIST)/completions
	install -m 0755 .build/release/patrol dist/$(DIST)/patrol
	$(STRIP) dist/$(DIST)/patrol
	install -m 0644 LICENSE dist/$(DIST)/LICENSE
	install -m 0644 scripts/dist-README.md dist/$(DIST)/README.md
	install -m 0644 patrol.1 dist/$(DIST)/patrol.1
	dist/$(DIST)/patrol --generate-completion-script bash > dist/$(DIST)/completions/patrol.bash
	dist/$(DIST)/patrol --generate-completion-script zsh > dist/$(DIST)/completions/_patrol
	dist/$(DIST)/patrol --generate-completion-script fish > dist/$(DIST)/completions/patrol.fish
	tar -C dist $(TAROWNER) -czf dist/$(DIST).tar.gz $(DIST)
	cd dist && $(SHA256) $(DIST).tar.gz > $(DIST).tar.gz.sha256
	@cat dist/$(DIST).tar.gz.sha256

## make dist-check: the archive's binary runs in a root holding only the system libraries it may need (Linux, as root)
dist-check:
	scripts/check-dist.sh dist/$(DIST).tar.gz

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
