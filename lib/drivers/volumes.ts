import type { V1Pod } from '@kubernetes/client-node';

/** The claim a pod's volume is bound to, as the StatefulSet controller wrote it into the pod. */
export function claimOfVolume(pod: V1Pod, volume: string): string | undefined {
  return pod.spec?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName;
}

/** The name a StatefulSet gives the claim of a template for one ordinal. */
export function expectedClaimName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}
