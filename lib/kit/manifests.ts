import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { HarnessError } from './errors.ts';
import type { Kube } from './kube.ts';
import { retrying } from './kube.ts';
import { runLabels } from './labels.ts';
import { currentRun } from './run-context.ts';
import { REPO_ROOT } from './repo.ts';

export const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** Replaces every ${VAR}; a placeholder without a value is an error, never an empty string. */
export function substitute(text: string, vars: Record<string, string>, source: string): string {
  const missing = new Set<string>();
  const result = text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size) {
    throw new HarnessError('loading a manifest', `${source} uses ${[...missing].map((m) => `\${${m}}`).join(', ')} with no value`,
      'pass the missing variables to t.apply(file, vars) or loadManifest(file, vars)');
  }
  return result;
}

type Labels = Record<string, string>;
type Meta = { metadata?: { labels?: Labels } };

function addLabels<T extends Meta>(obj: T | undefined, labels: Labels): void {
  if (!obj) return;
  obj.metadata = { ...obj.metadata, labels: { ...obj.metadata?.labels, ...labels } };
}

/**
 * Stamps the labels on the object and on what its controller creates from it (pod templates, claim
 * templates), so that pods and claims are found by run too. Selectors are left alone: extra labels on a
 * template never break a selector.
 */
export function stampLabels(obj: KubernetesObject, labels: Labels): KubernetesObject {
  addLabels(obj, labels);
  const spec = (obj as { spec?: { template?: Meta; volumeClaimTemplates?: Meta[]; jobTemplate?: { spec?: { template?: Meta } } } }).spec;
  addLabels(spec?.template, labels);
  spec?.volumeClaimTemplates?.forEach((t) => addLabels(t, labels));
  addLabels(spec?.jobTemplate?.spec?.template, labels);
  return obj;
}

/** Parses multi-document YAML into objects (empty documents skipped). */
export function parseManifest(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      throw new HarnessError('loading a manifest', `${source} is not valid YAML: ${doc.errors[0]!.message}`, `fix ${source}`);
    }
    const value = doc.toJS() as KubernetesObject | null;
    if (value === null || value === undefined) continue;
    if (!value.apiVersion || !value.kind) {
      throw new HarnessError('loading a manifest', `${source} has a document without apiVersion/kind`, `fix ${source}`);
    }
    objects.push(value);
  }
  return objects;
}

function currentRunId(): string | undefined {
  try {
    return currentRun().runId;
  } catch {
    return undefined; // outside a cluster run (unit tests): nothing to stamp
  }
}

/** Reads manifests/<file>, fills ${VAR} placeholders, stamps the run labels (of the current run by default). */
export function loadManifest(file: string, vars: Record<string, string> = {}, runId = currentRunId()): KubernetesObject[] {
  const path = join(MANIFESTS_DIR, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HarnessError('loading a manifest', `cannot read ${path}`, `create manifests/${file}`, { cause: err });
  }
  const objects = parseManifest(substitute(text, vars, `manifests/${file}`), `manifests/${file}`);
  return runId ? objects.map((o) => stampLabels(o, runLabels(runId))) : objects;
}

/** Creates the objects in `namespace`, in order; returns them as the server stored them. */
export async function applyObjects(kube: Kube, namespace: string, objects: KubernetesObject[]): Promise<KubernetesObject[]> {
  const created: KubernetesObject[] = [];
  for (const obj of objects) {
    const spec = { ...obj, metadata: { ...obj.metadata, namespace } };
    const what = `creating ${obj.kind}/${obj.metadata?.name}`;
    created.push(await retrying(what, () => kube.objects.create(spec)));
  }
  return created;
}
