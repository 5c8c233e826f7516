/** The one NodePort the rollout load uses; kind-config.yaml maps it to 127.0.0.1 on the host. */
export const NODE_PORT = 30080;
