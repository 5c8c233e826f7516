import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dumpNamespace } from './diagnostics.ts';
import { messageOf } from './errors.ts';
import type { Kube } from './kube.ts';
import { connect } from './kube.ts';
import { applyObjects, loadManifest } from './manifests.ts';
import { createNamespace, deleteNamespaces } from './namespace.ts';
import type { PodSecurityLevel } from './pod-security.ts';
import type { RunContext, WorkloadImages } from './run-context.ts';
import { currentRun } from './run-context.ts';
import { abandonWaits } from './wait.ts';

export interface TestNamespace {
  readonly ns: string;
  readonly kube: Kube;
  readonly images: WorkloadImages;
  readonly run: RunContext;
  /** reports/<ns>/: where this file's diagnostics (and any extra evidence) go. */
  readonly reportDir: string;
  /** Variables every manifest gets: AGNHOST_IMAGE, BUSYBOX_IMAGE, NAMESPACE. */
  readonly vars: Record<string, string>;
  /** Loads manifests/<file> with the standard variables plus `vars`, and creates it in the namespace. */
  apply(file: string, vars?: Record<string, string>): Promise<KubernetesObject[]>;
}

/** Set by tests/setup/cluster-environment.ts for every failed test or hook in the file. */
const FAILURES = '__WC_FAILURES__';

export function failuresInThisFile(): number | undefined {
  const value = (globalThis as Record<string, unknown>)[FAILURES];
  return typeof value === 'number' ? value : undefined;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * One namespace for the test file: created before its tests, and after them (when a test failed)
 * diagnosed into reports/<ns>/ and then deleted — diagnostics first, since deletion destroys the evidence.
 */
export function useTestNamespace(behaviour: string,
  options: { /** Only for a behaviour that cannot be shown under restricted; say why at the call. */ podSecurity?: PodSecurityLevel } = {}): TestNamespace {
  let state: { ns: string; kube: Kube; run: RunContext } | undefined;
  const need = (): NonNullable<typeof state> => {
    if (!state) throw new Error(`useTestNamespace('${behaviour}'): the namespace exists only inside tests and hooks`);
    return state;
  };

  beforeAll(async () => {
    const run = currentRun();
    const kube = connect(run.kubeconfigPath, run.context);
    const ns = await createNamespace(kube, behaviour, run.runId, run.owner, options.podSecurity);
    state = { ns, kube, run };
  });

  afterAll(async () => {
    // A test that timed out leaves its wait watching; it would outlive the file and keep the worker busy.
    abandonWaits('the test file has finished');
    if (!state) return;
    const { ns, kube, run } = state;
    // Without the failure-tracking environment we cannot tell, and a dump is cheap next to a lost cause.
    if ((failuresInThisFile() ?? 1) > 0) {
      const dir = join(run.reportsDir, ns);
      try {
        await dumpNamespace(kube, ns, dir);
        log(`[wc] diagnostics of ${ns} written to ${dir}`);
      } catch (err) {
        log(`[wc] could not write diagnostics of ${ns}: ${messageOf(err)}`);
      }
    }
    // A cluster this run will delete goes with everything in it: waiting for the namespace to finish
    // terminating would only add its ~15 s to every file. Anywhere else the cluster is left as found.
    const clusterGoes = run.createdCluster && !run.keepCluster;
    await deleteNamespaces(kube, [ns], { wait: !clusterGoes });
  });

  const t: TestNamespace = {
    get ns() { return need().ns; },
    get kube() { return need().kube; },
    get run() { return need().run; },
    get images() { return need().run.images; },
    get reportDir() { return join(need().run.reportsDir, need().ns); },
    get vars() {
      const { ns, run } = need();
      return { AGNHOST_IMAGE: run.images.agnhost, BUSYBOX_IMAGE: run.images.busybox, NAMESPACE: ns };
    },
    async apply(file, vars = {}) {
      const { ns, kube, run } = need();
      return applyObjects(kube, ns, loadManifest(file, { ...t.vars, ...vars }, run.runId));
    },
  };
  return t;
}
