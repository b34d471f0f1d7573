# spoor — build with GNU make and pkg-config against Debian's packages.
#
#   make            release build: build/spoor, build/libspoor.a
#   make test       unit + golden + corpus tests (tests/run.sh)
#   make asan       the same tests under ASan+UBSan (build-asan/)
#   make tsan       the threaded paths under ThreadSanitizer (build-tsan/)
#   make fuzz       libFuzzer targets (build-fuzz/, needs clang)
#   make bench      benchmarks against the peers (bench/*.sh)
#   make demo       build and run the bundled demo case
#
# WERROR=1 adds -Werror (CI does).  BUILD=dir changes the output folder.

BUILD   ?= build
CC      ?= cc
# libarchive: headers only; hunt_container.c loads it with dlopen() on the
# first container (it and its dependencies cost 1.3 ms of start-up otherwise)
PKGS_LINK := zlib libzstd yaml-0.1 libpcre2-8 jansson libmaxminddb libisal
PKGS    := $(PKGS_LINK) libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS_LINK) 2>/dev/null || echo -lz -lzstd -lyaml -lpcre2-8 -ljansson -lmaxminddb -lisal)
# The spoor binary links Debian's static archives of these (their -dev
# packages ship them) where present: loading six shared libraries cost
# 0.26 ms of every run (1.49 -> 1.23 ms for an empty program), which is 1.3%
# of a 2-thread `evtx dump` of the 64 MB bench file.  isa-l ships no
# archive and stays shared; the tests and fuzzers link the shared ones.
# A security update of one of them needs a rebuild of spoor (make).
STATIC_CANDIDATES := z zstd yaml pcre2-8 jansson maxminddb
static_lib = $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a 2>/dev/null))
STATIC_FOUND := $(foreach l,$(STATIC_CANDIDATES),$(if $(call static_lib,$(l)),$(l)))
BIN_LIBS := $(foreach l,$(STATIC_FOUND),$(call static_lib,$(l))) \
            $(filter-out $(addprefix -l,$(STATIC_FOUND)),$(PKG_LIBS))
OPT     ?= -O2
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS_ALL = $(CSTD) $(OPT) -g $(WARN) -Iinclude -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(EXTRA_LDFLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard src/base/*.c src/evtx/*.c src/json/*.c src/sigma/*.c src/hunt/*.c src/intel/*.c src/analytics/*.c src/logs/*.c src/attr/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/unit/*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/logsources_yml.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
DEPS := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

.PHONY: all test asan tsan fuzz bench demo clean
all: $(BUILD)/spoor $(BUILD)/libspoor.a $(BUILD)/unit_tests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# the default logsource map is compiled in from config/logsources.yml
$(BUILD)/gen/logsources_yml.c: config/logsources.yml
	@mkdir -p $(dir $@)
	{ echo '/* generated from config/logsources.yml: do not edit */'; \
	  echo 'const char sg_default_logsources[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/gen/logsources_yml.o: $(BUILD)/gen/logsources_yml.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libspoor.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/spoor: $(CLI_OBJ) $(BUILD)/libspoor.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libspoor.a $(BIN_LIBS) -lpthread -lm $(EXTRA_LDFLAGS) $(LDFLAGS)

$(BUILD)/unit_tests: $(TEST_OBJ) $(BUILD)/libspoor.a
	$(CC) $(CFLAGS_ALL) -o $@ $(TEST_OBJ) $(BUILD)/libspoor.a $(LDLIBS_ALL)

test: all
	SPOOR=$(BUILD)/spoor UNIT=$(BUILD)/unit_tests bash tests/run.sh

asan:
	$(MAKE) BUILD=build-asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# the threaded paths (evtx dump, hunt with 2 threads) under ThreadSanitizer
tsan:
	$(MAKE) BUILD=build-tsan CC=clang OPT=-O1 EXTRA_CFLAGS="-fsanitize=thread" \
	  EXTRA_LDFLAGS="-fsanitize=thread" build-tsan/spoor build-tsan/unit_tests
	bash tests/tsan.sh

FUZZ_CFLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  build-fuzz/libspoor.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "clang $$f -> build-fuzz/$$n"; \
	  clang $(CSTD) -O1 -g -Iinclude -Isrc $(PKG_CFLAGS) $(FUZZ_CFLAGS) $$f build-fuzz/libspoor.a $(PKG_LIBS) -lpthread -lm -o build-fuzz/$$n || exit 1; done

bench: all
	bash bench/bench_evtx.sh
	bash bench/bench_hunt.sh
	python3 bench/bench_otrf.py
	bash bench/bench_intel.sh
	bash bench/bench_logs.sh
	build/spoor bench attribution

demo: all
	bash scripts/demo.sh --no-deps

clean:
	rm -rf build build-asan build-fuzz

-include $(DEPS)
