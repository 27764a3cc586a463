# The appliance's two commands: `make run` and `make test` (README.md).
SWIFT      ?= swift
ROOT       ?= .appliance
PORT_BASE  ?= 10000
BIN        := $(CURDIR)/.build/debug

# Debian packages each command needs (installed when missing).
RUN_DEPS   := passwd ffmpeg python3 iproute2 openssh-server openssh-client
TEST_DEPS  := $(RUN_DEPS) util-linux procps python3 openssl curl rsyslog rsyslog-gnutls ffmpeg snmp snmptrapd tmux \
              chromium chromium-driver libnss3-tools python3-venv testssl.sh ssh-audit
BENCH_DEPS := runit python3

.PHONY: all build run test bench install deps-run deps-test clean help

all: build

help:
	@echo "make run     build and start the appliance in development mode (root $(ROOT), port base $(PORT_BASE))"
	@echo "make test    install what the tests need, build, run every test"
	@echo "make bench   run the benchmarks against their anchors (bench/README.md)"
	@echo "make install DESTDIR=DIR   the firmware's files (release build, stripped) under DIR"

# One executable, .build/debug/appliance, and a link per program beside it.
build:
	$(SWIFT) build
	scripts/link-programs $(BIN)

deps-run:
	@scripts/install-deps $(RUN_DEPS)

# Python packages of the browser and fuzz tests (Tests/browser/requirements.txt) go to .venv-tests/.
deps-test:
	@scripts/install-deps $(TEST_DEPS)
	@scripts/install-test-python

# The demo stream (scripts/demo-stream) is made and configured beside procmon's start.
run: deps-run build
	@mkdir -p $(ROOT)
	@scripts/demo-stream $(ROOT) $(PORT_BASE) &
	exec $(BIN)/procmon --root $(ROOT) --port-base $(PORT_BASE) --foreground --config rootfs/etc/appliance/services.conf

# Tests run one at a time: the randomised codec tests are CPU-bound for
# seconds, and beside them on 2 cores the in-process control-socket tests and
# the system tests' deadlines would measure starvation, not behaviour.
test: deps-test
	$(SWIFT) build --build-tests
	scripts/link-programs $(BIN)
	APPLIANCE_BIN_DIR=$(BIN) $(SWIFT) test --skip-build --disable-xctest --no-parallel

# Exactly the firmware's files: usr/libexec/appliance/appliance (stripped), a
# link per program beside it, and rootfs/. The symbols stay aside in
# .build/release/appliance.debug (named in the executable's .gnu_debuglink).
install:
	@test -n "$(DESTDIR)" || { echo "make install needs DESTDIR=DIR (the firmware's root being built)"; exit 2; }
	scripts/install-firmware "$$(scripts/build-release)" "$(DESTDIR)"

bench: build
	@scripts/install-deps $(BENCH_DEPS)
	$(SWIFT) build -c release
	bench/procmon-restart.sh
	bench/configd.sh
	bench/auditd-forward.sh
	bench/sessmgrd-rtp.sh
	bench/sessmgrd-scale.sh
	bench/sessmgrd-shaping.sh
	bench/snmpd.sh
	bench/cli.sh
	bench/webd.sh
	bench/signin-flood.sh
	HOG=1 bench/signin-flood.sh
	bench/footprint.sh

clean:
	rm -rf .build $(ROOT)
