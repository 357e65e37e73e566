# Thin wrapper over CMake: the real build lives in CMakeLists.txt.
# make          release build in build/ (the madi binary is build/madi)
# make demo     install deps, build, generate and import the fictional national programme
# make check    install deps, ASan+UBSan build with -Werror, run every test under ctest
# make deps     install the Debian packages the build and tests need (scripts/deps.sh)
# make fmt      clang-format every C file;  make fmt-check  fail if anything is not formatted
# make tidy     clang-tidy over the release build's compile_commands.json
# make check-valgrind   the tests under valgrind, without sanitizers
# make regold   rewrite the CLI golden files from the current binary (review the diff!)

CMAKE    ?= cmake
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DIR ?= demo
SEED     ?= 1
SOURCES   = $(shell find include src tests fuzz bench -name '*.[ch]' 2>/dev/null)

.PHONY: all deps demo check asan check-valgrind fmt fmt-check tidy fuzz regold clean

all: build/Makefile
	$(CMAKE) --build build -j $(JOBS)

build/Makefile:
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo

deps:
	@./scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	./build/madi demo --seed $(SEED) --dir $(DEMO_DIR)

build-asan/Makefile:
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMADI_SANITIZE=ON -DMADI_WERROR=ON

asan: build-asan/Makefile
	$(CMAKE) --build build-asan -j $(JOBS)

check: deps
	@$(MAKE) --no-print-directory fmt-check
	@$(MAKE) --no-print-directory asan
	@cd build-asan && { ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 300 \
		> ctest.log 2>&1; rc=$$?; cat ctest.log; \
		grep -E '^[0-9]+% tests passed' ctest.log | tail -1; exit $$rc; }

build-vg/Makefile:
	$(CMAKE) -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug -DMADI_WERROR=ON

check-valgrind: deps build-vg/Makefile
	$(CMAKE) --build build-vg -j $(JOBS)
	@command -v valgrind >/dev/null || apt-get install -y valgrind
	@rm -f build-vg/test_*.vg.log
	@for t in build-vg/test_*; do \
		[ -f "$$t" ] && [ -x "$$t" ] || continue; \
		echo "valgrind $$t"; \
		MADI_TEST_DATA=$(CURDIR)/tests/data valgrind -q --error-exitcode=1 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--suppressions=$(CURDIR)/tests/valgrind.supp $$t > build-vg/valgrind.log 2>&1 \
			|| { cat build-vg/valgrind.log; exit 1; }; \
	done; echo "valgrind: no errors, no leaks"

fmt:
	clang-format -i $(SOURCES)

fmt-check:
	@clang-format --dry-run --Werror $(SOURCES)

tidy: build/Makefile
	clang-tidy -p build $(shell find src -name '*.c')

fuzz:
	@./scripts/deps.sh
	@command -v clang >/dev/null || apt-get install -y clang libclang-rt-14-dev
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DMADI_FUZZ=ON
	$(CMAKE) --build build-fuzz -j $(JOBS) --target fuzz_csv fuzz_xlsx fuzz_import fuzz_catalogue fuzz_rowstore
	./build-fuzz/fuzz_csv -max_total_time=$${FUZZ_SECONDS:-60} fuzz/corpus/csv
	./build-fuzz/fuzz_xlsx -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384 fuzz/corpus/xlsx
	./build-fuzz/fuzz_import -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 fuzz/corpus/import
	./build-fuzz/fuzz_catalogue -max_total_time=$${FUZZ_SECONDS:-60} -max_len=8192 fuzz/corpus/catalogue
	./build-fuzz/fuzz_rowstore -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384 fuzz/corpus/rowstore

regold: asan
	MADI_BIN=$(CURDIR)/build-asan/madi ./tests/cli/run --regold

clean:
	rm -rf build build-asan build-vg build-fuzz
