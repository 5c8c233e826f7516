import { parseCgroupProbe } from '../../../lib/run/node-cgroup.ts';
import { loadManifest } from '../../../lib/kit/manifests.ts';

describe('the nodes\' cgroup version, read by a probe pod', () => {
  it('must read the version the probe printed, and nothing from any other output', () => {
    expect(parseCgroupProbe('cgroup v2\n')).toBe(2);
    expect(parseCgroupProbe('cgroup v1\n')).toBe(1);
    expect(parseCgroupProbe('')).toBeUndefined();
    expect(parseCgroupProbe('sh: can\'t create /tmp/x: Read-only file system\n')).toBeUndefined();
  });

  it('must run the probe once, without a service-account token, as a pod that ends', () => {
    const [pod] = loadManifest('node-cgroup-probe.yaml', { BUSYBOX_IMAGE: 'busybox:1' }, 'r1') as Array<{ spec: Record<string, unknown> }>;
    expect(pod!.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
  });
});
