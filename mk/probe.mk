# tools: benchmark probe (load vs wrk and hey, recover accuracy, watch CPU cost).

HEY_VERSION ?= v0.1.4
PROBE_BENCH_TOOLS := $(BUILD)/bench-tools
PROBE_BENCH_CONNS ?= 50
PROBE_BENCH_DURATION ?= 10s
PROBE_BENCH_RUNS ?= 10
PROBE_BENCH_WATCH ?= 60
PROBE_BENCH_ROUNDS ?= 3
PROBE_BENCH_URL ?=

.PHONY: bench-probe

bench-probe: $(BIN)/probe $(BUILD)/bench/probe-outage-server $(PROBE_BENCH_TOOLS)/hey-$(HEY_VERSION).stamp ## bench: probe load vs wrk/hey, recover accuracy, watch CPU (prints ratios; needs nginx, wrk)
	@PROBE=$(BIN)/probe HEY=$(PROBE_BENCH_TOOLS)/hey HEY_VERSION=$(HEY_VERSION) \
	  OUTAGE_SERVER=$(BUILD)/bench/probe-outage-server CONNS=$(PROBE_BENCH_CONNS) \
	  DURATION=$(PROBE_BENCH_DURATION) RUNS=$(PROBE_BENCH_RUNS) WATCH=$(PROBE_BENCH_WATCH) ROUNDS=$(PROBE_BENCH_ROUNDS) \
	  URL=$(PROBE_BENCH_URL) bench/probe/run.sh

$(BUILD)/bench/probe-outage-server: bench/probe/outage_server.c tools/tests/support/testserver.c tools/tests/support/testserver.h
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -O2 -o $@ bench/probe/outage_server.c tools/tests/support/testserver.c

# hey (Go) pinned, installed through the Go module proxy into build/bench-tools.
$(PROBE_BENCH_TOOLS)/hey-$(HEY_VERSION).stamp:
	@mkdir -p $(@D)
	GOBIN=$(abspath $(PROBE_BENCH_TOOLS)) go install github.com/rakyll/hey@$(HEY_VERSION)
	@touch $@
