# Thin entry points; the real work is in scripts/.
BUILD_DIR ?= build
PORT ?= 3001
JOBS ?= $(shell nproc)

.PHONY: all setup build build-bins build-cpp build-web run test test-cpp test-web test-e2e format format-check bench fuzz clean

all: build

setup:
	@scripts/setup

build: build-cpp build-web

build-cpp:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what `make run` needs (no test binaries).
build-bins:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target tincan-server \
		$$(cmake --build $(BUILD_DIR) --target help | grep -qE '^(tincan-agents|tincan-agents:)' && echo tincan-agents)

build-web:
	@if [ -f web/package.json ]; then cd web && npm run --silent build; fi

run: setup build-bins build-web
	@# setpriv: if make itself is stopped (SIGTERM to make alone), scripts/run stops the server and bots too.
	@PORT=$(PORT) setpriv --pdeathsig TERM scripts/run

test: setup build
	@scripts/test

test-cpp: build-cpp
	@scripts/test cpp

test-web: build-web
	@scripts/test web

test-e2e: build
	@scripts/test e2e

format:
	@scripts/format fix

format-check:
	@scripts/format check

bench: setup build
	@scripts/bench

clean:
	rm -rf $(BUILD_DIR) web/dist

fuzz: setup
	@scripts/fuzz
