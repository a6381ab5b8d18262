#!/usr/bin/env bash
# pgbench directly against PostgreSQL and through Airlock (every statement analysed, decided and recorded
# in the lineage store), alternating, and prints TPS, average latency and the ratios.
#
#   bench/pgbench.sh                 # scale 10, -S -c 8 -j 2, 15 s per run, 2 rounds
#   DURATION=30 ROUNDS=3 bench/pgbench.sh
#
# It starts `airlock demo` in .airlock/bench (embedded PostgreSQL = the upstream and the lineage store) and
# stops it at the end. Direct and Airlock runs use plain TCP on loopback, so the comparison is like for like.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PGBENCH=${PGBENCH:-pgbench}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
SCALE=${SCALE:-10}
dir=.airlock/bench
rm -f "$dir/state.json"
mkdir -p "$dir"

./airlock demo --dir "$dir" --port 0 --admin-port 0 > "$dir/demo.log" 2>&1 &
demo=$!
trap 'kill -TERM $demo 2>/dev/null; wait $demo 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -f "$dir/state.json" ] && break; sleep 0.5; done
[ -f "$dir/state.json" ] || { echo "demo did not start; see $dir/demo.log" >&2; exit 1; }
sleep 1
field() { sed -n "s/.*\"$1\" : \"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" "$dir/state.json"; }
up=$(field upstream_port); proxy=$(field pg_port)
token=$(./airlock demo token agent-1 --dir "$dir" | tail -1)

echo "initialising pgbench tables (scale $SCALE) directly on port $up ..."
"$PGBENCH" -q -i -s "$SCALE" -h 127.0.0.1 -p "$up" -U postgres shop > /dev/null 2>&1

run() { # name port user password extra-args...
  local name=$1 port=$2 user=$3 pw=$4; shift 4
  local out
  out=$(PGPASSWORD="$pw" PGSSLMODE=disable "$PGBENCH" -n -S -c 8 -j 2 -T "$DURATION" "$@" -h 127.0.0.1 -p "$port" -U "$user" shop 2>&1) \
    || { echo "$name failed: $out" >&2; echo "0 0"; return; }
  local tps lat
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p')
  echo "$tps $lat"
}

printf '%-22s %-8s %12s %14s\n' mode target tps "avg lat (ms)"
declare -A sum_tps sum_lat
for mode in simple extended connect; do
  for r in $(seq 1 "$ROUNDS"); do
    for target in direct airlock; do
      if [ "$target" = direct ]; then port=$up; user=postgres; pw=""; else port=$proxy; user=agent-1; pw=$token; fi
      case $mode in
        simple) res=$(run "$mode/$target" "$port" "$user" "$pw" -M simple) ;;
        extended) res=$(run "$mode/$target" "$port" "$user" "$pw" -M extended) ;;
        connect) res=$(run "$mode/$target" "$port" "$user" "$pw" -M simple -C) ;;
      esac
      set -- $res
      printf '%-22s %-8s %12s %14s\n' "-S -c8 -j2 $mode" "$target" "$1" "$2"
      sum_tps[$mode/$target]=$(echo "${sum_tps[$mode/$target]:-0} + $1" | bc -l)
      sum_lat[$mode/$target]=$(echo "${sum_lat[$mode/$target]:-0} + $2" | bc -l)
    done
  done
done
echo
printf '%-10s %12s %12s %10s %16s\n' mode direct_tps airlock_tps ratio "added lat (us)"
for mode in simple extended connect; do
  d=$(echo "${sum_tps[$mode/direct]} / $ROUNDS" | bc -l); a=$(echo "${sum_tps[$mode/airlock]} / $ROUNDS" | bc -l)
  dl=$(echo "${sum_lat[$mode/direct]} / $ROUNDS" | bc -l); al=$(echo "${sum_lat[$mode/airlock]} / $ROUNDS" | bc -l)
  printf '%-10s %12.0f %12.0f %10.3f %16.0f\n' "$mode" "$d" "$a" "$(echo "$a / $d" | bc -l)" "$(echo "($al - $dl) * 1000" | bc -l)"
done
