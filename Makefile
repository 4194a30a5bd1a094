# sockjail — see README.md. `make demo` and `make check` do all set-up.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# sockjail looks for profiles in BINDIR/../share/sockjail/profiles (injector/profile.h).
PROFILEDIR ?= $(PREFIX)/share/sockjail/profiles
DESTDIR ?=
BUILD ?= build
SAN ?=
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := yaml-0.1 libseccomp libcap-ng
WARN := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wundef -Wimplicit-fallthrough -fno-common
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection
LDSAN :=
endif
CPPFLAGS += -I. -D_GNU_SOURCE
CFLAGS ?=
ALL_CFLAGS := $(WARN) $(OPT) -fPIE $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now $(LDSAN) $(LDFLAGS)
# Programs that run inside the sandbox (probe, examples) never carry sanitizers:
# their runtimes need syscalls the default policy denies.
HELPER_CFLAGS := $(WARN) -O2 -g -fPIE

NS_SRC := $(sort $(wildcard ns/*.c))
POL_SRC := $(sort $(wildcard policy/*.c))
INJ_SRC := $(sort $(filter-out injector/main.c,$(wildcard injector/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
ITEST_HELPERS := $(sort $(wildcard tests/integration/*.c))
EXAMPLES := $(sort $(wildcard examples/services/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBNS := $(BUILD)/libns.a
LIBPOL := $(BUILD)/libpolicy.a
LIBINJ := $(BUILD)/libinjector.a
SOCKJAIL := $(BUILD)/sockjail
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HELPER_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(ITEST_HELPERS)) \
               $(patsubst examples/services/%.c,$(BUILD)/examples/%,$(EXAMPLES))

.PHONY: all deps demo check check-plain check-asan test install clean lint format bench
.DELETE_ON_ERROR:
.SECONDARY:

all: $(SOCKJAIL) $(UNIT_BINS) $(HELPER_BINS)

deps:
	@sh tests/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBNS): $(call obj,$(NS_SRC))
$(LIBPOL): $(call obj,$(POL_SRC))
$(LIBINJ): $(call obj,$(INJ_SRC))
$(LIBNS) $(LIBPOL) $(LIBINJ):
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SOCKJAIL): $(call obj,injector/main.c) $(LIBINJ) $(LIBNS) $(LIBPOL)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Unit tests: one cmocka binary per module. A test may wrap syscalls to inject
# failures by defining test_NAME_WRAP below.
test_sockets_WRAP :=
$(BUILD)/tests/test_%: $(call obj,tests/unit/test_%.c) $(LIBINJ) $(LIBNS) $(LIBPOL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(foreach w,$(test_$*_WRAP),-Wl,--wrap=$(w)) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/tests/%: tests/integration/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(HELPER_CFLAGS) -pie -o $@ $< $(if $(filter sdcheck,$*),-lsystemd)

$(BUILD)/examples/%: examples/services/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(HELPER_CFLAGS) -pie -o $@ $<

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(BUILD)

# check: the whole suite on the normal build, again on an ASan/UBSan build,
# then the linters (clang-format, clang-tidy, cppcheck).
check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory lint

check-plain: all
	@sh tests/run.sh $(BUILD)

check-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all
	@sh tests/run.sh build-asan

install: $(SOCKJAIL)
	install -D -m 0755 $(SOCKJAIL) $(DESTDIR)$(BINDIR)/sockjail
	install -D -m 0644 docs/sockjail.1 $(DESTDIR)$(MANDIR)/man1/sockjail.1
	install -D -m 0644 docs/sockjail.yaml.5 $(DESTDIR)$(MANDIR)/man5/sockjail.yaml.5
	install -d $(DESTDIR)$(PROFILEDIR)
	install -m 0644 policy/profiles/*.yaml $(DESTDIR)$(PROFILEDIR)/

LINT_SRC = $(NS_SRC) $(POL_SRC) $(INJ_SRC) injector/main.c
lint:
	clang-format --dry-run --Werror $(LINT_SRC) $(wildcard */*.h) $(UNIT_SRC) $(ITEST_HELPERS) $(EXAMPLES)
	clang-tidy --quiet $(LINT_SRC) -- $(CPPFLAGS) $(WARN) $(shell $(PKG_CONFIG) --cflags $(PKGS))
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	        --suppress=missingIncludeSystem -I. -D_GNU_SOURCE $(LINT_SRC)

format:
	clang-format -i $(LINT_SRC) $(wildcard */*.h) $(UNIT_SRC) $(ITEST_HELPERS) $(EXAMPLES)

bench: all
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
