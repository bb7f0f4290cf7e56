# senderkey: one non-recursive Makefile.
#
#   make            build bin/senderkey (and every other program)
#   make check      install missing Debian packages, build, run every test
#   make asan       the whole suite under AddressSanitizer + UBSan
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60)
#   make fuzz-coverage  what each fuzz corpus reaches (llvm-cov)
#   make fuzz-merge     fold new fuzz inputs into tests/fuzz/corpus, minimised
#   make demo       the main job end to end, in the DNSSEC test bed
#   make install    PREFIX=/usr/local DESTDIR= (never replaces a config)
#   make deb        ../senderkey*.deb built with dpkg-buildpackage, copied
#                   to the top of the tree: apt install ./senderkey*.deb
#   make fresh-root the package's Done-when in a debootstrap root (minutes)
#   make V=1 ...    show every compiler command (default: one short line
#                   each, "CC lib/addr.o", "LD bin/senderkey")
#
# CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured; the warning and hardening
# flags below are always added.  CI (CI=true) or WERROR=-Werror turns
# warnings into errors.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/senderkey
# The programs read /etc/senderkey/senderkeyd.conf whatever PREFIX is.
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
BUILD	?= build/default
BIN	?= bin

ifeq ($(CI),true)
WERROR	?= -Werror
endif
WERROR	?=

# Quiet build: "CC lib/addr.o" instead of the command; V=1 shows commands.
V	?= 0
ifeq ($(V),1)
Q	=
SAY	= @:
else
Q	= @
SAY	= @printf '  %-3s %s\n'
endif
# SHORT: the target without the build directory, for SAY.
SHORT	= $(patsubst $(BUILD)/%,%,$@)

PKGS	 = ldns libunbound libcrypto nettle libidn2 sqlite3 libpq
# one package at a time: Debian 12's libunbound.pc names nettle's .pc
# files, which libunbound-dev does not bring, and pkg-config --cflags of
# the whole list then fails and gives nothing, libpq's -I included
PKG_CFLAGS := $(foreach p,$(PKGS),$(shell pkg-config --cflags $(p) 2>/dev/null))
# libpq is not linked: core/pqlib.c loads it (dlopen) when a PostgreSQL
# store is opened, so that no program start maps its ~20 libraries.
# nettle is libunbound's own crypto library (loaded in any case): owner
# names and Ed25519 fingerprints hash with it, so that a one-shot query
# never initialises OpenSSL (lib/owner.c)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libpq,$(PKGS)) 2>/dev/null)

WARN	 = -std=c17 -Wall -Wextra -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wshadow -Wpointer-arith -Wvla \
	   -fno-common $(WERROR)
HARDEN	 = -fstack-protector-strong -fPIE
HARDEN_CPP = -D_FORTIFY_SOURCE=2 -D_DEFAULT_SOURCE -D_GNU_SOURCE
HARDEN_LD  = -pie -Wl,-z,relro -Wl,-z,now

ALL_CPPFLAGS = -I. $(HARDEN_CPP) -DSK_HAVE_PG \
	       $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(WARN) $(HARDEN) $(CFLAGS)
ALL_LDFLAGS  = $(HARDEN_LD) $(LDFLAGS)
LIBS	     = $(PKG_LIBS) -lunistring

# Everything except the programs' main files goes into one archive, so
# tests link exactly the code the programs run.
CORE_SRC = $(wildcard lib/*.c) $(wildcard core/*.c) \
	   $(filter-out resolver/senderkeyd.c,$(wildcard resolver/*.c)) \
	   $(wildcard zonegen/*.c) $(wildcard publisher/*.c)
CLI_SRC	 = $(wildcard cli/*.c)
MILTER_SRC = $(wildcard milter/*.c)
MILTER_OBJ = $(MILTER_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ	 = $(CLI_SRC:%.c=$(BUILD)/%.o)
CORE_A	 = $(BUILD)/libsenderkey.a

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
TEST_TOOL_SRC = $(wildcard tests/tools/*.c)
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/replay_%)
FUZZ_SECONDS ?= 60
# Sources outside libsenderkey.a a target needs (tests/fuzz/run and the
# coverage build read them with `make -s fuzz-extra-TARGET`).
FUZZ_EXTRA_answer = milter/answer.c
FUZZ_EXTRA_policy_import = cli/policy_import.c cli/util.c
FUZZ_EXTRA_milter_hdr = milter/hdr.c milter/verify.c milter/answer.c
TEST_TOOL_BIN = $(TEST_TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)

PROGS	 = $(BIN)/senderkey $(BIN)/senderkeyd
ifneq ($(MILTER_SRC),)
PROGS	+= $(BIN)/senderkey-milter
endif

MAN1	 = $(wildcard man/*.1)
MAN5	 = $(wildcard man/*.5)
MAN8	 = $(wildcard man/*.8)

.PHONY: all check test unit integration asan valgrind demo deps install uninstall \
	deb fresh-root clean bench bench-tools fuzz fuzz-coverage fuzz-merge format tests bed-up bed-down \
	fuzz-cflags fuzz-libs

all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) CC $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(CORE_A): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(SAY) AR $(SHORT)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $(CORE_OBJ)

$(BIN)/senderkey: $(CLI_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(CORE_A) $(LIBS)

$(BIN)/senderkeyd: $(BUILD)/resolver/senderkeyd.o $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_A) $(LIBS)

$(BIN)/senderkey-milter: $(MILTER_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -pthread -o $@ $(MILTER_OBJ) $(CORE_A) $(LIBS) -lmilter

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_A) $(LIBS)

# test_milter_verify and test_milter_keycache (and the milter_verify_cost
# tool) link the milter's modules (all but main.c) from their own archive,
# so they pull in only what they use and the objects are the ones
# bin/senderkey-milter runs.
MILTER_A = $(BUILD)/libsenderkey-milter.a
MILTER_TESTS = $(BUILD)/tests/test_milter_verify \
	$(BUILD)/tests/test_milter_daemon \
	$(BUILD)/tests/test_milter_keycache

$(MILTER_A): $(filter-out $(BUILD)/milter/main.o,$(MILTER_OBJ))
	@mkdir -p $(dir $@)
	$(SAY) AR $(SHORT)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(MILTER_TESTS): $(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(MILTER_A) \
	$(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-pthread -o $@ $< $(MILTER_A) $(CORE_A) $(LIBS)
$(BUILD)/tests/milter_verify_cost: tests/tools/milter_verify_cost.c \
	$(MILTER_A) $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -pthread -o $@ $< \
		$(MILTER_A) $(CORE_A) $(LIBS)
$(BUILD)/tests/test_milter_hdr: milter/hdr.c milter/hdr.h
$(BUILD)/tests/test_sendmail_opts: cli/sendmail_opts.c cli/sendmail_opts.h
# bench/coldloop.c is included by its test (its pure parts).
$(BUILD)/tests/test_coldloop: bench/coldloop.c

$(BUILD)/tests/%: tests/tools/%.c $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_A) $(LIBS)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -pthread -o $@ $< $(LIBS)
# store_churn writes with the store module (the CLI's transactions).
$(BUILD)/bench/store_gen: bench/store_names.h
$(BUILD)/bench/milter_load: bench/milter_wire.h
$(BUILD)/tests/test_milter_wire: bench/milter_wire.h
$(BUILD)/bench/store_churn: bench/store_churn.c bench/store_names.h $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(CORE_A) $(LIBS)

# Fuzz targets without libFuzzer: make check replays their corpora.
$(BUILD)/fuzz/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ \
		tests/fuzz/replay.c tests/fuzz/fuzz_$*.c $(FUZZ_EXTRA_$*) \
		$(CORE_A) $(LIBS)
$(BUILD)/fuzz/replay_answer: milter/answer.c milter/answer.h
$(BUILD)/fuzz/replay_policy_import: cli/policy_import.c cli/util.c \
	cli/policy_import.h cli/util.h
$(BUILD)/fuzz/replay_milter_hdr: milter/hdr.c milter/hdr.h milter/verify.c \
	milter/verify.h milter/answer.c milter/answer.h

# fuzz-cflags, fuzz-libs: the packages' compile and link flags (PKGS), so
# that tests/fuzz/run and tests/fuzz/coverage link what the programs do.
fuzz-cflags:
	@echo $(PKG_CFLAGS)
fuzz-libs:
	@echo $(PKG_LIBS)
# fuzz-extra-TARGET: print FUZZ_EXTRA_TARGET (for tests/fuzz/run).
fuzz-extra-%:
	@echo $(FUZZ_EXTRA_$*)

# The SSE2 scanners in canon.c, msg.c and taglist.c have a portable
# fallback: their unit tests run against it too, built with -U__SSE2__
# (test_canon_scalar, ...), so both paths are checked on x86-64.
SCALAR_MODS  = canon msg taglist
SCALAR_OBJ   = $(SCALAR_MODS:%=$(BUILD)/scalar/lib/%.o)
SCALAR_TESTS = $(SCALAR_MODS:%=$(BUILD)/tests/test_%_scalar)
.SECONDARY: $(SCALAR_OBJ)

$(BUILD)/scalar/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(SAY) CC $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) -U__SSE2__ $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%_scalar: tests/unit/test_%.c tests/unit/t.h $(SCALAR_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(SAY) LD $(SHORT)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(SCALAR_OBJ) $(CORE_A) $(LIBS)

tests: $(PROGS) $(UNIT_BIN) $(TEST_TOOL_BIN) $(FUZZ_REPLAY) $(SCALAR_TESTS)
	@:

bench-tools: $(BENCH_BIN)

deps:
	@tools/deps

# check: one command on a fresh machine.  The deps step runs first and
# alone, so pkg-config sees the packages it installed.
# The build runs on every core unless the caller gave -j itself (a -jN
# forced on a sub-make would turn its jobserver off).
JOBS	?= $(shell nproc 2>/dev/null || echo 1)
JFLAG	 = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
check test: deps
	@$(MAKE) --no-print-directory $(JFLAG) tests
	@SK_BIN=$(abspath $(BIN)) SK_BUILD=$(abspath $(BUILD)) tests/run

unit: tests
	@SK_BIN=$(abspath $(BIN)) SK_BUILD=$(abspath $(BUILD)) tests/run --unit

integration: tests
	@SK_BIN=$(abspath $(BIN)) SK_BUILD=$(abspath $(BUILD)) tests/run --integration

ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	     -fno-sanitize-recover=all
asan: deps
	@$(MAKE) --no-print-directory $(JFLAG) BUILD=build/asan \
		BIN=build/asan/bin CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="$(ASAN_FLAGS)" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 SK_BIN=$(abspath build/asan/bin) SK_BUILD=$(abspath build/asan) tests/run

# valgrind: the daemon-facing integration tests with senderkeyd under
# valgrind (tools/valgrind-check; issue 8).
valgrind: deps
	@$(MAKE) --no-print-directory tests
	@SK_BIN=$(abspath $(BIN)) SK_BUILD=$(abspath $(BUILD)) tools/valgrind-check

demo: deps
	@$(MAKE) --no-print-directory all
	@SK_BIN=$(abspath $(BIN)) tools/demo

fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

# fuzz-coverage: lines and functions each target's corpus reaches
# (tests/fuzz/coverage, tests/fuzz/targets.tsv).
fuzz-coverage: deps
	@tests/fuzz/coverage

# fuzz-merge: fold the inputs make fuzz found into the committed corpora,
# minimised (tests/fuzz/merge).
fuzz-merge:
	@tests/fuzz/merge

bench: deps
	@$(MAKE) --no-print-directory all bench-tools tests
	@SK_BIN=$(abspath $(BIN)) SK_BUILD=$(abspath $(BUILD)) \
	 BENCH_BIN=$(abspath $(BUILD)/bench) bench/run

# install: what the Debian packages ship (debian/*.install lists the same
# paths), for systems without them.  An existing senderkeyd.conf is kept;
# the units name the programs where SBINDIR put them.  The senderkey user
# and group are not made here: INSTALL gives the command.
CONF	 = $(DESTDIR)$(SYSCONFDIR)/senderkey/senderkeyd.conf
UNITS	 = $(wildcard etc/systemd/*.service)
# The MTA and delivery files (etc/postfix, etc/exim4, etc/dovecot) go to
# DATADIR/postfix, ... for the operator to copy (INSTALL, docs/mta.md).
SHARED_DIRS = postfix exim4 dovecot
SHARED	 = $(foreach d,$(SHARED_DIRS),$(wildcard etc/$(d)/*))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/senderkey \
		$(DESTDIR)$(SYSTEMDUNITDIR) \
		$(SHARED_DIRS:%=$(DESTDIR)$(DATADIR)/%)
	install -m 0755 $(BIN)/senderkey $(DESTDIR)$(BINDIR)/senderkey
	install -m 0755 $(BIN)/senderkeyd $(DESTDIR)$(SBINDIR)/senderkeyd
	if [ -f $(BIN)/senderkey-milter ]; then install -m 0755 \
		$(BIN)/senderkey-milter $(DESTDIR)$(SBINDIR)/senderkey-milter; fi
	for m in $(MAN1); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN5); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(MAN8); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	if [ -e $(CONF) ]; then echo "kept $(CONF)"; else \
		install -m 0644 etc/senderkey/senderkeyd.conf $(CONF); fi
	for u in $(UNITS); do sed 's|/usr/sbin/|$(SBINDIR)/|g' $$u \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; done
	for f in $(SHARED); do d=$${f#etc/}; m=0644; \
		[ "$$(head -c 2 $$f)" != '#!' ] || m=0755; \
		install -m $$m $$f $(DESTDIR)$(DATADIR)/$$d || exit 1; done

# uninstall: the config goes only when it is still the shipped one.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/senderkey $(DESTDIR)$(SBINDIR)/senderkeyd \
		$(DESTDIR)$(SBINDIR)/senderkey-milter
	for m in $(notdir $(MAN1)); do rm -f $(DESTDIR)$(MANDIR)/man1/$$m; done
	for m in $(notdir $(MAN5)); do rm -f $(DESTDIR)$(MANDIR)/man5/$$m; done
	for m in $(notdir $(MAN8)); do rm -f $(DESTDIR)$(MANDIR)/man8/$$m; done
	for u in $(notdir $(UNITS)); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	for f in $(SHARED); do rm -f $(DESTDIR)$(DATADIR)/$${f#etc/}; done
	-rmdir $(SHARED_DIRS:%=$(DESTDIR)$(DATADIR)/%) $(DESTDIR)$(DATADIR) \
		2>/dev/null
	if cmp -s etc/senderkey/senderkeyd.conf $(CONF); then rm -f $(CONF); \
		rmdir $(DESTDIR)$(SYSCONFDIR)/senderkey 2>/dev/null || :; \
	elif [ -e $(CONF) ]; then echo "kept $(CONF) (changed)"; fi

# deb: the two Debian packages from this tree (tools/deps deb installs
# what the build needs), built in build/deb.  dpkg-buildpackage writes
# them to the parent directory; they are moved to the top of the tree, so
# that "apt install ./senderkey*.deb" run here installs both; debian/rules
# clean then removes build/deb and debhelper's files.  No -dbgsym
# packages: that glob would install them too.
deb:
	@tools/deps deb
	rm -f senderkey*.deb senderkey_*.changes senderkey_*.buildinfo
	DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS) noautodbgsym" \
		dpkg-buildpackage -us -uc -b
	v=$$(dpkg-parsechangelog -S Version) && \
	a=$$(dpkg --print-architecture) && \
	mv ../senderkey_$${v}_$$a.deb ../senderkeyd_$${v}_$$a.deb \
		../senderkey_$${v}_$$a.changes \
		../senderkey_$${v}_$$a.buildinfo .
	debian/rules clean
	@ls senderkey*.deb

fresh-root:
	@tools/deps deb
	@tools/fresh-root

bed-up:
	@tests/bed/bed up
bed-down:
	@tests/bed/bed down
	@tests/bed/pg down

format:
	clang-format -i $(CORE_SRC) $(CLI_SRC) $(MILTER_SRC) $(wildcard */*.h) \
		$(UNIT_SRC)

clean:
	rm -rf build bin

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(MILTER_OBJ:.o=.d) $(SCALAR_OBJ:.o=.d)
