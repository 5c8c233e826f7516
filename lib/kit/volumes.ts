import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { pvcBound } from './conditions.ts';
import type { Place } from './kube.ts';
import { retrying } from './kube.ts';
import { persistentVolumeClaims } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import { waitFor } from './wait.ts';

/** The claim a pod's volume is bound to, as the StatefulSet controller wrote it into the pod. */
export function claimOfVolume(pod: V1Pod, volume: string): string | undefined {
  return pod.spec?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName;
}

/** The name a StatefulSet gives the claim of a template for one ordinal. */
export function expectedClaimName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}

export function readClaim(place: Place, name: string): Promise<V1PersistentVolumeClaim> {
  return retrying(`reading claim ${name}`, () => place.kube.core.readNamespacedPersistentVolumeClaim({ name, namespace: place.ns }));
}

/** Waits until the claim is Bound (stops at once if it is Lost); value: the bound claim. */
export function awaitClaimBound(place: Place, name: string, timeoutMs: number = TIMEOUTS.assert): Promise<V1PersistentVolumeClaim> {
  return waitFor({ ...persistentVolumeClaims(place.kube, place.ns, { name }), description: `claim ${name} Bound`,
    predicate: pvcBound(), timeoutMs });
}
