#!/usr/bin/env bash
# HTTP/2 from agents: h2load against one nginx upstream (HTTP/1.1) through an nginx reverse proxy that serves h2c
# (prior knowledge) and through Airlock (`airlock demo`, its billing connection pointed at the same upstream:
# every request authenticated, decided by the demo policy and recorded in the lineage store), each in HTTP/2 and,
# with the same load generator, in HTTP/1.1 (`h2load --h1`), alternating in one run.
#
#   bench/http2.sh                        # 2 rounds of 15 s runs, 32 connections, 1 stream in flight on each (as wrk -c32)
#   DURATION=30 ROUNDS=3 CONNECTIONS=16 STREAMS=32 IO_THREADS=1 bench/http2.sh
#
# Prints requests/s, mean request time, failed requests and CPU time per request of the serving processes (nginx:
# its workers, upstream included; Airlock: the JVM plus the lineage store's PostgreSQL). Needs h2load
# (Debian: nghttp2-client), nginx, curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
NGINX=${NGINX:-/usr/sbin/nginx}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-32}
STREAMS=${STREAMS:-1}
IO_THREADS=${IO_THREADS:-}
dir="$here/.airlock/bench-http2"
rm -rf "$dir"
mkdir -p "$dir/nginx/logs"

source "$here/bench/nginx.sh"
up=$(free_port); px=$(free_port); px1=$(free_port)
nginx_conf "$dir" "$up" "  server { listen 127.0.0.1:$px http2; $NGINX_PROXY }
  server { listen 127.0.0.1:$px1; $NGINX_PROXY }"
"$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" > "$dir/nginx/logs/stdout.log" 2>&1 &
nginx_pid=$!
./airlock demo --dir "$dir/demo" --port 0 --admin-port 0 --http-port 0 --billing-url "http://127.0.0.1:$up/" \
  ${IO_THREADS:+--io-threads "$IO_THREADS"} > "$dir/demo.log" 2>&1 &
demo=$!
cleanup() {
  kill -TERM "$demo" 2>/dev/null || true
  wait "$demo" 2>/dev/null || true
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do [ -f "$dir/demo/state.json" ] && break; sleep 0.5; done
[ -f "$dir/demo/state.json" ] || { echo "demo did not start; see $dir/demo.log" >&2; exit 1; }
ap=$(sed -n 's/.*"http_port" : \([0-9]*\).*/\1/p' "$dir/demo/state.json")
token=$(./airlock demo token agent-1 --dir "$dir/demo" | tail -1)
code=$(curl -s -o /dev/null -w '%{http_version} %{http_code}' --http2-prior-knowledge -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$ap/billing/v1/invoices")
[ "$code" = "2 200" ] || { echo "Airlock over h2c answered '$code'" >&2; exit 1; }

ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
hz=$(getconf CLK_TCK)
declare -A url procs
url[nginx-h2]="http://127.0.0.1:$px/billing/v1/invoices"; url[nginx-h1]="http://127.0.0.1:$px1/billing/v1/invoices"
url[airlock-h2]="http://127.0.0.1:$ap/billing/v1/invoices"; url[airlock-h1]=${url[airlock-h2]}
airlock_procs="$demo $(pgrep -f "$dir/demo/pg" | tr '\n' ' ')"; nginx_procs=$(pgrep -P "$nginx_pid" | tr '\n' ' ')

# run TARGET SECONDS -> "req/s mean_ms failed done cpu_us_per_request"
run() {
  local t=$1 secs=$2 ps out t0 t1 n
  case $t in airlock*) ps=$airlock_procs ;; *) ps=$nginx_procs ;; esac
  t0=$(ticks $ps)
  out=$(h2load $([ "${t#*-}" = h1 ] && echo --h1) -t2 -c"$CONNECTIONS" -m"$STREAMS" -D"$secs" \
    -H "authorization: Bearer $token" "${url[$t]}" 2>&1)
  t1=$(ticks $ps)
  n=$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) done.*/\1/p')
  echo "$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')" \
    "$(echo "$out" | awk '$1=="time" && $3=="request:" {print $6}')" \
    "$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p')" "$n" \
    "$(echo "($t1 - $t0) * 1000000 / $hz / ($n + 1)" | bc -l)"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming up: 40 s through Airlock (h2, then h1), 10 s through nginx ..."
run airlock-h2 20 > /dev/null; run airlock-h1 20 > /dev/null; run nginx-h2 10 > /dev/null
printf '%-6s %-11s %10s %12s %8s %10s %11s\n' round target req/s mean_time failed done cpu_us/req
declare -A sum
targets="nginx-h2 airlock-h2 nginx-h1 airlock-h1"
for r in $(seq 1 "$ROUNDS"); do
  for t in $targets; do
    set -- $(run "$t" "$DURATION")
    printf '%-6s %-11s %10.0f %12s %8s %10s %11.1f\n' "$r" "$t" "$1" "$2" "$3" "$4" "$5"
    sum[$t/rps]=$(echo "${sum[$t/rps]:-0} + $1" | bc -l); sum[$t/cpu]=$(echo "${sum[$t/cpu]:-0} + $5" | bc -l)
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "averages over $ROUNDS rounds (h2load -t2 -c$CONNECTIONS -m$STREAMS, ${DURATION}s)"
for t in $targets; do
  printf '%-11s %10.0f req/s %8.1f cpu_us/req\n' "$t" "$(echo "${sum[$t/rps]} / $ROUNDS" | bc -l)" "$(echo "${sum[$t/cpu]} / $ROUNDS" | bc -l)"
done
printf 'Airlock vs nginx: h2 %.2f, h1 %.2f;  Airlock h2 vs h1: %.2f\n' \
  "$(echo "${sum[airlock-h2/rps]} / ${sum[nginx-h2/rps]}" | bc -l)" "$(echo "${sum[airlock-h1/rps]} / ${sum[nginx-h1/rps]}" | bc -l)" \
  "$(echo "${sum[airlock-h2/rps]} / ${sum[airlock-h1/rps]}" | bc -l)"
