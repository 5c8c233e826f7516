import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../kit/errors.ts';

/** What the harness needs to know about a kubeconfig file before it touches any cluster. */
export interface KubeconfigSummary {
  path: string;
  contexts: string[];
  currentContext?: string;
}

const STEP = 'reading the kubeconfig';

export function readKubeconfigSummary(path: string): KubeconfigSummary {
  if (!existsSync(path)) {
    throw new HarnessError(STEP, `WC_KUBECONFIG points at ${path}, which does not exist`,
      'set WC_KUBECONFIG to the path of an existing kubeconfig file, or unset it to let the harness create a kind cluster');
  }
  if (!statSync(path).isFile()) {
    throw new HarnessError(STEP, `WC_KUBECONFIG points at ${path}, which is not a file`,
      'set WC_KUBECONFIG to a kubeconfig file, not a directory');
  }
  return summarizeKubeconfig(readFileSync(path, 'utf8'), path);
}

export function summarizeKubeconfig(text: string, path: string): KubeconfigSummary {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new HarnessError(STEP, `${path} is not valid YAML`, 'point WC_KUBECONFIG at a kubeconfig file', { cause: err });
  }
  const config = doc as { contexts?: Array<{ name?: unknown }>; 'current-context'?: unknown } | null;
  if (!config || typeof config !== 'object' || !Array.isArray(config.contexts)) {
    throw new HarnessError(STEP, `${path} has no contexts`, 'point WC_KUBECONFIG at a kubeconfig file with at least one context');
  }
  const contexts = config.contexts.map((c) => c?.name).filter((n): n is string => typeof n === 'string');
  const current = config['current-context'];
  return { path, contexts, ...(typeof current === 'string' && current !== '' ? { currentContext: current } : {}) };
}

/**
 * Picks the context to use and refuses one that is not kind's unless allowed: the harness creates and
 * deletes namespaces, and must not do so on a real cluster because a kubeconfig happened to point there.
 */
export function chooseContext(summary: KubeconfigSummary, requested: string | undefined, allowNonKind: boolean): string {
  const available = summary.contexts.length ? summary.contexts.join(', ') : '(none)';
  const context = requested ?? summary.currentContext;
  if (!context) {
    throw new HarnessError(STEP, `${summary.path} has no current-context and WC_CONTEXT is not set`,
      `set WC_CONTEXT to one of: ${available}`);
  }
  if (!summary.contexts.includes(context)) {
    throw new HarnessError(STEP, `context "${context}" is not in ${summary.path}`,
      `set WC_CONTEXT to one of: ${available}`);
  }
  if (!isKindContext(context) && !allowNonKind) {
    throw new HarnessError(STEP, `context "${context}" is not a kind cluster (kind contexts are named kind-<cluster>); ` +
      'the harness creates and deletes namespaces and refuses to touch another cluster by accident',
      'pick a kind context with WC_CONTEXT, or set WC_ALLOW_NON_KIND=1 if you mean to run against this cluster');
  }
  return context;
}

export function isKindContext(context: string): boolean {
  return context.startsWith('kind-');
}
