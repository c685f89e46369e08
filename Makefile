# Developer tasks. The benchmarks and their figures are described in
# docs/PERFORMANCE.md.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec

GO ?= go

# Each benchmark runs its implementations (baselines, then the SDK) in turn,
# BENCH_ROUNDS times, BENCH_TIME per run. The raw output goes to BENCH_OUT.
BENCH_ROUNDS ?= 6
BENCH_TIME ?= 500ms
BENCH_OUT ?= $(or $(TMPDIR),/tmp)/paragon-bench.txt

.PHONY: bench benchstat

# bench runs every performance benchmark (about seven minutes on two cores)
# and prints the SDK-to-baseline ratios. BenchmarkManyUsers gets a second
# per run, so that each run calls (nearly) all of its 10,000 users.
bench:
	$(GO) test -run '^$$' -bench . -skip 'ManyUsers|ColdBurst|SlowServer' -benchmem -benchtime $(BENCH_TIME) -timeout 15m \
		./internal/bench/ -rounds=$(BENCH_ROUNDS) | tee $(BENCH_OUT)
	$(GO) test -run '^$$' -bench ManyUsers -benchmem -benchtime 1s -timeout 15m \
		./internal/bench/ -rounds=$(BENCH_ROUNDS) | tee -a $(BENCH_OUT)
	$(GO) test -run '^$$' -bench 'ColdBurst|SlowServer' -benchmem -benchtime 1x -timeout 15m \
		./internal/bench/ -rounds=2 | tee -a $(BENCH_OUT)
	$(GO) test -run '^$$' -bench 'CacheScale$$' -benchmem -benchtime 1x ./internal/auth/ | tee -a $(BENCH_OUT)
	$(GO) test -run '^$$' -bench 'CacheHitScale' -benchmem -benchtime 2000000x ./internal/auth/ | tee -a $(BENCH_OUT)
	$(GO) test -run '^$$' -bench 'CacheEvictWorst' -benchmem -benchtime 20000x ./internal/auth/ | tee -a $(BENCH_OUT)
	$(GO) test -run '^$$' -bench 'CacheOverflow' -benchmem -benchtime 200000x ./internal/auth/ | tee -a $(BENCH_OUT)
	@echo
	@$(GO) run ./internal/bench/ratios < $(BENCH_OUT)
	@echo; echo "raw output: $(BENCH_OUT)"

# benchstat summarises the last "make bench" with benchstat, one column per
# implementation (it is fetched from the Go module proxy, not go.mod).
benchstat:
	$(GO) run golang.org/x/perf/cmd/benchstat@latest -col /impl -ignore /round $(BENCH_OUT)
