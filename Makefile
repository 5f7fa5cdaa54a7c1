# coolpapers — `make run` and `make test` are the two commands a newcomer needs.
JOBS ?= $(shell nproc)
BUILD ?= build
TEST_BUILD ?= build-test
DB ?= sqlite:var/coolpapers.db
LISTEN ?= 127.0.0.1:8080
# Warnings are errors in the test builds (as CI runs them) and, under CI, in the release build.
WERROR := $(if $(CI),ON,OFF)

.PHONY: all deps vendor build run test test-build test-asan fuzz bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

# Front-end assets from npm (KaTeX, PDF.js, playwright-core for browser tests): installed at
# build time into node_modules/, never committed.
vendor: deps
	@bash scripts/install-npm.sh

build: deps vendor
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCOOLPAPERS_TESTS=OFF -DCOOLPAPERS_BENCH=ON \
	  -DCOOLPAPERS_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target coolpapers

run: build
	@bash scripts/run.sh "$(BUILD)/coolpapers" "$(DB)" "$(LISTEN)"

# `make test` builds with assertions on and light optimisation (quick to compile on 2 cores);
# `make test-asan` runs the same suite on an AddressSanitizer + UBSan build.
SANITIZE ?= OFF
test-build: deps vendor
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DCOOLPAPERS_SANITIZE=$(SANITIZE) -DCOOLPAPERS_TESTS=ON -DCOOLPAPERS_WERROR=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)

# Each libFuzzer target runs FUZZ_SECONDS (make test: a short run of every target first, from a
# fixed seed so that it repeats).
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 3
test: test-build
	@FUZZ_SEED=1 bash scripts/fuzz.sh $(TEST_FUZZ_SECONDS) build-fuzz
	@bash scripts/test.sh "$(TEST_BUILD)"

fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS) build-fuzz

test-asan:
	@$(MAKE) --no-print-directory test TEST_BUILD=build-asan SANITIZE=ON

bench: build
	@cmake --build $(BUILD) -j $(JOBS)
	@bash scripts/bench.sh "$(BUILD)"

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'bench/*.cc')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz
