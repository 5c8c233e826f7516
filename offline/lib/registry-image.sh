# The local registry the nodes pull the workload images from (docs/ARCHITECTURE.md, "One image path"): the
# `distribution` registry (the same program as the official registry image, versions.env REGISTRY_IMAGE) from its
# pinned Go module, in a one-layer image FROM scratch with the minimal config it needs: filesystem storage, plain
# HTTP on :5000 (it is reached only on this machine's loopback and kind's Docker network).
# shellcheck shell=bash

build_registry_image() {
  local key dir ctx
  key=$(key_of "$DISTRIBUTION_VERSION" "${BASH_SOURCE[0]}")
  dir=$(go_artefact_dir registry "$DISTRIBUTION_VERSION-$key")
  REGISTRY_LOCAL=$IMAGE_PREFIX/registry:$DISTRIBUTION_VERSION-$key
  if ! is_built "$dir"; then
    timed registry go_install "$dir" CGO_ENABLED=0 -- -ldflags "-s -w" \
      "github.com/distribution/distribution/v3/cmd/registry@$DISTRIBUTION_VERSION"
    mark_built "$dir"
  fi
  image_exists "$REGISTRY_LOCAL" && return 0
  ctx=$(mktemp -d "$OFFLINE_CACHE/registry.XXXXXX")
  mkdir -p "$ctx/etc/distribution" "$ctx/var/lib/registry"
  cat >"$ctx/etc/distribution/config.yml" <<'YAML'
version: 0.1
log:
  level: warn
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
YAML
  # The official image's own command line: `registry serve /etc/distribution/config.yml`.
  timed registry-image build_image "$REGISTRY_LOCAL" scratch '["/registry", "serve", "/etc/distribution/config.yml"]' \
    "$dir/registry:/registry" "$ctx/etc/distribution/config.yml:/etc/distribution/config.yml"
  local rc=$?
  rm -rf "$ctx"
  return $rc
}
