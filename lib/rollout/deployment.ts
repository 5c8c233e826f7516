// Deployment status that means "this generation is fully rolled out": the controller has seen it, every
// replica is updated and available, and no pod of an older ReplicaSet is still counted.
import type { V1Deployment } from '@kubernetes/client-node';

export function rolledOut(d: V1Deployment, generation: number): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= generation &&
    (s?.updatedReplicas ?? 0) === want &&
    (s?.availableReplicas ?? 0) === want &&
    (s?.replicas ?? 0) === want
  );
}
