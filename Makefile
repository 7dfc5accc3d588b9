# mxlab — a Junos-style MX router emulator.
GO      ?= go
BIN     := bin/mxlab
ARGS    ?=
PKGS    := ./...

.PHONY: all build run test test-race bench lint fuzz-smoke deps generate clean

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
test: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

test-race: test

## bench: the benchmarks named in the issues
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## lint: gofmt and go vet
lint:
	gofmt -l .
	$(GO) vet $(PKGS)

## fuzz-smoke: run every fuzz target for FUZZTIME (default 10s)
FUZZTIME ?= 10s
fuzz-smoke:
	./scripts/fuzz $(FUZZTIME)

## generate: rebuild the schema table from ../shared/yang
generate:
	$(GO) generate ./config/...

clean:
	rm -rf bin
