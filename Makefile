# whispir-go developer targets. `make ci` is what .ci/run runs.
GO        ?= go
PKGS      := ./...
REDOCLY_VERSION := 2.77.0
TOOLS     := $(CURDIR)/.tools
REDOCLY   := $(TOOLS)/node_modules/.bin/redocly
FUZZTIME  ?= 5s

.PHONY: all generate check-generated build vet fmt-check tidy-check lint test fuzz bench run ci

all: build test

generate:
	$(GO) generate ./...

# Regenerate and fail when generated/ changed: committed code must be current.
check-generated: generate
	@git diff --exit-code --stat -- generated/ || { echo "generated/ is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- generated/)" || { git status --porcelain -- generated/; echo "generated/ has untracked changes"; exit 1; }

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
test:
	$(GO) test -race -count=1 $(PKGS)

# A short run of every fuzz target (make fuzz FUZZTIME=1m for longer).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The README's first command: a message through the whole pipeline to the embedded mock.
run:
	$(GO) run ./cmd/whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"

ci: build vet fmt-check check-generated tidy-check lint test run fuzz
