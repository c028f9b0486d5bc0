# trawl - one non-recursive GNU Makefile (pkg-config for every library).
#
#   make              build build/trawl, libtrawl.a/.so and trawl.pc
#   make check        install missing packages, build, run every test
#   make demo         install missing packages, build, run the main job
#   make bench        benchmarks against peers (never part of check)
#   make install      PREFIX=/usr/local (DESTDIR honoured)
#   make fuzz         libFuzzer targets (clang) in build/fuzz-lf/
# Switches: SANITIZE=address,undefined  DEBUG=1  COVERAGE=1
#           FUZZ=1 (`make` also builds the libFuzzer targets of `make fuzz`)

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libhs libpcre2-8 yaml-0.1 sqlite3 zlib libzstd liblz4 libxxhash libevtx libbfio \
        rdkafka libmicrohttpd

BUILD := build
OPTFLAGS := -O2 -g
ifdef DEBUG
BUILD := build/debug
OPTFLAGS := -O0 -g3 -DTR_DEBUG=1
endif
ifdef SANITIZE
BUILD := build/san
OPTFLAGS := -O1 -g -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer \
            -DTR_DEBUG_ARENA=1
SAN_LDFLAGS := -fsanitize=$(SANITIZE)
endif
ifdef COVERAGE
BUILD := build/cov
OPTFLAGS := -O0 -g --coverage
SAN_LDFLAGS += --coverage
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wno-format-nonliteral -Wvla
CFLAGS  ?=
override CFLAGS += -std=c11 $(WARN) $(OPTFLAGS) -fPIC -fvisibility=hidden -D_GNU_SOURCE \
           -Iinclude -Isrc -I. $(PKG_CFLAGS) -MMD -MP
LDLIBS  := $(PKG_LIBS) -lpthread -lm
override LDFLAGS += $(SAN_LDFLAGS)

# Library: every module folder under src/ except the CLI, plus the simulator.
LIB_SRCS := $(filter-out src/cli/%,$(wildcard src/*/*.c)) $(wildcard sim/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
# The dashboard (src/serve/www/) compiled into the library as a C table.
SERVE_ASSETS := $(sort $(wildcard src/serve/www/*))
SERVE_GEN := $(BUILD)/gen/serve_assets.c
LIB_OBJS += $(BUILD)/obj/gen/serve_assets.o
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/unit_registry.o
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

TRAWL   := $(BUILD)/trawl
LIBA    := $(BUILD)/libtrawl.a
LIBSO   := $(BUILD)/libtrawl.so
UNIT    := $(BUILD)/tests/unit

.PHONY: all deps check test unit e2e fuzz-replay demo bench bench-programs install uninstall clean fuzz \
        conformance conformance-sigma conformance-evtx format-check lint kafka-demo stress
.DEFAULT_GOAL := all

all: $(TRAWL) $(LIBA) $(LIBSO) $(BUILD)/trawl.pc
ifdef FUZZ
all: fuzz
endif

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(SERVE_GEN): $(SERVE_ASSETS) src/serve/embed.sh
	@mkdir -p $(@D)
	src/serve/embed.sh $(SERVE_ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/serve_assets.o: $(SERVE_GEN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJS)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(TRAWL): $(CLI_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIBA) $(LDLIBS)

$(BUILD)/trawl.pc: trawl.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define TR_VERSION_STRING "\(.*\)"/\1/p' include/trawl/core.h)|g' \
	    -e 's|@PKGS@|$(PKGS)|g' $< > $@

# Unit tests: TEST(name) functions gathered by a script into one runner.
$(BUILD)/tests/unit_registry.c: $(UNIT_SRCS) scripts/gen-tests.sh
	@mkdir -p $(@D)
	scripts/gen-tests.sh $(UNIT_SRCS) > $@

$(BUILD)/obj/tests/unit_registry.o: $(BUILD)/tests/unit_registry.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(UNIT): $(UNIT_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(LIBA) $(LDLIBS)

# Fuzz targets: replayed over their corpora by a gcc-built driver in `make check`.
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/replay.c $< $(LIBA) $(LDLIBS)

FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude \
               -Isrc -I. $(PKG_CFLAGS) -DTR_DEBUG_ARENA=1
fuzz: $(FUZZ_NAMES:%=build/fuzz-lf/%)
build/fuzz-lf/%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(SERVE_GEN)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(SERVE_GEN) $(LDLIBS)

unit: $(UNIT)
	$(UNIT)

test: $(TRAWL) $(UNIT) $(FUZZ_REPLAYS)
	@BUILD=$(BUILD) tests/run.sh

check: deps
	@$(MAKE) --no-print-directory test

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(TRAWL)

# The Kafka scale-out on a mock cluster: produce, two hunt workers, the correlator.
kafka-demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/kafka-demo.sh $(TRAWL)

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh $(TRAWL)

# Benchmark drivers: bench/*.c, each linked with libtrawl (and its peer library).
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BENCH_PEER_LIBS := $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null)
bench-programs: $(BENCH_BINS)
$(BUILD)/bench/%: bench/%.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS) $(BENCH_PEER_LIBS)

conformance: conformance-sigma conformance-evtx

# Crash and resume, many times over (e2e 0714 runs it once in make check; docs/STORE.md).
STRESS_RUNS ?= 50
stress: $(TRAWL)
	@fail=0; for i in $$(seq 1 $(STRESS_RUNS)); do \
	    TRAWL=$(abspath $(TRAWL)) bash tests/stress/kill9-correlation.sh >/dev/null || fail=$$((fail + 1)); \
	done; echo "stress: kill9-correlation: $$(( $(STRESS_RUNS) - fail )) passed, $$fail failed"; \
	[ $$fail -eq 0 ]

# EVTX: every real sample read (or its records' rejection explained), SigmaHQ
# Windows rules over them; skips without ../shared. Run with SANITIZE too.
conformance-evtx: $(TRAWL)
	@tests/conformance/evtx.sh $(TRAWL) $(BUILD)

# SigmaHQ ruleset: load rate and prefilter/full-evaluation agreement (skips without ../shared).
conformance-sigma: $(TRAWL) $(BUILD)/conformance/sigma_diff
	@tests/conformance/sigma.sh $(TRAWL) $(BUILD)/conformance/sigma_diff
$(BUILD)/conformance/sigma_diff: tests/conformance/sigma_diff.c tests/unit/test_sigma_gen.h $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/trawl $(DESTDIR)$(PREFIX)/share/trawl
	install -m 755 $(TRAWL) $(DESTDIR)$(PREFIX)/bin/trawl
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libtrawl.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libtrawl.so
	install -m 644 include/trawl/*.h $(DESTDIR)$(PREFIX)/include/trawl/
	# the prefix of this install, whatever PREFIX the build had
	sed -e 's|^prefix=.*|prefix=$(PREFIX)|' $(BUILD)/trawl.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/trawl.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/trawl.pc
	cp -R content $(DESTDIR)$(PREFIX)/share/trawl/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/trawl $(DESTDIR)$(PREFIX)/lib/libtrawl.a \
	    $(DESTDIR)$(PREFIX)/lib/libtrawl.so $(DESTDIR)$(PREFIX)/include/trawl \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/trawl.pc $(DESTDIR)$(PREFIX)/share/trawl

# The tree predates .clang-format and no clang-format style matches it without
# a mass reformat, so only lines changed since the merge base with
# FORMAT_BASE (committed or not) are checked.
FORMAT_BASE ?= main
format-check:
	@base=$$(git merge-base HEAD $(FORMAT_BASE)) || exit 2; \
	out=$$(git diff -U0 --no-color $$base -- '*.c' '*.h' | clang-format-diff -p1) || exit 2; \
	if [ -n "$$out" ]; then printf '%s\n' "$$out"; \
	    echo "format-check: lines changed since $$base are not formatted (clang-format-diff -p1 -i fixes them)"; exit 1; fi; \
	echo "format-check: lines changed since $$base are formatted"

lint:
	@scripts/banned.sh

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
