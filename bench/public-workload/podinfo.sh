#!/usr/bin/env bash
# The audit on a workload this project did not write: stefanprodan/podinfo's own kustomize manifests (Deployment,
# Service, HPA), unchanged, audited as a user would (docs/audit.md). No registry here: podinfo and podcli are built
# from the Go module (versions.env PODINFO_MODULE_VERSION) into a scratch image tagged exactly as the manifest names
# it, with its UI files where its Dockerfile puts them, and loaded into the kind cluster the audit makes.
#   bash bench/public-workload/podinfo.sh [DIR]    (DIR: where the manifests and reports go; default /tmp/podinfo-audit)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
out=${1:-/tmp/podinfo-audit}
say() { echo "[podinfo] $*"; }
die() { echo "[podinfo] $1" >&2; exit 2; }
version=$(sed -n 's/^PODINFO_MODULE_VERSION=//p' versions.env)
[ -n "$version" ] || die "versions.env has no PODINFO_MODULE_VERSION"
command -v go >/dev/null || die "no go on PATH: export PATH=/usr/local/go/bin:\$PATH"
command -v docker >/dev/null && docker info >/dev/null 2>&1 || die "no Docker engine: npm run offline:build starts one"

say "module github.com/stefanprodan/podinfo@$version"
src=$(go mod download -json "github.com/stefanprodan/podinfo@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || die "the Go module proxy did not give github.com/stefanprodan/podinfo@$version"
image=$(sed -n 's/^ *image: *//p' "$src/kustomize/deployment.yaml")
[ -n "$image" ] || die "no image in $src/kustomize/deployment.yaml"

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# An image of that tag is reused only when this recipe (module version and script) built it.
recipe="$version $(sha256sum "$0" | cut -c1-12)"
label=io.workload-conformance.podinfo-recipe
if [ "$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)" = "$recipe" ]; then
  say "image $image already built"
else
  say "building podinfo and podcli (static, CGO off) from the module"
  cp -a "$src/." "$build/src" && chmod -R u+w "$build/src"
  (cd "$build/src" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$build/podinfo" ./cmd/podinfo &&
    CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$build/podcli" ./cmd/podcli) || die "building podinfo failed"
  mkdir -p "$build/ctx/files/home/app" "$build/ctx/files/usr/local/bin" "$build/ctx/files/tmp"
  cp "$build/podinfo" "$build/ctx/files/home/app/podinfo"
  cp -a "$build/src/ui" "$build/ctx/files/home/app/ui"
  cp "$build/podcli" "$build/ctx/files/usr/local/bin/podcli"
  chmod 1777 "$build/ctx/files/tmp"
  # Its Dockerfile's user: app, uid 100 gid 101 (alpine's adduser -S), owning /home/app.
  mkdir -p "$build/ctx/files/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:100:101:app:/home/app:/sbin/nologin\n' >"$build/ctx/files/etc/passwd"
  printf 'root:x:0:\napp:x:101:app\n' >"$build/ctx/files/etc/group"
  # As its Dockerfile: WORKDIR /home/app, podcli on PATH, USER app, the command from the manifest.
  printf 'FROM scratch\nCOPY files/ /\nCOPY --chown=100:101 files/home/app/ /home/app/\nWORKDIR /home/app\nENV PATH=/usr/local/bin:/bin\nUSER 100:101\nLABEL %s="%s"\nCMD ["./podinfo"]\n' \
    "$label" "$recipe" >"$build/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$build/ctx" >/dev/null || die "docker build of $image failed"
  say "image $image built"
fi

mkdir -p "$out"
cp "$src/kustomize/deployment.yaml" "$src/kustomize/service.yaml" "$src/kustomize/hpa.yaml" "$out/"
chmod u+w "$out"/*.yaml
say "manifests (unchanged) in $out; auditing"
cd "$out"
# The image runs as podinfo's own non-root user, but its manifest sets no securityContext (runAsNonRoot, seccomp,
# dropped capabilities), which Pod Security restricted requires: baseline, which the scorecard says.
exec node "$repo/lib/run/cli/main.ts" audit -f deployment.yaml -f service.yaml -f hpa.yaml --pod-security baseline \
  --load-image "$image" --reports "$out/reports" "${@:2}"
