# Pitchline build, test and CI entry points. `make run` and `make test` are the
# two commands most people need; see README.md.
#
# Builds use plain `go build` with the Wails build tags (the Wails CLI is only
# used to regenerate frontend/wailsjs bindings: `make bindings`):
#   desktop,production  Wails production runtime (no dev server, no devtools)
#   webkit2_41          link libwebkit2gtk-4.1 (Debian 12 / Ubuntu 22.04+)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
BIN       := build/bin/pitchline
TAGS      := desktop,production,webkit2_41
ifeq ($(origin VERSION),undefined)
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
endif
export VERSION
LDFLAGS   := -w -s -X main.version=$(VERSION)
TOOLS_BIN := $(CURDIR)/.tools/bin
# fuzz-smoke: inputs per fuzz target (a count, never a duration: see
# scripts/fuzz-smoke.sh). fuzz: time per target for the long runs.
FUZZ_EXECS ?= 10000
FUZZTIME  ?= 1m
# Skipped tests (and why) of the last test-go/test-frontend/test-e2e run.
REPORTS   := build/test-reports
# Extended regexp of import paths tested WITHOUT -race (slow interop suites
# driving real external processes). Everything else runs under -race.
NORACE_RE ?= ^$$
GOTEST_FLAGS ?= -count=1 -timeout 15m

# Steps run in the order written; never in parallel (go-build embeds frontend/dist).
.NOTPARALLEL:

.PHONY: help setup setup-build setup-run run build frontend go-build bindings \
        test test-go test-frontend test-e2e test-skips lint fmt-check vet staticcheck bindings-check fuzz-smoke fuzz \
        bench bench-extra bench-conference clean distclean

help:
	@echo "make run        set up (run profile), build, start the desktop app"
	@echo "make test       set up (test profile), lint, build, Go tests, frontend tests, fuzz smoke,"
	@echo "                then the list of skipped tests and why (CI=true fails on a missing tool instead)"
	@echo "make build      build frontend and $(BIN)"
	@echo "make lint       gofmt check, go vet, staticcheck, generated bindings up to date"
	@echo "make bench      Go benchmarks plus scripts/bench.d/*.sh"
	@echo "make bench-conference  only the conference CPU benchmark against Janus AudioBridge (needs janus)"
	@echo "make fuzz-smoke every Fuzz* target for FUZZ_EXECS=$(FUZZ_EXECS) inputs (part of make test)"
	@echo "make fuzz       every Fuzz* target for FUZZTIME=$(FUZZTIME) each (long runs)"
	@echo "make bindings   regenerate frontend/wailsjs with the pinned Wails CLI"
	@echo "make setup      install/check everything for make test (scripts/setup.sh test)"
	@echo "make clean      remove build outputs; make distclean also node_modules and .tools"

# --- setup ---------------------------------------------------------------
setup:
	@echo "==> setup: apt packages, toolchains, frontend deps, Wails CLI, staticcheck (scripts/setup.sh test)"
	scripts/setup.sh test

setup-build:
	@echo "==> setup-build: build deps, toolchains, frontend deps (scripts/setup.sh build)"
	scripts/setup.sh build

setup-run:
	@echo "==> setup-run: build deps, toolchains, frontend deps, Wails CLI (scripts/setup.sh run)"
	scripts/setup.sh run

# --- build and run -------------------------------------------------------
build: setup-build
	@$(MAKE) --no-print-directory frontend go-build

frontend:
	@echo "==> frontend: tsc + vite build into frontend/dist"
	cd frontend && npm run --silent build

go-build:
	@echo "==> go-build: $(BIN) (tags $(TAGS), version $(VERSION))"
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .
	@echo "==> go-build: $(BIN)-cli (no GUI libraries: the same subcommands at 1/3 of the memory, see BENCHMARKS.md)"
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)-cli .

run: setup-run
	@$(MAKE) --no-print-directory frontend go-build
	@if [[ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "==> run: no DISPLAY/WAYLAND_DISPLAY: start it from a desktop session (or: xvfb-run $(BIN))"; exit 1; fi
	@echo "==> run: $(BIN)"
	$(BIN)

bindings: setup-run
	@echo "==> bindings: wails generate module (writes frontend/wailsjs; commit the result, never hand-edit)"
	$(TOOLS_BIN)/wails generate module -tags webkit2_41

# --- test ----------------------------------------------------------------
test: setup
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory frontend go-build
	@$(MAKE) --no-print-directory test-go
	@$(MAKE) --no-print-directory test-frontend
	@$(MAKE) --no-print-directory test-e2e
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory test-skips
	@echo "==> test: all passed"

# go test -json through internal/cmd/testreport: plain go test output, plus
# the skipped tests recorded for test-skips. pipefail keeps go test's status.
# PITCHLINE_BIN (the built binary) is set for every package that tests it.
test-go:
	@echo "==> test-go: go test -race (except NORACE_RE='$(NORACE_RE)'), PITCHLINE_BIN=$(abspath $(BIN))"
	@[[ -x $(BIN) ]] || { echo "test-go: $(BIN) is missing: run make build first (tests of the binary use it)"; exit 1; }
	$(GO) build -o $(REPORTS)/testreport ./internal/cmd/testreport
	rm -f $(REPORTS)/go-skips.jsonl
	export PITCHLINE_BIN=$(abspath $(BIN)); \
	report="$(REPORTS)/testreport go -skips $(REPORTS)/go-skips.jsonl"; \
	pkgs=$$($(GO) list ./...); \
	race=$$(grep -Ev '$(NORACE_RE)' <<<"$$pkgs" || true); \
	norace=$$(grep -E '$(NORACE_RE)' <<<"$$pkgs" || true); \
	if [[ -n "$$race" ]]; then $(GO) test -json -race $(GOTEST_FLAGS) $$race | $$report; fi; \
	if [[ -n "$$norace" ]]; then echo "==> test-go: without -race: $$norace"; $(GO) test -json $(GOTEST_FLAGS) $$norace | $$report; fi

test-frontend:
	@echo "==> test-frontend: vitest"
	cd frontend && npx vitest run --reporter=default --reporter=json --outputFile.json=$(abspath $(REPORTS))/unit.vitest.json

# End-to-end UI tests: headless Debian chromium (playwright-core) against the
# real binary in browser mode (`pitchline serve`) on the demo line. Needs the
# frontend built into $(BIN) first (make frontend go-build); `make test` does.
test-e2e:
	@echo "==> test-e2e: playwright-core + /usr/bin/chromium against $(BIN) serve"
	cd frontend && PITCHLINE_E2E_BIN=$(abspath $(BIN)) npm run --silent test:e2e -- \
	  --reporter=default --reporter=json --outputFile.json=$(abspath $(REPORTS))/e2e.vitest.json

# The tests test-go, test-frontend and test-e2e skipped, with their reasons.
test-skips:
	@echo "==> test-skips: skipped tests and why ($(REPORTS))"
	@[[ -x $(REPORTS)/testreport ]] || $(GO) build -o $(REPORTS)/testreport ./internal/cmd/testreport
	@$(REPORTS)/testreport skips $(REPORTS)

# A count per target, not a duration: a busy machine makes the run slower,
# never red (scripts/fuzz-smoke.sh explains the Go coordinator's deadline).
fuzz-smoke:
	@echo "==> fuzz-smoke: every Fuzz* target for $(FUZZ_EXECS) inputs"
	FUZZ_EXECS=$(FUZZ_EXECS) FUZZTIME= GO=$(GO) scripts/fuzz-smoke.sh

fuzz:
	@echo "==> fuzz: every Fuzz* target for $(FUZZTIME)"
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz-smoke.sh

# --- lint ----------------------------------------------------------------
lint: fmt-check vet staticcheck bindings-check

fmt-check:
	@echo "==> fmt-check: gofmt -l"
	@files=$$(find . -name '*.go' -not -path './frontend/node_modules/*' -not -path './.tools/*' \
	          -not -path './tmp/*' -not -path '*/testdata/*' | xargs gofmt -l); \
	if [[ -n "$$files" ]]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

# The engine (softphone/... minus its plug-ins dialer, crm, store; see
# internal/archtest) and its tests must build without cgo.
ENGINE_PLUGINS_RE := /softphone/(dialer|crm|store)(/|$$)

vet:
	@echo "==> vet: go vet ./..., then the engine with CGO_ENABLED=0"
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet $$($(GO) list ./softphone/... | grep -Ev '$(ENGINE_PLUGINS_RE)')

staticcheck:
	@echo "==> staticcheck: .tools/bin/staticcheck ./..."
	@[[ -x $(TOOLS_BIN)/staticcheck ]] || scripts/setup.sh test
	$(TOOLS_BIN)/staticcheck ./...

bindings-check:
	@echo "==> bindings-check: frontend/wailsjs matches the Go bindings (wails generate module)"
	@[[ -x $(TOOLS_BIN)/wails ]] || scripts/setup.sh run
	$(TOOLS_BIN)/wails generate module -tags webkit2_41 >/dev/null
	@git diff --quiet -- frontend/wailsjs && [[ -z "$$(git ls-files --others --exclude-standard frontend/wailsjs)" ]] || \
	  { echo "frontend/wailsjs is out of date: run make bindings and commit the result"; git status --short frontend/wailsjs; exit 1; }

# --- benchmarks ----------------------------------------------------------
bench:
	@echo "==> bench: go test -run '^$$' -bench . -benchmem ./..."
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@$(MAKE) --no-print-directory bench-extra

bench-extra:
	@echo "==> bench-extra: scripts/bench.d/*.sh"
	@shopt -s nullglob; for s in scripts/bench.d/*.sh; do \
	  [[ -x "$$s" ]] || continue; echo "==> bench-extra: $$s"; "$$s"; done

# The conference benchmark alone (also part of bench-extra): Pitchline's
# mix against Janus AudioBridge, side by side; fails if janus is missing.
bench-conference:
	@echo "==> bench-conference: scripts/bench.d/60-conference-janus.sh"
	scripts/bench.d/60-conference-janus.sh

# --- clean ---------------------------------------------------------------
clean:
	@echo "==> clean: build/bin, $(REPORTS), frontend/dist (keeps dist/.gitkeep)"
	rm -rf build/bin $(REPORTS)
	find frontend/dist -mindepth 1 -not -name .gitkeep -delete

distclean: clean
	@echo "==> distclean: frontend/node_modules, .tools"
	rm -rf frontend/node_modules .tools
