# tools: build, test, fuzz and benchmark the C tools (envcheck, secretgen, kubelint, probe).
# Uses from config.mk: BIN, BUILD, VERSION, GO, TOOLS_CC.

TOOLS := envcheck secretgen kubelint probe
TOOLS_PKGS := yaml-0.1 libcurl openssl
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
TOOLS_PKG_CFLAGS := $(shell pkg-config --cflags $(TOOLS_PKGS) 2>/dev/null)
TOOLS_PKG_LIBS := $(shell pkg-config --libs $(TOOLS_PKGS) 2>/dev/null) -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
TOOLS_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools/lib $(TOOLS_PKG_CFLAGS) \
	-DTOOLS_VERSION='"$(VERSION)"'
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

APT_PACKAGES += gcc make pkg-config libyaml-dev libcurl4-openssl-dev libssl-dev check clang \
	libclang-rt-14-dev libmimalloc-dev

TOOLS_LIB_SRCS := $(wildcard tools/lib/*.c)
TOOLS_TEST_SRCS := $(wildcard tools/tests/test_*.c)
TOOLS_SUPPORT_SRCS := $(wildcard tools/tests/support/*.c)
TOOLS_FUZZ_SRCS := $(wildcard tools/fuzz/fuzz_*.c)
TOOLS_TEST_NAMES := $(patsubst tools/tests/%.c,%,$(TOOLS_TEST_SRCS))
TOOLS_FUZZ_NAMES := $(patsubst tools/fuzz/%.c,%,$(TOOLS_FUZZ_SRCS))
tool_module_srcs = $(filter-out tools/$(1)/main.c,$(wildcard tools/$(1)/*.c))

# One build variant: $(1) name, $(2) compiler, $(3) flags, $(4) binary folder.
# Objects go to build/obj/$(1)/, archives to build/$(1)/, tests to build/$(1)/tests/.
define TOOLS_VARIANT
build/obj/$(1)/%.o: tools/%.c
	@mkdir -p $$(@D)
	$(2) $$(TOOLS_CFLAGS) $$(TOOLS_TEST_CFLAGS) $(3) -MMD -MP -c $$< -o $$@

# the Check suites' helpers are found only by the suites (never by a tool's objects)
build/obj/$(1)/tests/%.o: TOOLS_TEST_CFLAGS := -Itools/tests/support

build/$(1)/libtodo.a: $$(patsubst tools/%.c,build/obj/$(1)/%.o,$$(TOOLS_LIB_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

$$(foreach t,$$(TOOLS),$$(eval build/$(1)/lib$$(t).a: $$$$(patsubst tools/%.c,build/obj/$(1)/%.o,$$$$(call tool_module_srcs,$$(t)))))
build/$(1)/lib%.a:
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

$(4)/%: build/obj/$(1)/%/main.o build/$(1)/lib%.a build/$(1)/libtodo.a
	@mkdir -p $$(@D)
	$(2) $(3) -o $$@ $$^ $$(TOOLS_PKG_LIBS)

build/$(1)/libsupport.a: $$(patsubst tools/%.c,build/obj/$(1)/%.o,$$(TOOLS_SUPPORT_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/tests/%: build/obj/$(1)/tests/%.o build/$(1)/libsupport.a $$(foreach t,$$(TOOLS),build/$(1)/lib$$(t).a) build/$(1)/libtodo.a
	@mkdir -p $$(@D)
	$(2) $(3) -o $$@ $$^ $$(CHECK_LIBS) $$(TOOLS_PKG_LIBS)
endef

$(eval $(call TOOLS_VARIANT,rel,$(TOOLS_CC),-O2,$(BIN)))
# probe load makes libcurl allocate and free a few dozen small blocks per request; mimalloc
# does that with about 15 % fewer instructions per request than glibc's malloc. Release
# binary only (the sanitizers bring their own allocator), and only where mimalloc is
# installed (`make deps` installs it): elsewhere probe keeps the C library's malloc.
PROBE_ALLOC_LIBS ?= $(if $(wildcard /usr/lib/*/libmimalloc.so /usr/lib64/libmimalloc.so /usr/lib/libmimalloc.so /usr/local/lib/libmimalloc.so),-lmimalloc)
$(BIN)/probe: TOOLS_PKG_LIBS += $(PROBE_ALLOC_LIBS)
$(eval $(call TOOLS_VARIANT,asan,$(TOOLS_CC),$(ASAN_FLAGS),build/asan/bin))
$(eval $(call TOOLS_VARIANT,fuzz,$(FUZZ_CC),$(ASAN_FLAGS) -fsanitize=fuzzer-no-link,build/fuzz/unused))

build/fuzz/%: build/obj/fuzz/fuzz/%.o $(foreach t,$(TOOLS),build/fuzz/lib$(t).a) build/fuzz/libtodo.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ASAN_FLAGS) -fsanitize=fuzzer -o $@ $^ $(TOOLS_PKG_LIBS)

.SECONDARY:
-include $(shell find build/obj -name '*.d' 2>/dev/null)

.PHONY: tools tools-asan tools-test tools-test-rel tools-test-asan tools-fuzz tools-fuzz-smoke tools-clean
tools: $(addprefix $(BIN)/,$(TOOLS)) ## build build/bin/{envcheck,secretgen,kubelint,probe}

tools-asan: $(addprefix build/asan/bin/,$(TOOLS)) ## build the tools with AddressSanitizer + UBSan

tools-test: tools-test-rel tools-test-asan ## run the Check suites, normal build and ASan+UBSan build

tools-test-rel: tools $(addprefix build/rel/tests/,$(TOOLS_TEST_NAMES))
	@mk/scripts/tools-run-tests.sh rel $(BIN) $(addprefix build/rel/tests/,$(TOOLS_TEST_NAMES))

tools-test-asan: tools-asan $(addprefix build/asan/tests/,$(TOOLS_TEST_NAMES))
	@mk/scripts/tools-run-tests.sh asan build/asan/bin $(addprefix build/asan/tests/,$(TOOLS_TEST_NAMES))

tools-fuzz: $(addprefix build/fuzz/,$(TOOLS_FUZZ_NAMES)) ## fuzz every parser for FUZZ_SECONDS each (libFuzzer)
	@mk/scripts/tools-fuzz.sh $(FUZZ_SECONDS) $(TOOLS_FUZZ_NAMES)

tools-fuzz-smoke: ## fuzz every parser briefly (10 s each), as part of `make test`
	@$(MAKE) --no-print-directory tools-fuzz FUZZ_SECONDS=10

tools-clean: ## remove the C build outputs
	rm -rf build/obj build/rel build/asan build/fuzz $(addprefix $(BIN)/,$(TOOLS))

TEST_SUITES += tools-test tools-fuzz-smoke

# bench-probe: probe load vs wrk and hey, recover accuracy, watch CPU cost.
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
	GOBIN=$(abspath $(PROBE_BENCH_TOOLS)) $(GO) install github.com/rakyll/hey@$(HEY_VERSION)
	@touch $@
