# patrol — see README.md.
SWIFT  ?= swift
PREFIX ?= /usr/local

.PHONY: run test bench install deps build release clean

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
