# ctrgit build. `make` builds build/ctrgit; `make test` runs every test and
# ends with "N passed, N failed"; `make SANITIZE=1` builds into build-asan/
# with AddressSanitizer and UndefinedBehaviorSanitizer; `make fuzz` runs the
# fuzz targets (clang's libFuzzer).

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man

CC ?= cc
PKGS = glib-2.0 gio-2.0 gio-unix-2.0 ostree-1 libarchive jansson libcurl \
       libseccomp libcrypto libzstd zlib libisal sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT = -O1 -g
else
BUILD ?= build
SAN =
OPT = -O2 -g
endif

WARN = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
       -Wno-cast-function-type
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS_ALL = -std=gnu11 $(OPT) $(SAN) $(WARN) -D_GNU_SOURCE \
             -DCTRGIT_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

OCI_SRC   := $(sort $(wildcard oci/*.c))
STORE_SRC := $(sort $(wildcard store/*.c))
CRAWL_SRC := $(sort $(wildcard crawler/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
LIB_SRC   := $(OCI_SRC) $(STORE_SRC) $(CRAWL_SRC)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HDRS      := $(wildcard */*.h)

all: $(BUILD)/ctrgit

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libctrgit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ctrgit: $(CMD_OBJ) $(BUILD)/libctrgit.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CMD_OBJ) $(BUILD)/libctrgit.a $(PKG_LIBS)
	@ln -sf $(notdir $@) $(BUILD)/ctrgit-bin 2>/dev/null || true

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libctrgit.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libctrgit.a $(PKG_LIBS)

# Fuzz targets replay their seed corpora in `make test` (tests/fuzz/replay.c
# provides main); `make fuzz` links them with libFuzzer and runs each a while.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%-replay)
$(BUILD)/tests/%-replay: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libctrgit.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< tests/fuzz/replay.c $(BUILD)/libctrgit.a $(PKG_LIBS)

tests-build: $(BUILD)/ctrgit $(UNIT_BIN) $(FUZZ_REPLAY)

test: tests-build
	@CTRGIT=$(abspath $(BUILD)/ctrgit) BUILD=$(abspath $(BUILD)) tests/run

# What CI runs: the tests on the plain build and on the ASan+UBSan build.
# LeakSanitizer is off: GLib keeps one-time allocations (type system,
# quarks) for the life of the process, which it would report as leaks.
check:
	$(MAKE) --no-print-directory tests-build
	$(MAKE) --no-print-directory SANITIZE=1 tests-build
	@ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  BUILDS="build build-asan" tests/run

FUZZ_TIME ?= 60
fuzz:
	@for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	    SAN="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libctrgit.a || exit 1; \
	  mkdir -p build-fuzz/corpus/$$n; \
	  clang $(CFLAGS_ALL) -fsanitize=fuzzer,address,undefined -o build-fuzz/$$n $$f \
	    build-fuzz/libctrgit.a $(PKG_LIBS) || exit 1; \
	  ./build-fuzz/$$n -max_total_time=$(FUZZ_TIME) build-fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

install: $(BUILD)/ctrgit
	install -D -m 0755 $(BUILD)/ctrgit $(DESTDIR)$(BINDIR)/ctrgit
	@for m in docs/man/*.[17]; do [ -e "$$m" ] || continue; \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$$(basename $$m); done

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all test check tests-build fuzz install clean

# Plugins (crawler/ctrgit-plugin.h, docs/plugins.md): the .c files of
# plugins/NAME/ make $(BUILD)/plugins/NAME.so, with libc and that header
# only; tests/unit/data/plugin-*.c are test-only plugins (bad ones too)
# for tests/unit/test-crawl-plugin.c, in $(BUILD)/tests/plugins/.
PLUGINDIR = $(PREFIX)/lib/ctrgit/plugins
PLUGIN_SO := $(patsubst plugins/%/,$(BUILD)/plugins/%.so,$(sort $(dir $(wildcard plugins/*/*.c))))
TEST_PLUGIN_SO := $(patsubst tests/unit/data/plugin-%.c,$(BUILD)/tests/plugins/%.so,\
                    $(sort $(wildcard tests/unit/data/plugin-*.c)))
PLUGIN_CFLAGS = -std=gnu11 $(OPT) $(SAN) $(WARN) -D_GNU_SOURCE -I. -fPIC -shared \
                -fvisibility=hidden $(CFLAGS) $(LDFLAGS_ALL)
$(BUILD)/cmd/cmd-crawl.o: CFLAGS_ALL += -DCTRGIT_PLUGIN_DIR='"$(PLUGINDIR)"'

.SECONDEXPANSION:
$(BUILD)/plugins/%.so: $$(wildcard plugins/%/*.c) crawler/ctrgit-plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/tests/plugins/%.so: tests/unit/data/plugin-%.c crawler/ctrgit-plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -o $@ $<

all: $(PLUGIN_SO)
tests-build: $(PLUGIN_SO) $(TEST_PLUGIN_SO)
install: install-plugins
install-plugins: $(PLUGIN_SO)
	@for p in $(PLUGIN_SO); do [ -e "$$p" ] || continue; \
	  install -D -m 0755 $$p $(DESTDIR)$(PLUGINDIR)/$$(basename $$p); done
.PHONY: install-plugins
