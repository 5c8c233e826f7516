// Every deadline a wait or an exec gets, named by what is awaited (as kyverno/chainsaw names its apply,
// assert, cleanup, delete, error and exec timeouts), so a value is chosen once, with its reason, and a
// test or helper says which kind of wait it is instead of repeating a number. A deadline only bounds a
// wait that observes (watch or poll): the wait ends as soon as the state is seen, never at the deadline.
export const TIMEOUTS = {
  /** A new namespace gets its default ServiceAccount (pods are refused until then); objects are created. */
  apply: 60_000,
  /** State the control plane reaches within seconds of a change: endpoints, events, a claim bound, traffic. */
  assert: 60_000,
  /** One command run in a container, from start to its exit status. */
  exec: 30_000,
  /** One pod reaching a state the kubelet drives (Running, Ready, restarted, replaced); images are local. */
  pod: 120_000,
  /** A controller bringing up several pods in turn (a StatefulSet's ordered start), or a pod running to completion. */
  workload: 180_000,
  /** A DNS answer changing: CoreDNS caches answers, negative ones too, for up to 30 s. */
  dns: 90_000,
  /** A namespace deleted and gone: every pod's grace period and the finalizers. */
  delete: 180_000,
  /** The end of a run: deleting every namespace the run left. */
  cleanup: 120_000,
  /** A Deployment rolled out under load (surge one pod at a time, each drains before it exits). */
  rollout: 5 * 60_000,
  /**
   * An add-on the run's setup installs serving its API (metrics-server: the pod Ready, then the aggregator's
   * discovery check, with one replacement of the pod if that fails for a minute: lib/run/metrics-server.ts).
   */
  addOn: 4 * 60_000,
  /** The run's setup: every node pulling every workload image (lib/run/image-pull.ts), from a registry or the local mirror. */
  imagePull: 10 * 60_000,
  /** A new kind cluster: every node Ready and CoreDNS available. */
  cluster: 5 * 60_000,
} as const;

export type TimeoutName = keyof typeof TIMEOUTS;
