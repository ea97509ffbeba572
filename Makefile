# patrol — see README.md.
SWIFT  ?= swift
PREFIX ?= /usr/local

.PHONY: run test bench bench-accuracy bench-history bench-latency bench-sweep bench-pathological bench-scaling install deps build release clean

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

## make install: a release build with the Swift runtime linked in, into $(PREFIX)/bin
install: deps
	$(SWIFT) build -c release --static-swift-stdlib
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/patrol $(DESTDIR)$(PREFIX)/bin/patrol

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
