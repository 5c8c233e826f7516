import type { Kube } from '../kube.ts';

/** Where a driver acts: a connection and the test's namespace (a test fixture is one). */
export interface Place {
  kube: Kube;
  ns: string;
}
