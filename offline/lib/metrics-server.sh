# metrics-server, the resource metrics API (metrics.k8s.io) a HorizontalPodAutoscaler reads: built from its
# pinned Go module like the node's components, and packed into a one-layer image FROM scratch holding only the
# static binary (upstream's image is distroless/static, which adds CA certificates and a passwd file that
# metrics-server does not use: it reaches the kubelets and the API server with the cluster's own credentials).
# Not part of the node image: the autoscaling test installs it into a cluster that lacks one.
# shellcheck shell=bash

build_metrics_server() {
  local key dir
  # The build flags live in this file: changing them changes the key, so a stale binary is never reused.
  key=$(key_of "$METRICS_SERVER_VERSION" "${BASH_SOURCE[0]}")
  dir=$(go_artefact_dir metrics-server "$METRICS_SERVER_VERSION-$key")
  METRICS_SERVER_LOCAL=$IMAGE_PREFIX/metrics-server:$METRICS_SERVER_VERSION-$key
  if is_built "$dir"; then
    log "metrics-server $METRICS_SERVER_VERSION: cached (key $key, $dir)"
  else
    log "metrics-server $METRICS_SERVER_VERSION: building (key $key)"
    # Upstream's Makefile stamps the version into client-go's version package the same way.
    timed metrics-server go_install "$dir" CGO_ENABLED=0 -- \
      -ldflags "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
      "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
    mark_built "$dir"
  fi
  image_exists "$METRICS_SERVER_LOCAL" ||
    timed metrics-server-image build_image "$METRICS_SERVER_LOCAL" scratch '["/metrics-server"]' "$dir/metrics-server:/metrics-server"
}
