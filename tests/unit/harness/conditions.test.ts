import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import {
  blockedReason, containerRestarted, containerTerminated, deploymentRolledOut, endpointsFor, neverRunningReason, podReady,
  podReplaced, podRunning, podSucceeded, pvcBound, statefulSetReady,
} from '../../../lib/kit/conditions.ts';

function pod(name: string, status: V1Pod['status'], extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { name, uid: `${name}-1`, ...extra }, spec: { containers: [{ name: 'main' }] }, status };
}
const container = (state: object, more: object = {}) => ({ name: 'main', ready: false, restartCount: 0, image: 'i', imageID: '', state, ...more });
const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [container({ running: {} }, { ready: true })] };

describe('pod conditions', () => {
  it.each(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError'])(
    'must treat a container waiting in %s as never starting', (reason) => {
      expect(blockedReason(pod('p', { phase: 'Pending', containerStatuses: [container({ waiting: { reason, message: 'why' } })] })))
        .toBe(`pod p container main is ${reason}: why`);
    });

  it('must not give up on a container that is merely ContainerCreating or in CrashLoopBackOff', () => {
    expect(blockedReason(pod('p', { phase: 'Pending', containerStatuses: [container({ waiting: { reason: 'ContainerCreating' } })] }))).toBeUndefined();
    expect(blockedReason(pod('p', { phase: 'Running', containerStatuses: [container({ waiting: { reason: 'CrashLoopBackOff' } })] }))).toBeUndefined();
  });

  it('must treat an Unschedulable pod as never starting, with the scheduler\'s message', () => {
    const p = pod('p', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] });
    expect(blockedReason(p)).toBe('pod p is Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('must keep waiting on a pod unschedulable only until its claim is bound', () => {
    const p = pod('p', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'pod has unbound immediate PersistentVolumeClaims' }] });
    expect(blockedReason(p)).toBeUndefined();
  });

  it('must treat a Failed pod as never Running, with its exit codes', () => {
    const p = pod('p', { phase: 'Failed', containerStatuses: [container({ terminated: { exitCode: 3 } })] });
    expect(neverRunningReason(p)).toBe('pod p is Failed; main exit 3');
    expect(podRunning()([p])).toEqual({ fatal: 'pod p is Failed; main exit 3' });
  });

  it('podRunning/podReady must wait for at least the asked number of pods, ignoring terminating ones', () => {
    expect(podRunning()([])).toMatchObject({ done: false });
    expect(podReady(2)([pod('a', ready), pod('b', { phase: 'Pending' })])).toEqual({ done: false, note: '1/2 pods Ready' });
    const terminating = pod('old', { phase: 'Failed' }, { deletionTimestamp: new Date() });
    expect(podReady(1)([pod('a', ready), terminating])).toMatchObject({ done: true });
  });

  it('podSucceeded must be done on Succeeded and fatal on Failed', () => {
    expect(podSucceeded()([pod('a', { phase: 'Succeeded' })])).toMatchObject({ done: true });
    expect(podSucceeded()([pod('a', { phase: 'Failed' })])).toHaveProperty('fatal');
  });

  it('podReplaced must ignore the old uid and be done when a new pod of that name is Ready', () => {
    const old = pod('web-0', ready);
    expect(podReplaced('web-0-1')([old])).toEqual({ done: false, note: 'old pod still present' });
    expect(podReplaced('web-0-1')([{ ...pod('web-0', ready), metadata: { name: 'web-0', uid: 'web-0-2' } }])).toMatchObject({ done: true });
  });

  it('containerRestarted must count restarts and give up on a pod that will never restart', () => {
    const ended = { lastState: { terminated: { exitCode: 137 } } };
    expect(containerRestarted('main', 1)([pod('a', { phase: 'Running', containerStatuses: [container({ running: {} }, { restartCount: 1, ...ended })] })]))
      .toMatchObject({ done: true, value: { restartCount: 1 } });
    expect(containerRestarted('main', 1)([pod('a', { phase: 'Running', containerStatuses: [container({ running: {} })] })]))
      .toEqual({ done: false, note: 'main restarts=0/1' });
    expect(containerRestarted('main', 1)([pod('a', { phase: 'Failed', containerStatuses: [container({ terminated: { exitCode: 1 } })] })]))
      .toHaveProperty('fatal');
  });

  it('containerRestarted must keep waiting on a restart whose previous run the kubelet did not record', () => {
    expect(containerRestarted('main', 1)([pod('a', { phase: 'Running', containerStatuses: [container({ running: {} }, { restartCount: 1 })] })]))
      .toEqual({ done: false, note: 'main restarts=1/1, but the end of its last run is not recorded' });
  });

  it('containerTerminated must report the termination, current or before the latest restart', () => {
    const oom = { exitCode: 137, reason: 'OOMKilled' };
    expect(containerTerminated('main')([pod('a', { phase: 'Failed', containerStatuses: [container({ terminated: oom })] })]))
      .toEqual({ done: true, value: oom });
    expect(containerTerminated('main')([pod('a', { phase: 'Running', containerStatuses: [container({ running: {} }, { lastState: { terminated: oom } })] })]))
      .toEqual({ done: true, value: oom });
  });
});

describe('controller and service conditions', () => {
  const slice = (service: string, endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice =>
    ({ addressType: 'IPv4', metadata: { name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } }, endpoints });

  it('endpointsFor must flatten every slice of the Service and ignore other Services\' slices', () => {
    const predicate = endpointsFor('web', (eps) => eps.filter((e) => e.conditions?.ready).length === 2);
    const slices = [slice('web', [{ addresses: ['10.0.0.1'], conditions: { ready: true } }]),
      slice('web', [{ addresses: ['10.0.0.2'], conditions: { ready: true } }]),
      slice('other', [{ addresses: ['10.0.0.3'], conditions: { ready: true } }])];
    expect(predicate(slices)).toMatchObject({ done: true });
    expect(predicate(slices.slice(1))).toMatchObject({ done: false, note: expect.stringContaining('10.0.0.2(ready=true') });
  });

  it('deploymentRolledOut must wait for every replica updated and available at the observed generation', () => {
    const d = (status: V1Deployment['status'], generation = 2): V1Deployment => ({ metadata: { name: 'd', generation }, spec: { replicas: 3, selector: {}, template: {} }, status });
    expect(deploymentRolledOut()([d({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 })])).toMatchObject({ done: true });
    expect(deploymentRolledOut()([d({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 })])).toMatchObject({ done: false });
    expect(deploymentRolledOut()([d({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 })])).toMatchObject({ done: false });
    expect(deploymentRolledOut()([d({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'm' }] })]))
      .toHaveProperty('fatal');
  });

  it('statefulSetReady must wait for ready, updated replicas on one revision', () => {
    const set = { metadata: { name: 's', generation: 1 }, status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'a' } };
    expect(statefulSetReady(2)([set])).toMatchObject({ done: true });
    expect(statefulSetReady(2)([{ ...set, status: { ...set.status, updateRevision: 'b' } }])).toMatchObject({ done: false });
  });

  it('pvcBound must be done when Bound and fatal when Lost', () => {
    expect(pvcBound()([{ metadata: { name: 'c' }, status: { phase: 'Bound' } }])).toMatchObject({ done: true });
    expect(pvcBound()([{ metadata: { name: 'c' }, status: { phase: 'Lost' } }])).toEqual({ fatal: 'claim c is Lost' });
  });
});
