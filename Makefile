# mxlab — a Junos-style MX router emulator.
GO      ?= go
BIN     := bin/mxlab
ARGS    ?=
PKGS    := ./...

.PHONY: all build run test fmt-check test-race test-netns bench bench-lab lint fuzz-smoke demos deps generate clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/mxlab

## run: start one router with an interactive CLI (ARGS="--user alice" to pass flags)
run: build
	./$(BIN) $(ARGS)

## deps: Debian packages the tests drive (expect, netmiko...), installed when root
deps:
	./scripts/deps

## test: everything CI runs: format, vet, unit/transcript/golden tests with -race
test: deps fmt-check
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

# fmt-check fails when a Go file is not gofmt'ed.
fmt-check:
	@unformatted=$$(gofmt -l .); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

test-race: test

## test-netns: the tests that need root (namespaces, links, labs, IPsec between routers); they skip without it
NETNS_PKGS := ./netns/... ./routing/... ./lab/... ./services/...
test-netns: deps
	$(GO) test -race -count=1 $(NETNS_PKGS)

## demos: run every demo (demos/*/run); each exits 0 only when its checks held
demos: build
	@failed=; for d in demos/*/run; do echo "== $$d"; ./$$d || failed="$$failed $$d"; done; \
	  if [ -n "$$failed" ]; then echo "demos failed:$$failed"; exit 1; fi

## bench: the benchmarks named in the issues
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## bench-lab: lab benchmarks (root): 50-router lab up, ping RTT against plain namespaces, an IKE flood against a hub with ten tunnels; bench/lab-up 2000 and bench/lab-hosts 10000 are the large labs
bench-lab: build
	./bench/lab-up 50
	./bench/ping-rtt 10
	./bench/lab-hosts 1000
	$(GO) test -run '^$$' -bench Flood -benchtime 1x ./services

## lint: gofmt, go vet and, when installed, staticcheck
lint: fmt-check
	$(GO) vet $(PKGS)
	@if command -v staticcheck >/dev/null; then echo staticcheck $(PKGS); staticcheck $(PKGS); \
	  else echo "staticcheck not installed (go install honnef.co/go/tools/cmd/staticcheck@latest); skipped"; fi

## fuzz-smoke: run every fuzz target for FUZZTIME (default 10s)
FUZZTIME ?= 10s
fuzz-smoke:
	./scripts/fuzz $(FUZZTIME)

## generate: rebuild the schema table from ../shared/yang
generate:
	$(GO) generate ./config/...

clean:
	rm -rf bin
