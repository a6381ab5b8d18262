#!/usr/bin/env bash
# wrk against one nginx upstream four ways, alternating in one run: directly, through an nginx reverse proxy
# (keep-alive upstream pool), through Airlock (`airlock demo` with its billing connection pointed at the same
# upstream: every request authenticated, decided by the demo policy and recorded in the lineage store), and through
# the HTTP connector alone (HttpRelayBench: same connector code, a gate that allows at once, no policy, no lineage).
#
#   bench/http.sh                          # 2 rounds; 15 s throughput runs (-t2 -c32) and 10 s latency runs
#                                          # (-t1 -c1, 1 ms pause between requests: latency at a light, sustainable load)
#   DURATION=30 ROUNDS=3 CONNECTIONS=64 bench/http.sh
#   IO_THREADS=1 bench/http.sh             # airlock demo --io-threads 1 (the connector-alone run is unchanged)
#
# Prints requests/s (all answers, and 2xx only), p50/p99 latency and non-2xx counts per run, the averages, and what
# the lineage store holds for the Airlock runs (requests recorded vs sent, records refused by backpressure: Airlock
# answers those requests 503 rather than forward them unrecorded). Before each Airlock run it waits until the lineage
# writer's queue is empty, so one run's backlog does not count against the next. Each run's "steal" is the share
# of the machine's CPU time the hypervisor gave other guests meanwhile (bench/steal.sh): runs with a few percent
# of it are not comparable. Needs wrk, nginx, psql, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
WRK=${WRK:-wrk}
NGINX=${NGINX:-/usr/sbin/nginx}
DURATION=${DURATION:-15}
LATENCY_DURATION=${LATENCY_DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
IO_THREADS=${IO_THREADS:-}
dir="$here/.airlock/bench-http"
rm -rf "$dir"
mkdir -p "$dir/nginx/logs"

source "$here/bench/nginx.sh"
up=$(free_port); px=$(free_port)
nginx_conf "$dir" "$up" "  server { listen 127.0.0.1:$px; $NGINX_PROXY }"
"$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" > "$dir/nginx/logs/stdout.log" 2>&1 &
nginx_pid=$!

./airlock demo --dir "$dir/demo" --port 0 --admin-port 0 --http-port 0 --billing-url "http://127.0.0.1:$up/" \
  ${IO_THREADS:+--io-threads "$IO_THREADS"} > "$dir/demo.log" 2>&1 &
demo=$!
./mvnw -B -q -pl connectors -am test-compile dependency:build-classpath -Dmdep.outputFile="$dir/cp.txt" \
  -Dmdep.includeScope=test > "$dir/build.log" 2>&1
java -cp "connectors/target/test-classes:connectors/target/classes:$(cat "$dir/cp.txt")" \
  dev.airlock.connectors.http.bench.HttpRelayBench "http://127.0.0.1:$up/" > "$dir/relay.log" 2>&1 &
relay=$!
cleanup() {
  kill -TERM "$demo" "$relay" 2>/dev/null || true
  wait "$demo" "$relay" 2>/dev/null || true
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do [ -f "$dir/demo/state.json" ] && break; sleep 0.5; done
[ -f "$dir/demo/state.json" ] || { echo "demo did not start; see $dir/demo.log" >&2; exit 1; }
field() { sed -n "s/.*\"$1\" : \"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" "$dir/demo/state.json"; }
ap=$(field http_port); admin=$(field admin_url); lineage_url=$(field lineage_jdbc_url)
pg_port=$(echo "$lineage_url" | sed -n 's#.*localhost:\([0-9]*\)/.*#\1#p')
token=$(./airlock demo token agent-1 --dir "$dir/demo" | tail -1)
for _ in $(seq 1 100); do grep -q '^port ' "$dir/relay.log" 2>/dev/null && break; sleep 0.2; done
rp=$(sed -n 's/^port //p' "$dir/relay.log")

targets="direct nginx airlock connector"
declare -A url
url[direct]="http://127.0.0.1:$up/v1/invoices"
url[nginx]="http://127.0.0.1:$px/billing/v1/invoices"
url[airlock]="http://127.0.0.1:$ap/billing/v1/invoices"
url[connector]="http://127.0.0.1:$rp/billing/v1/invoices"
for t in $targets; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "${url[$t]}")
  [ "$code" = 200 ] || { echo "$t: GET ${url[$t]} answered $code" >&2; exit 1; }
done

recorded() { psql -X -q -t -A -h localhost -p "$pg_port" -U postgres airlock_lineage \
  -c "SELECT count(*) FROM lineage.results r JOIN lineage.actions a USING (action_id) WHERE a.connection = 'billing'"; }
metric() { curl -s "$admin/metrics" | sed -n "s/^$1 \([0-9.eE+]*\).*/\1/p" | head -1; }
drained() { # waits (up to 3 min) until the lineage writer has committed what Airlock queued
  for _ in $(seq 1 360); do
    q=$(metric airlock_lineage_queued); [ "$(printf '%.0f' "${q:-0}")" -lt 100 ] && return 0; sleep 0.5
  done
  echo "warning: lineage queue still at $q records" >&2
}

# CPU time (clock ticks) used so far by the processes that serve a target: the proxy itself (nginx counts the
# upstream too: direct runs give the upstream's share), plus the lineage store's PostgreSQL for Airlock.
ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
procs() {
  case $1 in
    direct|nginx) pgrep -P "$nginx_pid" | tr '\n' ' ' ;;
    airlock) echo "$demo $(pgrep -f "$dir/demo/pg" | tr '\n' ' ')" ;;
    connector) echo "$relay" ;;
    *) echo "" ;;
  esac
}
hz=$(getconf CLK_TCK)
source "$here/bench/steal.sh"

echo 'function delay() return 1 end' > "$dir/pause.lua"

# run NAME URL THREADS CONNECTIONS SECONDS [wrk args] -> "rps ok_rps p50_ms p99_ms non2xx requests cpu_us_per_request steal_%"
run() {
  local out rps p50 p99 non2xx n t0 t1 ps mark steal name=$1 target=$2 threads=$3 conns=$4 secs=$5
  shift 5
  [ "$name" = airlock ] && drained
  ps=$(procs "$name"); t0=$(ticks $ps); mark=$(steal_mark)
  out=$("$WRK" -t"$threads" -c"$conns" -d"$secs"s --latency "$@" -H "Authorization: Bearer $token" "$target" 2>&1)
  steal=$(steal_since $mark)
  [ "$name" = airlock ] && drained # the writer's work for these requests counts too
  t1=$(ticks $ps)
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in .*/\1/p')
  non2xx=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p'); non2xx=${non2xx:-0}
  p50=$(echo "$out" | awk '$1=="50%"{print $2}'); p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  echo "$rps $(echo "$rps * ($n - $non2xx) / $n" | bc -l) $(ms "$p50") $(ms "$p99") $non2xx $n" \
    "$(echo "($t1 - $t0) * 1000000 / $hz / $n" | bc -l)" "$steal"
}
ms() { # wrk prints 812.00us / 1.23ms / 2.01s
  case $1 in *us) echo "$1" | sed 's/us//' | awk '{printf "%.3f", $1/1000}';; *ms) echo "$1" | sed 's/ms//';;
    *s) echo "$1" | sed 's/s//' | awk '{printf "%.3f", $1*1000}';; *) echo "$1";; esac; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming up (the JIT needs ~30 s of load): 40 s through Airlock, 30 s through the connector, 10 s through nginx ..."
run warm "${url[airlock]}" 2 4 40 > /dev/null
run warm "${url[connector]}" "$THREADS" "$CONNECTIONS" 30 > /dev/null
run warm "${url[nginx]}" "$THREADS" "$CONNECTIONS" 10 > /dev/null
drained
rec_before=$(recorded); rej_before=$(metric airlock_lineage_backpressure_rejected_total); sent=0

printf '%-6s %-10s %-9s %10s %10s %9s %9s %8s %10s %6s\n' round mode target req/s 2xx_req/s p50_ms p99_ms non2xx cpu_us/req steal
declare -A sum
for r in $(seq 1 "$ROUNDS"); do
  for mode in throughput latency; do
    for t in $targets; do
      if [ $mode = throughput ]; then res=$(run "$t" "${url[$t]}" "$THREADS" "$CONNECTIONS" "$DURATION")
      else res=$(run "$t" "${url[$t]}" 1 1 "$LATENCY_DURATION" -s "$dir/pause.lua"); fi
      set -- $res
      printf '%-6s %-10s %-9s %10.0f %10.0f %9s %9s %8s %10.1f %5s%%\n' "$r" "$mode" "$t" "$1" "$2" "$3" "$4" "$5" "$7" "$8"
      vals=("$1" "$2" "$3" "$4" "$7"); i=0
      for k in rps ok p50 p99 cpu; do
        sum[$mode/$t/$k]=$(echo "${sum[$mode/$t/$k]:-0} + ${vals[$i]}" | bc -l); i=$((i + 1))
      done
      sum[$mode/$t/bad]=$(( ${sum[$mode/$t/bad]:-0} + $5 ))
      [ "$t" = airlock ] && sent=$((sent + $6))
    done
  done
done
drained
rec_after=$(recorded); rej_after=$(metric airlock_lineage_backpressure_rejected_total)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "averages over $ROUNDS rounds (throughput: -t$THREADS -c$CONNECTIONS ${DURATION}s; latency: -t1 -c1 ${LATENCY_DURATION}s, 1 ms pauses)"
printf '%-10s %-9s %10s %10s %9s %9s %8s %10s\n' mode target 'req/s' '2xx req/s' p50_ms p99_ms non2xx cpu_us/req
for mode in throughput latency; do
  for t in $targets; do
    avg() { echo "${sum[$mode/$t/$1]} / $ROUNDS" | bc -l; }
    printf '%-10s %-9s %10.0f %10.0f %9.3f %9.3f %8d %10.1f\n' $mode $t "$(avg rps)" "$(avg ok)" "$(avg p50)" "$(avg p99)" \
      "${sum[$mode/$t/bad]}" "$(avg cpu)"
  done
done
echo
for mode in throughput latency; do
  printf '%-10s 2xx throughput vs nginx: airlock %.2f, connector %.2f;  p99 added vs direct: airlock %+.3f ms, connector %+.3f ms, nginx %+.3f ms\n' \
    $mode "$(echo "${sum[$mode/airlock/ok]} / ${sum[$mode/nginx/ok]}" | bc -l)" \
    "$(echo "${sum[$mode/connector/ok]} / ${sum[$mode/nginx/ok]}" | bc -l)" \
    "$(echo "(${sum[$mode/airlock/p99]} - ${sum[$mode/direct/p99]}) / $ROUNDS" | bc -l)" \
    "$(echo "(${sum[$mode/connector/p99]} - ${sum[$mode/direct/p99]}) / $ROUNDS" | bc -l)" \
    "$(echo "(${sum[$mode/nginx/p99]} - ${sum[$mode/direct/p99]}) / $ROUNDS" | bc -l)"
done
echo "cpu_us/req: CPU time of the serving processes per request (nginx = proxy + upstream workers; direct = upstream"
echo "  alone; airlock = the Airlock JVM + the embedded PostgreSQL holding the lineage store; connector = its JVM)"
echo "lineage: $sent requests sent through Airlock in the measured runs, $((rec_after - rec_before)) results recorded," \
  "$(printf '%.0f' "$(echo "${rej_after:-0} - ${rej_before:-0}" | bc -l)") records refused by backpressure (those requests got 503)"
