#!/usr/bin/env bash
# The deadline tick on PostgreSQL at scale (issue 15): ticks the same three days on fresh
# copies of one filled store, alternating the group writer's multi-row statements with the
# one-by-one baseline (`QUANZE_BENCH_ONE_BY_ONE=1`), so that both run on the same data in the
# same minutes.
#
# First fill a store and keep it as the gold copy:
#   QUANZE_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres QUANZE_BENCH_DB=DIR \
#   QUANZE_BENCH_CASES=1000000 QUANZE_BENCH_TICKS=0 QUANZE_BENCH_LOOKUPS=0 \
#   cargo bench -p quanze-service --bench case_scale
#   psql … -c "CREATE DATABASE quanze_gold TEMPLATE quanze_case_scale"
#   cp DIR/quanze_case_scale.days DIR/quanze_case_scale.days.gold
# then: QUANZE_BENCH_DB=DIR ROUNDS=3 bench/case_scale_pg.sh
set -euo pipefail
server=${QUANZE_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}
dir=${QUANZE_BENCH_DB:?the directory that keeps the filled store marker and personal key}
rounds=${ROUNDS:-3}
for round in $(seq "$rounds"); do
  for one_by_one in 1 0; do
    psql -q "$server" -c "DROP DATABASE IF EXISTS quanze_case_scale" \
      -c "CREATE DATABASE quanze_case_scale TEMPLATE quanze_gold"
    cp "$dir/quanze_case_scale.days.gold" "$dir/quanze_case_scale.days"
    psql -q "$server" -c "CHECKPOINT"
    label=$([ "$one_by_one" = 1 ] && echo "one by one" || echo "multi-row ")
    QUANZE_BENCH_PG=$server QUANZE_BENCH_DB=$dir QUANZE_BENCH_ONE_BY_ONE=$one_by_one \
      QUANZE_BENCH_TICKS=3 QUANZE_BENCH_LOOKUPS=200 \
      cargo bench -q -p quanze-service --bench case_scale 2>/dev/null \
      | grep -E '^tick 2' | sed "s/^/round $round, $label: /"
  done
done
