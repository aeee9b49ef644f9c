#!/usr/bin/env bash
# Schemathesis against a live server with the demo data, once per role (issue 6, contract §6):
# no 5xx, every status, header and body as the OpenAPI schema declares. Prints the number of generated cases.
#   tests/contract/schemathesis_run.sh            (SCHEMATHESIS_EXAMPLES=6 per operation and role)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py="$root/.venv/bin/python"
st="$root/.venv/bin/schemathesis"
examples=${SCHEMATHESIS_EXAMPLES:-6}
roles=(member1 party1 staff1 unit_gxj leader1 admin)

work=$(mktemp -d)
server=""
stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT

export DATABASE_URL="sqlite:///$work/demo.sqlite3" JIANYAN_VAR_DIR="$work/var" DEBUG=1
# The fuzzer sends thousands of requests a minute and many wrong passwords: lift the limits for this server only.
export JIANYAN_API_RATE_TOKEN=1000000/60 JIANYAN_API_RATE_ANONYMOUS=1000000/60 AXES_FAILURE_LIMIT=1000000

started=$(date +%s)
"$py" manage.py migrate --noinput -v0 2>/dev/null
"$py" manage.py demo_data >/dev/null 2>&1
declare -A tokens
for user in "${roles[@]}"; do
  tokens[$user]=$("$py" manage.py api_token "$user" --name schemathesis 2>/dev/null)
done

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$py" manage.py runserver "127.0.0.1:$port" --noreload --skip-checks >"$work/server.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port/api/v1/openapi.json"
answers() { "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$url" 2>/dev/null; }
for _ in $(seq 120); do answers && break; sleep 0.5; done
answers || { echo "server did not start"; tail -20 "$work/server.log"; exit 1; }
echo "demo data and server ready in $(( $(date +%s) - started )) s"

total=0
failed=0
run() {  # run LABEL [schemathesis options...]
  local label=$1; shift
  local out="$work/st-$label.txt"
  if (cd "$work" && "$st" run "$url" --checks all --exclude-checks positive_data_acceptance \
        --phases examples,fuzzing -n "$examples" -w 2 --seed 20240301 --generation-database none \
        --no-color --request-timeout 30 "$@") >"$out" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=1
  fi
  local cases
  cases=$(grep -Eo '[0-9]+ generated' "$out" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  total=$((total + cases))
  printf '  %-10s %5s cases  %s\n' "$label" "$cases" "$status"
  if [ "$status" = FAILED ]; then sed -n '/FAILURES\|Traceback\|Error/,$p' "$out" | head -120; fi
}

run anonymous
for user in "${roles[@]}"; do
  # DELETE /auth/token would revoke the very token the rest of the run uses (it is fuzzed anonymously above).
  run "$user" -H "Authorization: Bearer ${tokens[$user]}" --exclude-operation-id revokeToken
done

if grep -q "Traceback" "$work/server.log"; then
  echo "the server logged a traceback:"; grep -A30 -m3 "Traceback" "$work/server.log"; failed=1
fi
echo "schemathesis: $total generated cases over $(( ${#roles[@]} + 1 )) roles in $(( $(date +%s) - started )) s"
exit "$failed"
