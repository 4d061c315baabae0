#!/usr/bin/env bash
# Webhook ingest measured with wrk (Debian package `wrk`), a C load generator, against `qiao start`:
# /health as the baseline, then 3 × 10 s of signed webhooks with unique event ids, the apply running.
#   bash ops/bench/webhooks-wrk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
dir=$(mktemp -d); port=18391; token=bench-token-0123456789abcdef; secret=whsec_bench_0123456789abcdef
trap 'kill -TERM $qiao 2>/dev/null; wait $qiao 2>/dev/null; rm -rf "$dir"' EXIT
QIAO_DATA_DIR=$dir QIAO_PORT=$port QIAO_TEMPORAL_PORT=18392 QIAO_TEMPORAL_UI_PORT=18393 QIAO_API_TOKENS=$token:admin:bench \
  node --import tsx ops/cli.ts start >"$dir/qiao.log" 2>&1 &
qiao=$!
for _ in $(seq 1 120); do grep -q "gateway at" "$dir/qiao.log" && break; sleep 1; done
curl -sf -XPUT "http://127.0.0.1:$port/v1/connectors/hooks" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"type\":\"template\",\"config\":{\"baseUrl\":\"http://127.0.0.1:9/\",\"apiToken\":\"unused\",\"webhookSecrets\":[\"$secret\"],\"allowPrivateNetwork\":true},\"entities\":{\"record\":{\"direction\":\"in\",\"pollSeconds\":86400}}}" >/dev/null
node --import tsx ops/bench/sign-webhooks.ts "$dir/requests.txt" 150000 "$secret"
echo "baseline GET /health:"; wrk -t1 -c32 -d10s --latency "http://127.0.0.1:$port/health" | grep -E "Requests/sec|  99%"
wrk -t1 -c32 -d3s -s ops/bench/webhooks.lua "http://127.0.0.1:$port" -- "$dir/requests.txt" 0 >/dev/null
for offset in 20000 60000 100000; do
  echo "POST /webhooks/hooks (events from #$offset):"; wrk -t1 -c32 -d10s --latency -s ops/bench/webhooks.lua "http://127.0.0.1:$port" -- "$dir/requests.txt" $offset | grep -E "Requests/sec|  50%|  99%|Non-2xx"
done
sleep 3
node -e "const D=require('better-sqlite3');const d=new D('$dir/qiao.db',{readonly:true});console.log('inbox after the load:',JSON.stringify(d.prepare('select status, count(*) n from inbox group by status').all()))"
