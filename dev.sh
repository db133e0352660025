#!/usr/bin/env bash
# Assent's one entry point for people and CI.
#   ./dev.sh serve   set up what is missing, build, and run the portal with demo data
#   ./dev.sh test    set up what is missing, build, and run every test with a summary
#   ./dev.sh build   build both halves only
#   ./dev.sh prefect run a Prefect server with the example flows (examples/prefect) until Ctrl-C
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TRUNK_VERSION="0.21.14"
SCHEMATHESIS_VERSION="4.32.5"
# Prefect 3.9 and newer need packages the registry here does not serve; 3.8.8 needs this
# FastAPI pinned beside it.
PREFECT_VERSION="3.8.8"
PREFECT_FASTAPI_VERSION="0.139.0"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  # wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock exactly.
  local wanted
  wanted="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wanted" ]; then
    say "installing wasm-bindgen-cli $wanted (once; a few minutes)"
    cargo install wasm-bindgen-cli --version "$wanted"
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (once; several minutes)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    as_root apt-get install -y chromium || { as_root apt-get update && as_root apt-get install -y chromium; }
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    say "installing Playwright (without its browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

ensure_schemathesis() {
  SCHEMATHESIS="$TARGET_DIR/schemathesis-venv/bin/schemathesis"
  if [ "$("$SCHEMATHESIS" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI, in its own venv; once)"
    python3 -m venv "$TARGET_DIR/schemathesis-venv"
    "$TARGET_DIR/schemathesis-venv/bin/pip" install --quiet --disable-pip-version-check \
      "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

ensure_prefect() {
  PREFECT_VENV="$TARGET_DIR/prefect-venv"
  if [ "$("$PREFECT_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("prefect"), m.version("fastapi"))' 2>/dev/null)" \
    != "$PREFECT_VERSION $PREFECT_FASTAPI_VERSION" ]; then
    say "installing Prefect $PREFECT_VERSION (PyPI, in its own venv; once, about a minute)"
    python3 -m venv "$PREFECT_VENV"
    "$PREFECT_VENV/bin/pip" install --quiet --disable-pip-version-check \
      "prefect==$PREFECT_VERSION" "fastapi==$PREFECT_FASTAPI_VERSION"
  fi
}

# A Prefect server of its own (fresh PREFECT_HOME with its SQLite database, no UI, no
# analytics) and the flows of examples/prefect, in two steps so that the server's ~15 s
# start overlaps other work. Each runs in a session of its own: Ctrl-C reaches only this
# script, whose EXIT trap stops both process trees (flow runs included) in order.
prefect_launch() { # [port]
  ensure_prefect
  PREFECT_PORT="${1:-$(free_port)}"
  PREFECT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/assent-prefect.XXXXXX")"
  PREFECT_URL="http://127.0.0.1:$PREFECT_PORT/api"
  trap on_exit EXIT
  say "starting Prefect $PREFECT_VERSION on 127.0.0.1:$PREFECT_PORT (logs in $PREFECT_DIR)"
  setsid env -u PREFECT_API_URL -u PREFECT_API_KEY -u PREFECT_PROFILE \
    PREFECT_HOME="$PREFECT_DIR/home" PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_UI_ENABLED=false \
    "$PREFECT_VENV/bin/prefect" server start --host 127.0.0.1 --port "$PREFECT_PORT" \
    </dev/null >"$PREFECT_DIR/server.log" 2>&1 &
  PREFECT_SERVER_PID=$!
}

# Waits for the server, starts the flows and waits until their deployments are found.
prefect_await() {
  local deadline=$((SECONDS + 60))
  until curl -fs "$PREFECT_URL/health" >/dev/null 2>&1; do
    if ! prefect_group_alive "$PREFECT_SERVER_PID" || [ "$SECONDS" -ge "$deadline" ]; then
      prefect_failed "the Prefect server did not become ready"; return 1
    fi
    sleep 0.5
  done
  # Started from the repository (this script's directory), so the deployments' entrypoint
  # is examples/prefect/flows.py. The runner's default 10 s poll would leave every run
  # SCHEDULED for up to 10 s.
  setsid env -u PREFECT_API_KEY -u PREFECT_PROFILE \
    PREFECT_HOME="$PREFECT_DIR/home" PREFECT_API_URL="$PREFECT_URL" PREFECT_RUNNER_POLL_FREQUENCY=1 \
    "$PREFECT_VENV/bin/python" "$ROOT/examples/prefect/flows.py" </dev/null >"$PREFECT_DIR/flows.log" 2>&1 &
  PREFECT_FLOWS_PID=$!
  deadline=$((SECONDS + 60))
  until curl -fs "$PREFECT_URL/deployments/name/create-mailbox/assent" >/dev/null 2>&1 &&
    curl -fs "$PREFECT_URL/deployments/name/always-fails/assent" >/dev/null 2>&1; do
    if ! prefect_group_alive "$PREFECT_FLOWS_PID" || [ "$SECONDS" -ge "$deadline" ]; then
      prefect_failed "the Prefect flows (examples/prefect/flows.py) did not start"; return 1
    fi
    sleep 0.5
  done
}

prefect_failed() {
  echo "$1; the end of its logs ($PREFECT_DIR):" >&2
  local log
  for log in "$PREFECT_DIR/server.log" "$PREFECT_DIR/flows.log"; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -25 "$log" >&2; }
  done
  prefect_stop
}

# Flows first: on SIGTERM the runner still talks to the server. Whatever does not stop
# within 10 s is killed. The database goes; the logs stay in $PREFECT_DIR.
prefect_stop() {
  local group
  for group in "${PREFECT_FLOWS_PID:-}" "${PREFECT_SERVER_PID:-}"; do
    [ -n "$group" ] || continue
    kill -TERM -- "-$group" 2>/dev/null || true
    for _ in $(seq 1 40); do
      prefect_group_alive "$group" || break
      sleep 0.25
    done
    kill -KILL -- "-$group" 2>/dev/null || true
    wait "$group" 2>/dev/null || true
  done
  PREFECT_FLOWS_PID="" PREFECT_SERVER_PID=""
  if [ -n "${PREFECT_DIR:-}" ]; then rm -rf "$PREFECT_DIR/home"; fi
}

# Whether a process group still has a member that is not a zombie (a leader that has
# exited stays one until this script waits for it).
prefect_group_alive() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ {found = 1} END {exit !found}'
}

# The one EXIT trap: the browser tests' server and any Prefect started here.
on_exit() {
  kill "${SERVER_PID:-}" 2>/dev/null || true
  prefect_stop
}

# ./dev.sh prefect: for a person trying the example definition (see the README).
prefect() {
  local port=4200
  # SO_REUSEADDR as in the server itself: a port left in TIME_WAIT by a run just stopped is free.
  if ! python3 -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 4200))' 2>/dev/null; then
    port="$(free_port)"
  fi
  trap 'exit 130' INT TERM HUP
  prefect_launch "$port"
  prefect_await || exit 1
  say "Prefect with the example flows (create-mailbox/assent, always-fails/assent) is ready; Ctrl-C stops it"
  echo "Prefect's API: $PREFECT_URL"
  if [ "$PREFECT_PORT" != 4200 ]; then
    say "port 4200 was taken: write $PREFECT_URL as the url in a copy of examples/prefect/integrations.toml and use that copy"
  fi
  say "in another terminal: ASSENT_INTEGRATIONS=examples/prefect/integrations.toml ./dev.sh serve"
  # Until Ctrl-C, or until either process ends by itself.
  wait -n "$PREFECT_SERVER_PID" "$PREFECT_FLOWS_PID" || true
  prefect_failed "Prefect stopped by itself"
  exit 1
}

build() {
  ensure_rust_tools
  say "building the browser half (trunk)"
  trunk build
  say "building the server"
  cargo build --bin assent
}

serve() {
  build
  export ASSENT_DEMO_DATA="${ASSENT_DEMO_DATA:-true}"
  export ASSENT_SECURE_COOKIES="${ASSENT_SECURE_COOKIES:-false}"
  # A RabbitMQ on this machine's standard port receives the provisioning messages;
  # without one, they wait in the outbox and the pages say why.
  if [ -z "${ASSENT_AMQP_URL:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    export ASSENT_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/%2f"
    say "provisioning through the local RabbitMQ (watch: $TARGET_DIR/debug/assent target-system watch)"
  fi
  say "Assent on http://${ASSENT_BIND:-127.0.0.1:3000}  (log in as alice, bob, carol, dave or admin; password: ${ASSENT_DEMO_PASSWORD:-assent-demo})"
  exec "$TARGET_DIR/debug/assent" "$@"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Playwright against a fresh demo server on `$2` (a database URL); adds to the totals.
run_browser_tests() {
  local label="$1" database_url="$2" port data
  say "running browser tests on $label (Playwright, Debian's Chromium)"
  port="$(free_port)"
  data="$(mktemp -d)"
  # With a broker, approvals reach it and the provisioning test plays the target system;
  # change events travel on a queue of this run's own, which the test publishes to.
  export ASSENT_AMQP_CHANGES_QUEUE="assent.changes.e2e-$port"
  # With Prefect (started for the tests), approvals of a Shared Mailbox hand off to it.
  local integrations=""
  if [ -n "${ASSENT_TEST_PREFECT_URL:-}" ]; then
    integrations="$data/integrations.toml"
    printf '[engines.prefect]\nkind = "prefect"\nurl = "%s"\nreconcile_after = "5s"\nhealth_every = "2s"\n' \
      "$ASSENT_TEST_PREFECT_URL" >"$integrations"
  fi
  env ASSENT_BIND="127.0.0.1:$port" DATABASE_URL="$database_url" \
    ${integrations:+ASSENT_INTEGRATIONS="$integrations"} \
    ASSENT_DEMO_DATA=true ASSENT_SECURE_COOKIES=false ASSENT_DEMO_PASSWORD="${ASSENT_DEMO_PASSWORD:-assent-demo}" \
    ${ASSENT_TEST_AMQP_URL:+ASSENT_AMQP_URL="$ASSENT_TEST_AMQP_URL"} \
    "$TARGET_DIR/debug/assent" >"$data/server.log" 2>&1 &
  SERVER_PID=$!
  trap on_exit EXIT
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  rm -f end2end/test-results/results.json
  (cd end2end && env ASSENT_E2E_URL="http://127.0.0.1:$port" ASSENT_BIN="$TARGET_DIR/debug/assent" \
    ${integrations:+ASSENT_E2E_PREFECT=1} \
    ${ASSENT_TEST_AMQP_URL:+ASSENT_AMQP_URL="$ASSENT_TEST_AMQP_URL"} npx playwright test) || status=1
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  if [ -f end2end/test-results/results.json ]; then
    local e2e
    e2e="$(node -e 'const s=require("./end2end/test-results/results.json").stats; console.log((s.expected+s.flaky)+" "+(s.unexpected))')"
    passed=$((passed + ${e2e% *}))
    failed=$((failed + ${e2e#* }))
  else
    echo "browser tests on $label produced no results; server log:" >&2
    tail -20 "$data/server.log" >&2
    failed=$((failed + 1))
  fi
}

# schemathesis against the Workflow Management Service's own OpenAPI document, on a fresh
# demo server: no 500, every answer as documented, every malformed request refused.
# (Its positive_data_acceptance check is left out: a request can match the schema and
# still break a business rule, such as a form's required field, and then the contract
# answers invalidRequest.) Adds one test to the totals.
run_api_contract_check() {
  local port data password auth
  say "checking the Workflow Management Service against its OpenAPI document (schemathesis)"
  port="$(free_port)"
  data="$(mktemp -d)"
  password="${ASSENT_DEMO_PASSWORD:-assent-demo}"
  # Its ignored_auth check sends wrong credentials on purpose and must see 401 every
  # time, not the lockout that slows password guessing (tested in tests/http/security_lockouts.rs).
  ASSENT_BIND="127.0.0.1:$port" DATABASE_URL="sqlite://$data/api.db?mode=rwc" \
    ASSENT_DEMO_DATA=true ASSENT_SECURE_COOKIES=false ASSENT_DEMO_PASSWORD="$password" \
    ASSENT_LOGIN_FAILURES=1000 ASSENT_ADDRESS_FAILURES=100000 \
    "$TARGET_DIR/debug/assent" >"$data/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  auth="Basic $(printf 'admin:%s' "$password" | base64 | tr -d '\n')"
  if "$SCHEMATHESIS" run "http://127.0.0.1:$port/api/wfs/v1/openapi.json" \
    --url "http://127.0.0.1:$port" -H "Authorization: $auth" \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "${ASSENT_SCHEMATHESIS_EXAMPLES:-25}" --no-color; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "schemathesis found failures; server log:" >&2
    tail -20 "$data/server.log" >&2
  fi
  if grep -q '"level":"ERROR"\|ERROR' "$data/server.log"; then
    echo "the server logged errors during the API check:" >&2
    grep 'ERROR' "$data/server.log" | head -20 >&2
    failed=$((failed + 1))
  fi
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

run_tests() {
  ensure_browser_tools
  ensure_schemathesis
  # The hand-off tests talk to a real Prefect: started now, ready by the Rust tests.
  local own_prefect=""
  if [ -z "${ASSENT_TEST_PREFECT_URL:-}" ]; then
    prefect_launch
    own_prefect=1
  fi
  build
  local log passed=0 failed=0 status=0 prefect_down=0
  log="$(mktemp)"

  say "checking format and lints"
  cargo fmt --all --check
  cargo clippy --all-targets -- -D warnings

  say "running Rust tests (engine, server, HTTP on SQLite and PostgreSQL)"
  if [ -z "${ASSENT_TEST_PG_URL:-}" ]; then
    say "ASSENT_TEST_PG_URL is not set: PostgreSQL tests will say SKIPPED"
  fi
  if [ -z "${ASSENT_TEST_AMQP_URL:-}" ]; then
    say "ASSENT_TEST_AMQP_URL is not set: provisioning (RabbitMQ) tests will say SKIPPED"
  fi
  if [ -n "$own_prefect" ]; then
    if prefect_await; then
      export ASSENT_TEST_PREFECT_URL="$PREFECT_URL"
    else
      prefect_down=1
      say "Prefect did not start: the hand-off tests will say SKIPPED (counted as one failure)"
    fi
  fi
  cargo test --no-fail-fast 2>&1 | tee "$log" || status=1
  passed=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^passed;?$/) s+=$(i-1)} END{print s+0}' "$log")
  failed=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^failed;?$/) s+=$(i-1)} END{print s+0}' "$log")
  failed=$((failed + prefect_down))

  run_api_contract_check

  run_browser_tests "SQLite" "sqlite://$(mktemp -d)/e2e.db?mode=rwc"
  if [ -n "${ASSENT_TEST_PG_URL:-}" ]; then
    # The same browser tests against PostgreSQL, in a database made for this run.
    local pg_db="assent_e2e_$$_$(date +%s)"
    if psql "$ASSENT_TEST_PG_URL" -qc "CREATE DATABASE $pg_db" >/dev/null; then
      run_browser_tests "PostgreSQL" "${ASSENT_TEST_PG_URL%/*}/$pg_db"
      psql "$ASSENT_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
    else
      echo "cannot create a PostgreSQL database for the browser tests" >&2
      failed=$((failed + 1))
    fi
  fi
  # The browser tests hand off to it too (prefect.spec.ts).
  if [ -n "$own_prefect" ]; then
    prefect_stop
    unset ASSENT_TEST_PREFECT_URL
  fi
  echo
  echo "total: $passed passed, $failed failed"
  if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
}

case "${1:-}" in
  serve) shift; serve "$@" ;;
  test) run_tests ;;
  build) build ;;
  prefect) prefect ;;
  *) echo "usage: ./dev.sh serve|test|build|prefect" >&2; exit 2 ;;
esac
