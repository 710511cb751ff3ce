# b2bmetrics: PGXS build.
#
# One folder per metric family under src/<family>/:
#   <family>.h, <family>.c   pure C core (no PostgreSQL headers)
#   <family>_pg.c            PG_FUNCTION_INFO_V1 glue
#   <family>.sql             the family's SQL declarations
# The install script b2bmetrics--1.0.sql is generated from src/b2bmetrics.sql
# and the families' .sql files, each under a banner naming its source file.
#
# Commands (see README.md):
#   make demo    bootstrap, build, install, start a local cluster, print a report
#   make test    bootstrap, build, install, run every test on a throwaway cluster
#   make bench   the benchmark (10M events, cached between runs)
#   make unit    unit tests of the pure C cores (no server)
#   make fuzz    libFuzzer runs of the decoders (FUZZ_SECONDS each)

EXTENSION   = b2bmetrics
MODULE_big  = b2bmetrics
FAMILIES    = $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard src/*/*.c)))))
OBJS        = src/b2bmetrics.o $(patsubst %.c,%.o,$(sort $(wildcard src/*/*.c)))
SQL_PARTS   = src/b2bmetrics.sql $(sort $(wildcard src/*/*.sql))
DATA_built  = b2bmetrics--1.0.sql
REGRESS     = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=b2bmetrics
EXTRA_CLEAN = b2bmetrics--1.0.sql build

PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

# The server's pg_config: Debian's PostgreSQL 15 when present, else the one on PATH.
PG_CONFIG  ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS       := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL server development files not found (no pg_config)."
	@echo "Run tools/bootstrap.sh, or 'make test' / 'make demo', which run it first."
	@exit 1
endif

b2bmetrics--1.0.sql: $(SQL_PARTS)
	@for f in $^; do \
	  if [ "$$f" != src/b2bmetrics.sql ]; then \
	    printf '\n-- ======================================================================\n-- From %s\n-- ======================================================================\n\n' "$$f"; \
	  fi; \
	  cat "$$f"; \
	done > $@

# ---- pure C cores: unit tests and fuzzing, no server needed ----------------
CORE_CC      ?= cc
CORE_CFLAGS   = -std=c99 -O2 -g -Wall -Wextra -Werror
UNIT_TESTS    = $(patsubst test/unit/%_test.c,build/unit/%_test,$(wildcard test/unit/*_test.c))
FUZZERS       = $(patsubst test/fuzz/%_fuzz.c,build/fuzz/%_fuzz,$(wildcard test/fuzz/*_fuzz.c))
FUZZ_SECONDS ?= 20

# A family's core is src/<family>/<family>.c and .h; secondary expansion finds them.
.SECONDEXPANSION:
build/unit/%_test: test/unit/%_test.c $$(wildcard src/$$*/$$*.[ch]) test/unit/tap.h
	@mkdir -p $(dir $@)
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/$* -Itest/unit -o $@ $< src/$*/$*.c -lm

build/fuzz/%_fuzz: test/fuzz/%_fuzz.c $$(wildcard src/$$*/$$*.[ch])
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc/$* -o $@ $< src/$*/$*.c -lm

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "# $$t"; $$t || exit 1; done

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	  name=$$(basename $$f); mkdir -p build/fuzz/corpus-$$name; \
	  echo "# $$f for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1 \
	      build/fuzz/corpus-$$name $$( [ -d test/fuzz/$$name-seeds ] && echo test/fuzz/$$name-seeds ) \
	      > build/fuzz/$$name.log 2>&1 \
	    || { tail -40 build/fuzz/$$name.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|Done' build/fuzz/$$name.log | tail -2; \
	done

# ---- the project's commands -------------------------------------------------
test:
	tools/test.sh

demo:
	tools/demo.sh

bench:
	bench/run.sh

.PHONY: test demo bench unit fuzz
