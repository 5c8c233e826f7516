import type { V1Pod } from '@kubernetes/client-node';
import type { Place } from '../lib/kit/index.ts';
import {
  awaitStatefulSetReady, claimOfVolume, deletePodAndAwaitReplacement, expectedClaimName, readClaim, readFileInPod, readPod,
  runCase, useTestNamespace,
} from '../lib/kit/index.ts';

// Each ledger pod writes "<pod name> <pod uid>" once to its claim (/data) and once to an emptyDir (/scratch)
// and never rewrites a file that is there: after a replacement, a file naming the old uid is the old data.
const BEHAVIOUR = 'StatefulSet PVC data survives pod deletion';
const SET = 'ledger';
const t = useTestNamespace('statefulset-pvc');

interface Identity {
  pod: V1Pod;
  uid: string;
  claim?: string;
  volume?: string;
  data: string;
  scratch: string;
}

async function identityOf(place: Place, pod: V1Pod): Promise<Identity> {
  const name = pod.metadata?.name ?? '';
  const claim = claimOfVolume(pod, 'data');
  const pvc = claim === undefined ? undefined : await readClaim(place, claim);
  return {
    pod, uid: pod.metadata?.uid ?? '', claim, volume: pvc?.spec?.volumeName,
    data: await readFileInPod(place, name, 'app', '/data/identity'),
    scratch: await readFileInPod(place, name, 'app', '/scratch/identity'),
  };
}

/** Reads a replica before and after its pod is deleted and recreated by the StatefulSet. */
async function replaceReplica(ordinal: number): Promise<{ before: Identity; after: Identity; elapsedMs: number }> {
  const name = `${SET}-${ordinal}`;
  const before = await identityOf(t, await readPod(t, name));
  const { after: replaced, elapsedMs } = await deletePodAndAwaitReplacement(t, name);
  return { before, after: await identityOf(t, replaced), elapsedMs };
}

beforeAll(async () => {
  await t.apply('statefulset-pvc.yaml');
  await awaitStatefulSetReady(t, SET, 2);
});

test('each replica keeps the data it wrote to its own claim after its pod is deleted and recreated', async () => {
  await runCase(BEHAVIOUR, 'claim data-ledger-<ordinal> survives pod deletion', async (seen) => {
    const replicas = await Promise.all([0, 1].map(replaceReplica));
    seen.replicas = replicas.map(({ before, after, elapsedMs }) => ({
      pod: before.pod.metadata?.name, oldUid: before.uid, newUid: after.uid, claim: after.claim,
      volumeBefore: before.volume, volumeAfter: after.volume, dataBefore: before.data, dataAfter: after.data,
      replacedInMs: elapsedMs,
    }));
    replicas.forEach(({ before, after }, ordinal) => {
      expect(before.data).toMatch(new RegExp(`^${SET}-${ordinal} [0-9a-f-]{36}$`));
      expect(after.uid).not.toBe(before.uid);
      expect(after.claim).toBe(expectedClaimName('data', SET, ordinal));
      expect(after.claim).toBe(before.claim);
      expect(after.volume).toBeTruthy();
      expect(after.volume).toBe(before.volume);
      expect(after.data).toBe(before.data);
    });
    expect(replicas[0]!.after.data).not.toBe(replicas[1]!.after.data);
    expect(replicas[0]!.after.volume).not.toBe(replicas[1]!.after.volume);
  });
});

test('an emptyDir volume of the same pod does not survive its deletion', async () => {
  await runCase(BEHAVIOUR, 'control: emptyDir does not survive', async (seen) => {
    const { before, after } = await replaceReplica(0);
    Object.assign(seen, { pod: `${SET}-0`, oldUid: before.uid, newUid: after.uid, scratchBefore: before.scratch,
      scratchAfter: after.scratch, dataAfter: after.data });
    // The same comparison that shows the claim's data surviving shows the emptyDir's not surviving: the new
    // pod found it empty and wrote its own uid.
    expect(after.scratch).not.toBe(before.scratch);
    expect(after.scratch).toBe(`${SET}-0 ${after.uid}`);
    expect(after.data).toBe(before.data);
  });
});
