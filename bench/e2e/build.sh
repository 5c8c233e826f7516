#!/usr/bin/env bash
# Builds Kubernetes' own e2e test binary (k8s.io/kubernetes/test/e2e at versions.env's KUBERNETES_VERSION) for
# `npm run bench:upstream`, once per version: $CACHE_DIR/bench/e2e-<version>/e2e.test. Prints the binary's path
# on stdout; progress (every 15 s, the offline build's `timed`) and failures on stderr.
#
# The wrapper module here (go.mod, tools.go) maps the staging modules to their published versions, as
# offline/go/kubernetes does, and holds every import of e2e_test.go, so `go test -c` finds them all in the
# module cache or the Go module proxy. Compiled at the lowest priority: the machine may be running a suite.
set -euo pipefail
E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../offline/lib/common.sh
. "$E2E_SRC/../../offline/lib/common.sh"
# shellcheck source=../../offline/lib/go-build.sh
. "$E2E_SRC/../../offline/lib/go-build.sh"

DIE_PREFIX="bench:upstream failed"
# The default minor's release (bench:upstream measures against the default version).
WC_KUBERNETES_VERSION='' select_kubernetes
LOG_DIR=$CACHE_DIR/bench/logs
log() { printf '[bench:upstream %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

require_go
got=$(awk '$1 == "k8s.io/kubernetes" || ($1 == "require" && $2 == "k8s.io/kubernetes") {print $NF; exit}' "$E2E_SRC/go.mod")
[ "$got" = "$KUBERNETES_VERSION" ] || die "versions.env pins Kubernetes $KUBERNETES_VERSION but bench/e2e/go.mod requires ${got:-nothing}" \
  "cd bench/e2e && go get k8s.io/kubernetes@$KUBERNETES_VERSION && go mod tidy (and update the k8s.io/* replace lines)"

dir=$CACHE_DIR/bench/e2e-$KUBERNETES_VERSION
mkdir -p "$dir" "$LOG_DIR"
if ! is_built "$dir"; then
  log "building Kubernetes' e2e test binary $KUBERNETES_VERSION into $dir (once per version; cold: 7-15 minutes at nice 19)"
  # Dependencies first with -v (one line per package built: what `timed` counts), then the test binary itself
  # (-vet=off: go test would otherwise vet-analyse every dependency for facts, minutes more at nice 19, to check code we do not own).
  timed e2e-deps bash -c "cd '$E2E_SRC' && CGO_ENABLED=0 nice -n 19 go build -v -trimpath -tags tools ."
  timed e2e-test bash -c "cd '$E2E_SRC' && CGO_ENABLED=0 nice -n 19 go test -c -vet=off -trimpath \
    -ldflags '$(kubernetes_ldflags)' -o '$dir/e2e.test' k8s.io/kubernetes/test/e2e"
  mark_built "$dir"
fi
printf '%s\n' "$dir/e2e.test"
