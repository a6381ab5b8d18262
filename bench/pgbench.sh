#!/usr/bin/env bash
# pgbench directly against PostgreSQL, through pgbouncer (when installed) and through Airlock (every
# statement analysed, decided and recorded in the lineage store), alternating per round, and prints TPS,
# average latency and the ratios.
#
#   bench/pgbench.sh                       # scale 10, -S -c 8 -j 2, 15 s per run, 2 rounds, all modes
#   DURATION=10 ROUNDS=1 bench/pgbench.sh
#   MODES="simple extended" bench/pgbench.sh
#   IO_THREADS=1 bench/pgbench.sh          # airlock demo --io-threads 1
#   MODES=latency bench/pgbench.sh         # one client (-c 1 -j 1), each transaction's latency logged: p50 / p99
#   MODES=prepared bench/pgbench.sh        # -M prepared: named statements through transaction pooling (pgbouncer
#                                          # before 1.21 cannot: its runs fail, shown as 0 TPS)
#   AIRLOCK_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/airlock.jfr,settings=profile' bench/pgbench.sh
#   ASYNC_PROFILER=/path/to/libasyncProfiler.so bench/pgbench.sh   # CPU profile of each measured Airlock run
#
# Each run's line shows the 1-minute load average after it and "steal": the share of the machine's CPU time the
# hypervisor gave to other guests during the run (/proc/stat); runs with a few percent of steal are not comparable.
#
# ASYNC_PROFILER: async-profiler's agent library (Maven Central: tools.profiler:async-profiler:4.2:jar:linux-x64;
# unzip it). It is attached with jcmd for the measured Airlock runs only (not start-up or warm-up) and writes
# collapsed stacks, kernel frames included, to .airlock/bench/profile-<mode>-<round>.collapsed; summarise them
# with `python3 bench/profile-summary.py FILE`.
#
# It starts `airlock demo --pool transaction` in .airlock/bench (embedded PostgreSQL = the upstream and the
# lineage store; the demo connection pools upstream connections per transaction, as pgbouncer does) and a
# pgbouncer in transaction mode in front of the same server, and stops both at the end. All three use plain
# TCP on loopback, so the comparison is like for like. Modes: simple, extended (-M), connect (-C, a new
# connection per transaction), latency (-M simple with a single client and pgbench's per-transaction log, so p50
# and p99 can be compared; not in the default MODES), prepared (-M prepared; not in the default MODES).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PGBENCH=${PGBENCH:-pgbench}
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
MODES=${MODES:-simple extended connect}
WARMUP=${WARMUP:-5}        # seconds of unrecorded Airlock traffic per mode first, for the JIT
POOL=${POOL-transaction}   # Airlock upstream pooling of the demo connection: transaction, or empty for none
IO_THREADS=${IO_THREADS:-} # Airlock event-loop threads (--io-threads); empty for its default, twice the cores
dir=.airlock/bench
rm -rf "$dir/state.json" "$dir/spool"   # a spool left by an earlier run would be replayed during this one
mkdir -p "$dir"
echo "load average before start: $(cut -d' ' -f1-3 /proc/loadavg); Airlock io threads: ${IO_THREADS:-default}"

./airlock demo --dir "$dir" --port 0 --admin-port 0 ${POOL:+--pool "$POOL"} ${IO_THREADS:+--io-threads "$IO_THREADS"} \
  > "$dir/demo.log" 2>&1 &
demo=$!
bouncer=
cleanup() {
  [ -n "$bouncer" ] && kill -TERM "$bouncer" 2>/dev/null
  kill -TERM $demo 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do [ -f "$dir/state.json" ] && break; sleep 0.5; done
[ -f "$dir/state.json" ] || { echo "demo did not start; see $dir/demo.log" >&2; exit 1; }
sleep 1
field() { sed -n "s/.*\"$1\" : \"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" "$dir/state.json"; }
up=$(field upstream_port); proxy=$(field pg_port); admin=$(field admin_url)
token=$(./airlock demo token agent-1 --dir "$dir" | tail -1)

targets="direct airlock"
if [ -x "$PGBOUNCER" ]; then
  bport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  bdir=$(mktemp -d /tmp/airlock-pgbouncer.XXXXXX)
  cat > "$bdir/pgbouncer.ini" <<EOF
[databases]
shop = host=127.0.0.1 port=$up dbname=shop user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $bdir/users.txt
pool_mode = transaction
default_pool_size = $CLIENTS
max_client_conn = 200
logfile = $bdir/pgbouncer.log
pidfile = $bdir/pgbouncer.pid
EOF
  echo '"postgres" ""' > "$bdir/users.txt"
  chmod -R a+rwX "$bdir"
  # pgbouncer refuses to run as root; -u drops privileges
  if [ "$(id -u)" = 0 ]; then "$PGBOUNCER" -q -u nobody "$bdir/pgbouncer.ini" & else "$PGBOUNCER" -q "$bdir/pgbouncer.ini" & fi
  bouncer=$!
  for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$bport) 2>/dev/null && break; sleep 0.1; done
  targets="direct pgbouncer airlock"
else
  echo "pgbouncer not found ($PGBOUNCER): no pgbouncer column"
fi

echo "initialising pgbench tables (scale $SCALE) directly on port $up ..."
"$PGBENCH" -q -i -s "$SCALE" -h 127.0.0.1 -p "$up" -U postgres shop > /dev/null 2>&1

cpu_ticks() { # utime + stime of a process, in clock ticks
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
hz=$(getconf CLK_TCK)
source "$here/bench/steal.sh"

profiler() { # start | stop FILE: async-profiler in the Airlock JVM, when ASYNC_PROFILER is set
  [ -n "${ASYNC_PROFILER:-}" ] || return 0
  local arg="start,event=cpu,interval=1ms,threads"
  [ "$1" = stop ] && arg="stop,file=$2,collapsed"
  jcmd "$demo" JVMTI.agent_load "$ASYNC_PROFILER" "\"$arg\"" > /dev/null
}

run() { # name port user password cpu-pid extra-args...
  local name=$1 port=$2 user=$3 pw=$4 pid=$5; shift 5
  local out before after log=
  if [ "$mode" = latency ]; then log="$tmp/lat-$target"; rm -f "$log".*; set -- "$@" -l --log-prefix="$log"; fi
  if [ "$pid" = "$demo" ]; then profiler start; fi
  before=$(cpu_ticks "$pid")
  local mark; mark=$(steal_mark)
  out=$(PGPASSWORD="$pw" PGSSLMODE=disable "$PGBENCH" -n -S -c "$CLIENTS" -j "$THREADS" -T "$DURATION" "$@" \
        -h 127.0.0.1 -p "$port" -U "$user" shop 2>&1) \
    || { echo "$name failed: $out" >&2; echo "0 0 - - - -"; return; }
  after=$(cpu_ticks "$pid")
  local steal; steal=$(steal_since $mark)
  if [ "$pid" = "$demo" ]; then profiler stop "$here/$dir/profile-${name%%/*}-$r.collapsed"; fi
  local tps lat n cpu=-
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p')
  n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
  # CPU the proxy process used per transaction (pgbouncer, or the whole Airlock JVM: relay, gate, lineage writer, JIT, GC)
  if [ -n "$pid" ] && [ "${n:-0}" -gt 0 ]; then cpu=$(( (after - before) * 1000000 / hz / n )); fi
  local pct="- -"
  # pgbench's log: client, transaction, latency in µs, ...
  if [ -n "$log" ]; then pct=$(cat "$log".* | awk '{print $3}' | sort -n | awk '{v[NR]=$1} END {
      if (!NR) { print "- -"; exit } a = int(NR * 0.50); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1
      printf "%d %d", v[a], v[b] }'); fi
  echo "${tps:-0} ${lat:-0} $cpu $pct $steal"
}

lineage_queued() { curl -s "$admin/metrics" | sed -n 's/^airlock_lineage_queued \([0-9.E]*\)/\1/p' | awk '{printf "%d", $1}'; }
drain() { # let the lineage writer catch up, so every Airlock run starts with an empty queue
  for _ in $(seq 1 240); do [ "$(lineage_queued)" -lt 100 ] && return; sleep 0.5; done
  echo "(lineage queue still at $(lineage_queued) records)" >&2
}
if [ "$WARMUP" -gt 0 ]; then
  echo "warming Airlock up ($WARMUP s per mode, not recorded) ..."
  for m in simple extended; do
    PGPASSWORD="$token" PGSSLMODE=disable "$PGBENCH" -n -S -c "$CLIENTS" -j "$THREADS" -T "$WARMUP" -M $m \
      -h 127.0.0.1 -p "$proxy" -U agent-1 shop > /dev/null 2>&1 || true
  done
  PGPASSWORD="$token" PGSSLMODE=disable "$PGBENCH" -n -S -C -c "$CLIENTS" -j "$THREADS" -T "$WARMUP" \
    -h 127.0.0.1 -p "$proxy" -U agent-1 shop > /dev/null 2>&1 || true
fi

tmp=$(mktemp -d /tmp/airlock-pgbench.XXXXXX)
printf '%-24s %-10s %12s %14s %14s %8s %7s %18s\n' mode target tps "avg lat (ms)" "proxy cpu/tx" load1 steal "p50 / p99 (us)"
declare -A sum_tps sum_lat sum_p50
for mode in $MODES; do
  for r in $(seq 1 "$ROUNDS"); do
    for target in $targets; do
      case $target in
        direct) port=$up; user=postgres; pw=""; pid="" ;;
        pgbouncer) port=$bport; user=postgres; pw=""; pid=$bouncer ;;
        airlock) port=$proxy; user=agent-1; pw=$token; pid=$demo; drain ;;
      esac
      case $mode in
        simple) res=$(run "$mode/$target" "$port" "$user" "$pw" "$pid" -M simple) ;;
        extended) res=$(run "$mode/$target" "$port" "$user" "$pw" "$pid" -M extended) ;;
        prepared) res=$(run "$mode/$target" "$port" "$user" "$pw" "$pid" -M prepared) ;;
        connect) res=$(run "$mode/$target" "$port" "$user" "$pw" "$pid" -M simple -C) ;;
        latency) res=$(run "$mode/$target" "$port" "$user" "$pw" "$pid" -M simple -c 1 -j 1) ;;
      esac
      set -- $res
      label="-S -c$CLIENTS -j$THREADS $mode"; [ "$mode" = latency ] && label="-S -c1 -j1 latency"
      printf '%-24s %-10s %12s %14s %11s us %8s %6s%% %18s\n' "$label" "$target" "$1" "$2" "$3" \
        "$(cut -d' ' -f1 /proc/loadavg)" "$6" "$4 / $5"
      sum_tps[$mode/$target]=$(echo "${sum_tps[$mode/$target]:-0} + $1" | bc -l)
      sum_lat[$mode/$target]=$(echo "${sum_lat[$mode/$target]:-0} + $2" | bc -l)
      [ "$4" != - ] && sum_p50[$mode/$target]=$(echo "${sum_p50[$mode/$target]:-0} + $4" | bc -l)
    done
  done
done
echo
avg() { echo "${1:-0} / $ROUNDS" | bc -l; }
printf '%-10s %11s %11s %11s %9s %9s %15s\n' mode direct pgbouncer airlock "al/dir" "al/pgb" "al added (us)"
for mode in $MODES; do
  d=$(avg "${sum_tps[$mode/direct]}"); a=$(avg "${sum_tps[$mode/airlock]}"); b=$(avg "${sum_tps[$mode/pgbouncer]:-0}")
  dl=$(avg "${sum_lat[$mode/direct]}"); al=$(avg "${sum_lat[$mode/airlock]}")
  rb=$(if [ "$(echo "$b > 0" | bc)" = 1 ]; then printf '%.3f' "$(echo "$a / $b" | bc -l)"; else echo -; fi)
  printf '%-10s %11.0f %11.0f %11.0f %9.3f %9s %15.0f\n' "$mode" "$d" "$b" "$a" "$(echo "$a / $d" | bc -l)" "$rb" \
    "$(echo "($al - $dl) * 1000" | bc -l)"
  if [ -n "${sum_p50[$mode/airlock]:-}" ]; then
    printf '%-10s added p50: %.0f us (Airlock p50 %.0f us, direct %.0f us)\n' "$mode" \
      "$(echo "(${sum_p50[$mode/airlock]} - ${sum_p50[$mode/direct]}) / $ROUNDS" | bc -l)" \
      "$(avg "${sum_p50[$mode/airlock]}")" "$(avg "${sum_p50[$mode/direct]}")"
  fi
done
rm -rf "$tmp"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s "$admin/metrics" 2>/dev/null | grep -E '^airlock_lineage_(queued|delayed|waiting|backpressure_rejected)' || true
echo "Airlock metrics: $admin/metrics"
if [ -n "${KEEP:-}" ]; then echo "KEEP set: press Enter to stop the demo"; read -r _; fi
