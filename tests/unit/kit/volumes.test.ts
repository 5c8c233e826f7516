import { claimOfVolume, expectedClaimName } from '../../../lib/kit/volumes.ts';

describe('claims of StatefulSet pods', () => {
  test('a pod names the claim bound to its volume', () => {
    const pod = { spec: { containers: [], volumes: [{ name: 'scratch', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-ledger-1' } }] } };
    expect(claimOfVolume(pod, 'data')).toBe('data-ledger-1');
    expect(claimOfVolume(pod, 'scratch')).toBeUndefined();
  });

  test('claims are named <template>-<statefulset>-<ordinal>', () => {
    expect(expectedClaimName('data', 'ledger', 0)).toBe('data-ledger-0');
  });
});
