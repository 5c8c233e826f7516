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
if docker image inspect "$image" >/dev/null 2>&1; then
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
  # As its Dockerfile: WORKDIR /home/app, podcli on PATH, the command from the manifest.
  printf 'FROM scratch\nCOPY files/ /\nWORKDIR /home/app\nENV PATH=/usr/local/bin:/bin\nCMD ["./podinfo"]\n' >"$build/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$build/ctx" >/dev/null || die "docker build of $image failed"
  say "image $image built"
fi

mkdir -p "$out"
cp "$src/kustomize/deployment.yaml" "$src/kustomize/service.yaml" "$src/kustomize/hpa.yaml" "$out/"
chmod u+w "$out"/*.yaml
say "manifests (unchanged) in $out; auditing"
cd "$out"
# podinfo runs as root (no securityContext, no USER in the image we built from its Dockerfile's steps): Pod Security
# baseline, which the scorecard says.
exec node "$repo/lib/run/cli/main.ts" audit -f deployment.yaml -f service.yaml -f hpa.yaml --pod-security baseline \
  --load-image "$image" --reports "$out/reports" "${@:2}"
