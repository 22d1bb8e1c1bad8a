# whispir-go developer targets. `make ci` is what .ci/run runs.
GO        ?= go
PKGS      := ./...
REDOCLY_VERSION := 2.77.0
TOOLS     := $(CURDIR)/.tools
REDOCLY   := $(TOOLS)/node_modules/.bin/redocly
FUZZTIME  ?= 10000x

.PHONY: all generate check-generated build vet fmt-check tidy-check lint test fuzz bench bench-mock mock-memory run ci

all: build test

generate:
	$(GO) generate ./...

# Regenerate and fail when generated/, the prepared spec (internal/specdoc)
# or the api helpers generated from them (api/*.gen.go) changed: committed
# code must be current.
GENERATED := generated/ internal/specdoc/ api/creates.gen.go api/lists.gen.go
check-generated: generate
	@git diff --exit-code --stat -- $(GENERATED) || { echo "$(GENERATED) stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); echo "$(GENERATED) has untracked changes"; exit 1; }

build:
	$(GO) build $(PKGS)

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags live $(PKGS)

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; test -z "$$out" || { echo "not gofmt-ed:"; echo "$$out"; exit 1; }

tidy-check:
	$(GO) mod tidy -diff

$(REDOCLY):
	npm install --no-audit --no-fund --prefix $(TOOLS) @redocly/cli@$(REDOCLY_VERSION)

# Redocly's recommended rules; errors fail, warnings are reported. The
# mock's admin API too (its health check answers only 200).
lint: $(REDOCLY)
	$(REDOCLY) lint --extends recommended openapi.yaml
	$(REDOCLY) lint --extends recommended --skip-rule operation-4xx-response whispirtest/admin.yaml

# The README's test command.
# redislimit's multi-process proof measures when requests arrive, so it runs
# on its own after the rest (beside other packages' tests, CPU stalls on two
# cores bunch arrivals), and without the race detector, which slows the mock
# it measures; every other redislimit test runs with -race above.
PROOF := ^TestFourProcessesShareOneKey$$
test:
	$(GO) test -race -count=1 -skip '$(PROOF)' $(PKGS)
	$(GO) test -count=1 -run '$(PROOF)' ./redislimit

# A short run of every fuzz target: a count of inputs each (make fuzz
# FUZZTIME=1000000x, or a duration such as 1m, for longer). A count, not a
# duration, by default: with a duration, Go 1.26's fuzz coordinator can
# report "context deadline exceeded" as a failure when the time runs out
# while a worker is busy (go.dev/issue/75804, fixed in Go 1.27), which a
# loaded CI machine hits with no failing input at all.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# Benchmarks, summed up in one table. Each benchmark runs its variants as
# sub-benchmarks named impl=raw (a standard-library baseline), then
# references such as impl=kin, then impl=whispir. go test -count would run
# each variant that many times in a row, so go test runs BENCH_COUNT times
# with -count 1 instead: the variants alternate, and a change in the
# machine's load falls on all of them. benchstat's medians go into one
# Markdown table (internal/cmd/benchtable): time, CPU time and allocations
# per operation, and the ratios to the benchmark's raw variant (else its
# first), each the median of the ratios within a round. benchstat's own
# tables are kept in $(BENCH_OUT:.txt=.stat).
# Add packages to BENCH_PKGS.
BENCH       ?= .
BENCH_PKGS  ?= . ./api ./cmd/whispir
BENCH_COUNT ?= 6
BENCH_TIME  ?= 1s
BENCH_OUT   ?= $(TOOLS)/bench.txt

# The whispir mock's memory bound alone: 200,000 sends and 20,000
# unauthenticated 1 MiB requests against the built binary, about a minute
# (make test runs it too; go test -short skips it).
mock-memory:
	$(GO) test -count=1 -run 'TestMockBinary/memory' -v ./cmd/whispir

bench:
	@mkdir -p $(dir $(BENCH_OUT))
	@: > $(BENCH_OUT)
	@for i in $$(seq $(BENCH_COUNT)); do \
	  { $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count 1 -benchtime $(BENCH_TIME) $(BENCH_PKGS); \
	    echo $$? > $(BENCH_OUT).rc; } | tee -a $(BENCH_OUT); \
	  test "$$(cat $(BENCH_OUT).rc)" = 0 || exit 1; \
	done
	@$(GO) tool benchstat -col /impl $(BENCH_OUT) > $(BENCH_OUT:.txt=.stat)
	@$(GO) tool benchstat -format csv -col /impl $(BENCH_OUT) 2>/dev/null | $(GO) run ./internal/cmd/benchtable -runs $(BENCH_OUT)

# whispir mock under load against Prism and a bare net/http server: a valid
# SMS sent (POST /messages) by BENCH_MOCK_WORKERS keep-alive workers, each
# server in every round (the order rotates), medians of the rounds, each
# answer's status checked (internal/cmd/loadgen). It installs Prism, pinned,
# into .tools/ (npm; Prism 5.16 declares node >= 24 but runs on node 20),
# and builds whispir without -race. Not part of ci: it takes minutes and
# downloads Prism. BENCH_MOCK_FLAGS=-nethttp sends with net/http's client;
# -baseline PATH adds another whispir binary (e.g. built from main).
PRISM_VERSION      := 5.16.0
PRISM_STAMP        := $(TOOLS)/.prism-$(PRISM_VERSION)
PRISM              := $(TOOLS)/node_modules/.bin/prism
BENCH_MOCK_ROUNDS  ?= 5
BENCH_MOCK_TIME    ?= 5s
BENCH_MOCK_WORKERS ?= 8
BENCH_MOCK_FLAGS   ?=

$(PRISM_STAMP):
	npm install --no-audit --no-fund --prefix $(TOOLS) @stoplight/prism-cli@$(PRISM_VERSION)
	@touch $@

bench-mock: $(PRISM_STAMP)
	$(GO) build -o $(TOOLS)/whispir ./cmd/whispir
	$(GO) build -o $(TOOLS)/loadgen ./internal/cmd/loadgen
	$(TOOLS)/loadgen -whispir $(TOOLS)/whispir -prism $(PRISM) -spec openapi.yaml \
	  -rounds $(BENCH_MOCK_ROUNDS) -duration $(BENCH_MOCK_TIME) -c $(BENCH_MOCK_WORKERS) $(BENCH_MOCK_FLAGS)

# The README's first command: a message through the whole pipeline to the embedded mock.
run:
	$(GO) run ./cmd/whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"

ci: build vet fmt-check check-generated tidy-check lint test run fuzz
