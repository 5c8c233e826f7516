import { spawnSync } from 'node:child_process';
import { connect } from '../lib/kit/kube.ts';
import type { Kube } from '../lib/kit/kube.ts';
import { createNamespace, deleteNamespaces, thisProcessOwner } from '../lib/kit/namespace.ts';
import { currentRun } from '../lib/kit/run-context.ts';
import { sweepLeftovers } from '../lib/run/sweeper.ts';

/**
 * The start-of-run sweep on a real cluster: it removes the namespaces of a run whose owner process is
 * gone, and leaves those of a run still going on (a concurrent run on this host) alone.
 */
let kube: Kube;
const made: string[] = [];

beforeAll(() => {
  const run = currentRun();
  kube = connect(run.kubeconfigPath, run.context);
});

afterAll(async () => {
  await deleteNamespaces(kube, made);
});

/** A pid that belonged to a process that has exited (what a crashed earlier run leaves behind). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('the sweep MUST delete a namespace whose owner process is gone and keep one whose owner is alive', async () => {
  const suffix = Date.now().toString(36);
  const owner = thisProcessOwner();
  const dead = await createNamespace(kube, 'sweep-dead', `dead-${suffix}`, { host: owner.host, pid: deadPid() });
  const live = await createNamespace(kube, 'sweep-live', `live-${suffix}`, owner);
  made.push(dead, live);

  const lines: string[] = [];
  const decisions = await sweepLeftovers(kube, currentRun().runId, owner, (l) => lines.push(l));

  expect(decisions.find((d) => d.name === dead)).toMatchObject({ sweep: true, reason: expect.stringContaining('is gone') });
  expect(decisions.find((d) => d.name === live)).toMatchObject({ sweep: false, reason: expect.stringContaining('concurrent run') });
  const remaining = (await kube.core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=workload-conformance' }))
    .items.map((n) => n.metadata?.name);
  expect(remaining).not.toContain(dead);
  expect(remaining).toContain(live);
  expect(lines.find((l) => l.includes(dead))).toMatch(/^\[wc\] sweep: deleting namespace .*owner process \d+ on this host is gone$/);
});
