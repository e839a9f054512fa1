#!/usr/bin/env bash
# Provisions the two real Temporal servers the project runs on, from package registries only:
#   - the Temporal CLI (dev server + Web UI + SQLite), built with `go install` from the Go module proxy;
#   - the Java time-skipping test server, resolved with Maven from Maven Central, behind an exec wrapper.
# Idempotent and cached under .tools/ (git-ignored). Honours TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH.
# On a machine without Go (or Java/Maven) but with internet, it falls back to Temporal's own download
# (the CLI from temporal.download here; the test server through the SDK's cached-download in test helpers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
CLI_VERSION="1.5.1"
CLI_MODULE="github.com/temporalio/cli/cmd/temporal@v${CLI_VERSION}"
TSS_DIR="$TOOLS/temporal-test-server"
TSS_POM="$ROOT/tools/temporal-test-server/pom.xml"
mkdir -p "$BIN"

log() { printf '[provision] %s\n' "$*" >&2; }
now_s() { date +%s; }

provision_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" ]] || { log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"; exit 1; }
    log "Temporal CLI: using TEMPORAL_CLI_PATH ($TEMPORAL_CLI_PATH)"
    return
  fi
  if [[ -x "$BIN/temporal" ]] && "$BIN/temporal" --version 2>/dev/null | grep -q "version ${CLI_VERSION} "; then
    log "Temporal CLI ${CLI_VERSION}: cached at .tools/bin/temporal"
    return
  fi
  if [[ -x "$BIN/temporal" && -f "$BIN/temporal.downloaded" ]] && ! command -v go >/dev/null 2>&1; then
    log "Temporal CLI: cached at .tools/bin/temporal (downloaded: $("$BIN/temporal" --version 2>/dev/null | head -1))"
    return
  fi
  local started
  started=$(now_s)
  if command -v go >/dev/null 2>&1; then
    log "Temporal CLI ${CLI_VERSION}: building with go install (first build takes several minutes) ..."
    # CGO off: the CLI uses the pure-Go SQLite driver. GOTOOLCHAIN=local: never download a toolchain.
    CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$BIN" go install \
      -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=${CLI_VERSION}" "$CLI_MODULE"
  else
    # Temporal's documented download (the latest release; the Go build pins v${CLI_VERSION}).
    local tmp os arch
    os=$(uname -s | tr '[:upper:]' '[:lower:]')
    arch=$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
    log "Temporal CLI: no Go toolchain, downloading the latest release for ${os}/${arch} from temporal.download ..."
    tmp=$(mktemp -d)
    curl -fsSL "https://temporal.download/cli/archive/latest?platform=${os}&arch=${arch}" -o "$tmp/cli.tgz"
    tar -xzf "$tmp/cli.tgz" -C "$tmp"
    install -m 0755 "$tmp/temporal" "$BIN/temporal"
    date -u +%FT%TZ >"$BIN/temporal.downloaded"
    rm -rf "$tmp"
  fi
  log "Temporal CLI ${CLI_VERSION}: ready in $(( $(now_s) - started ))s"
}

provision_test_server() {
  if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_TEST_SERVER_PATH" ]] || { log "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file"; exit 1; }
    log "Time-skipping test server: using TEMPORAL_TEST_SERVER_PATH ($TEMPORAL_TEST_SERVER_PATH)"
    return
  fi
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "Time-skipping test server: no Java/Maven; tests fall back to the SDK's own download (needs internet)"
    rm -f "$BIN/temporal-test-server"
    return
  fi
  local stamp="$TSS_DIR/stamp" want
  want="$(sha256sum "$TSS_POM" | cut -d' ' -f1) $(java -version 2>&1 | head -1)"
  if [[ -x "$BIN/temporal-test-server" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "Time-skipping test server: cached at .tools/bin/temporal-test-server"
    return
  fi
  local started
  started=$(now_s)
  log "Time-skipping test server: resolving io.temporal:temporal-test-server with Maven ..."
  rm -rf "$TSS_DIR"
  mkdir -p "$TSS_DIR"
  mvn -B -q -f "$TSS_POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$TSS_DIR/lib"

  # The SDK SIGKILLs its direct child on teardown, so the wrapper must exec the JVM (no orphan holding
  # the port). The SDK gives a spawned server ~5 s to accept connections; an AppCDS archive of the
  # server's classes brings the JVM start from ~2-4.5 s to ~1 s on 2 cores (docs/ARCHITECTURE.md).
  cat > "$BIN/temporal-test-server" <<'WRAPPER'
#!/bin/sh
# argv from @temporalio/testing: <port> [--enable-time-skipping]
DIR="$(cd "$(dirname "$0")/../temporal-test-server" && pwd)"
CDS=""
[ -f "$DIR/classes.jsa" ] && CDS="-XX:SharedArchiveFile=$DIR/classes.jsa -Xshare:auto"
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k $CDS -Xlog:disable -Xlog:all=off \
  -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
WRAPPER
  chmod +x "$BIN/temporal-test-server"

  log "Time-skipping test server: recording a class-data-sharing archive ..."
  local port=$(( 20000 + RANDOM % 20000 ))
  java -XX:ArchiveClassesAtExit="$TSS_DIR/classes.jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Xlog:disable -Xlog:all=off -cp "$TSS_DIR/lib/*" io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ -f "$TSS_DIR/classes.jsa" ]] || log "Time-skipping test server: no CDS archive written (start-up is slower but works)"
  echo "$want" >"$stamp"
  log "Time-skipping test server: ready in $(( $(now_s) - started ))s"
}

provision_cli
provision_test_server
