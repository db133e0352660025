#!/usr/bin/env bash
# Assent's one entry point for people and CI.
#   ./dev.sh serve   set up what is missing, build, and run the portal with demo data
#   ./dev.sh test    set up what is missing, build, and run every test with a summary
#   ./dev.sh build   build both halves only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TRUNK_VERSION="0.21.14"
SCHEMATHESIS_VERSION="4.32.5"

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
  env ASSENT_BIND="127.0.0.1:$port" DATABASE_URL="$database_url" \
    ASSENT_DEMO_DATA=true ASSENT_SECURE_COOKIES=false ASSENT_DEMO_PASSWORD="${ASSENT_DEMO_PASSWORD:-assent-demo}" \
    ${ASSENT_TEST_AMQP_URL:+ASSENT_AMQP_URL="$ASSENT_TEST_AMQP_URL"} \
    "$TARGET_DIR/debug/assent" >"$data/server.log" 2>&1 &
  SERVER_PID=$!
  trap 'kill "${SERVER_PID:-}" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  rm -f end2end/test-results/results.json
  (cd end2end && env ASSENT_E2E_URL="http://127.0.0.1:$port" ASSENT_BIN="$TARGET_DIR/debug/assent" \
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
  build
  local log passed=0 failed=0 status=0
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
  cargo test --no-fail-fast 2>&1 | tee "$log" || status=1
  passed=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^passed;?$/) s+=$(i-1)} END{print s+0}' "$log")
  failed=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^failed;?$/) s+=$(i-1)} END{print s+0}' "$log")

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
  echo
  echo "total: $passed passed, $failed failed"
  if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
}

case "${1:-}" in
  serve) shift; serve "$@" ;;
  test) run_tests ;;
  build) build ;;
  *) echo "usage: ./dev.sh serve|test|build" >&2; exit 2 ;;
esac
