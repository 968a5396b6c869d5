# Assure — make run (serve with a local database) and make test (the whole suite,
# after scripts/test-deps.sh has checked the programs it calls).

GO        ?= go
BIN       := bin/assure
ADDR      ?= :8080
TESTFLAGS ?= -count=1 -timeout 20m
# axe-core for the browser tests in e2e/ and ical.js, a second reader of
# the calendar feed for web/, installed by scripts/test-deps.sh.
AXE       := $(CURDIR)/var/npm/node_modules/axe-core/axe.min.js
ICALJS    := $(CURDIR)/var/npm/node_modules/ical.js/dist/ical.es5.cjs
# The published standards the tests read (OSCAL schema, OWASP MASVS): beside
# the checkout, or on this machine's shared folder for a clone elsewhere.
STANDARDS ?= $(firstword $(wildcard $(CURDIR)/../shared/standards /work/shared/standards))
# The fuzz targets make test runs after the suite, as package:target:runs (go
# test -fuzz takes one of each per run). Budgets are counts of executions,
# about ten seconds each here, not durations: a duration races Go 1.26's
# fuzzing coordinator at its deadline (go.dev/issue/75804) and fails at
# random on a loaded machine. FUZZSCALE multiplies every count.
FUZZ      := ./frameworks:FuzzParse:20000 ./domain:FuzzDetectEvidenceType:200000 \
             ./app:FuzzReadQuestionnaire:2000 ./api:FuzzJSONBodies:1500
FUZZSCALE ?= 1

.PHONY: run build test bench bench-scale vet fmt clean

run: build
	@ASSURE_ADDR="$${ASSURE_ADDR:-$(ADDR)}" scripts/run.sh

build:
	$(GO) build -o $(BIN) ./cmd/assure

test:
	@scripts/test-deps.sh
	@url="$${TEST_DATABASE_URL:-$$(scripts/database.sh postgres)}" && \
	  TEST_DATABASE_URL="$$url" ASSURE_AXE="$(AXE)" ASSURE_ICALJS="$(ICALJS)" ASSURE_STANDARDS="$${ASSURE_STANDARDS:-$(STANDARDS)}" \
	  $(GO) test $(TESTFLAGS) ./... && \
	  for t in $(FUZZ); do \
	    pkg=$${t%%:*} rest=$${t#*:}; target=$${rest%%:*} runs=$${rest#*:}; \
	    TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime "$$((runs * $(FUZZSCALE)))x" \
	      -fuzzminimizetime 200x -parallel 2 "$$pkg" || exit 1; \
	  done

# make bench measures every figure of bench/ against its baseline on a scale
# sector (2,000 providers × 8 campaigns × 1,000,000 audit events unless
# ASSURE_BENCH_PROVIDERS, _CAMPAIGNS, _EVENTS say otherwise; built once per
# size and code version, about five minutes) and prints the table of
# docs/performance.md. It fails when a figure is over its allowed ratio.
# The throughput figures load the API with wrk and the database with
# pgbench, which scripts/bench-deps.sh installs first.
BENCHCOUNT ?= 3
bench:
	@scripts/bench-deps.sh
	@mkdir -p var && url="$${TEST_DATABASE_URL:-$$(scripts/database.sh postgres)}" && \
	  TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -count $(BENCHCOUNT) -timeout 120m ./bench > var/bench.txt || \
	  { cat var/bench.txt; exit 1; }
	@$(GO) run ./bench/table < var/bench.txt

# make bench-scale prints the table at 200, 2,000 and 20,000 providers. A
# regional sector has fewer campaigns behind it than a national one has had
# time to gather: 20,000 providers are measured over 2 campaigns (40,000
# assessments, 3.3 million responses: two and a half times the 2,000 × 8
# sector), and no size over more than a million audit events (the audit
# figures do not grow with providers).
bench-scale:
	@for size in 200:8:100000 2000:8:1000000 20000:2:1000000; do \
	  n=$${size%%:*} rest=$${size#*:}; \
	  echo "## $$n providers × $${rest%%:*} campaigns × $${rest#*:} audit events"; \
	  ASSURE_BENCH_PROVIDERS=$$n ASSURE_BENCH_CAMPAIGNS=$${rest%%:*} ASSURE_BENCH_EVENTS=$${rest#*:} \
	    $(MAKE) --no-print-directory bench BENCHCOUNT=1 || true; \
	done
