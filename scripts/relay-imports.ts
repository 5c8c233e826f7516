// One-off helper of the lib/ re-lay (docs/ARCHITECTURE.md, "Layout"): rewrites the relative imports of
// the given .ts files from the old places of moved modules to their new ones, so a branch written
// against the old layout (a new test, a new lib/kit/ file) merges onto the new one with one command:
//   node scripts/relay-imports.ts lib/kit/my-new-file.ts tests/my-behaviour.test.ts
// A file still importing a module named here is told where it went; nothing else is touched.
// Delete this script once no branch from before the re-lay is left.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** Old module (repo-relative) → the module that holds its exports now. */
export const MOVED: Record<string, string> = {
  'lib/conditions.ts': 'lib/kit/conditions.ts',
  'lib/wait.ts': 'lib/kit/wait.ts',
  'lib/sources.ts': 'lib/kit/sources.ts',
  'lib/report.ts': 'lib/kit/report.ts',
  'lib/exec.ts': 'lib/kit/exec.ts',
  'lib/fixture.ts': 'lib/kit/fixture.ts',
  'lib/kube.ts': 'lib/kit/kube.ts',
  'lib/errors.ts': 'lib/kit/errors.ts',
  'lib/labels.ts': 'lib/kit/labels.ts',
  'lib/describe.ts': 'lib/kit/describe.ts',
  'lib/run-context.ts': 'lib/kit/run-context.ts',
  'lib/manifests.ts': 'lib/kit/manifests.ts',
  'lib/namespace.ts': 'lib/kit/namespace.ts',
  'lib/diagnostics.ts': 'lib/kit/diagnostics.ts',
  'lib/drivers/poll.ts': 'lib/kit/poll.ts',
  'lib/drivers/pods.ts': 'lib/kit/pods.ts',
  'lib/drivers/pod-replacement.ts': 'lib/kit/pods.ts',
  'lib/drivers/pod-files.ts': 'lib/kit/pods.ts',
  'lib/drivers/place.ts': 'lib/kit/kube.ts',
  'lib/drivers/termination.ts': 'lib/kit/containers.ts',
  'lib/drivers/probe-window.ts': 'lib/kit/containers.ts',
  'lib/drivers/pod-events.ts': 'lib/kit/events.ts',
  'lib/drivers/probe-events.ts': 'lib/kit/events.ts',
  'lib/drivers/endpoints.ts': 'lib/kit/services.ts',
  'lib/drivers/service-endpoints.ts': 'lib/kit/services.ts',
  'lib/drivers/service-traffic.ts': 'lib/kit/services.ts',
  'lib/drivers/answers.ts': 'lib/kit/services.ts',
  'lib/drivers/in-cluster-client.ts': 'lib/kit/client.ts',
  'lib/drivers/dns.ts': 'lib/kit/dns.ts',
  'lib/drivers/nslookup.ts': 'lib/kit/dns.ts',
  'lib/drivers/statefulsets.ts': 'lib/kit/workloads.ts',
  'lib/drivers/volumes.ts': 'lib/kit/volumes.ts',
  'lib/config.ts': 'lib/run/config.ts',
  'lib/kubeconfig.ts': 'lib/run/kubeconfig.ts',
  'lib/versions.ts': 'lib/run/versions.ts',
  'lib/cluster.ts': 'lib/run/cluster.ts',
  'lib/cluster-ready.ts': 'lib/run/cluster-ready.ts',
  'lib/kind.ts': 'lib/run/kind.ts',
  'lib/kind-config.ts': 'lib/run/kind-config.ts',
  'lib/docker.ts': 'lib/run/docker.ts',
  'lib/commands.ts': 'lib/run/commands.ts',
  'lib/offline.ts': 'lib/run/offline.ts',
  'lib/reachability.ts': 'lib/run/reachability.ts',
  'lib/sweeper.ts': 'lib/run/sweeper.ts',
  'lib/signals.ts': 'lib/run/signals.ts',
  'lib/session.ts': 'lib/run/session.ts',
  'lib/cluster-identity.ts': 'lib/run/cluster-identity.ts',
  'lib/cluster-sharing.ts': 'lib/run/cluster-sharing.ts',
  'lib/lease-sweep.ts': 'lib/run/lease-sweep.ts',
  'lib/least-privilege.ts': 'lib/run/least-privilege.ts',
  'lib/run-cleanup.ts': 'lib/run/run-cleanup.ts',
  'lib/run-lease.ts': 'lib/run/run-lease.ts',
  'lib/pod-security.ts': 'lib/kit/pod-security.ts',
  'lib/cli/up.ts': 'lib/run/cli/up.ts',
  'lib/cli/down.ts': 'lib/run/cli/down.ts',
  'lib/cli/run-cli.ts': 'lib/run/cli/run-cli.ts',
  'lib/rollout/byo-config.ts': 'lib/run/config-rollout.ts',
  'lib/rollout/plan.ts': 'lib/run/config-rollout.ts',
  'lib/ledger/derive.ts': 'lib/rollout/ledger/derive.ts',
  'lib/ledger/intervals.ts': 'lib/rollout/ledger/intervals.ts',
  'lib/ledger/percentiles.ts': 'lib/rollout/ledger/percentiles.ts',
  'lib/ledger/recorder.ts': 'lib/rollout/ledger/recorder.ts',
  'lib/ledger/resolve.ts': 'lib/rollout/ledger/resolve.ts',
  'lib/ledger/types.ts': 'lib/rollout/ledger/types.ts',
  'lib/load/classify.ts': 'lib/rollout/load/classify.ts',
  'lib/load/generator.ts': 'lib/rollout/load/generator.ts',
  'lib/load/host-source.ts': 'lib/rollout/load/host-source.ts',
  'lib/load/identify.ts': 'lib/rollout/load/identify.ts',
  'lib/load/pacer.ts': 'lib/rollout/load/pacer.ts',
  'lib/load/placement.ts': 'lib/rollout/load/placement.ts',
  'lib/load/pod-bundle.ts': 'lib/rollout/load/pod-bundle.ts',
  'lib/load/pod-main.ts': 'lib/rollout/load/pod-main.ts',
  'lib/load/pod-protocol.ts': 'lib/rollout/load/pod-protocol.ts',
  'lib/load/pod-source.ts': 'lib/rollout/load/pod-source.ts',
  'lib/load/progress.ts': 'lib/rollout/load/progress.ts',
  'lib/load/reachable.ts': 'lib/rollout/load/reachable.ts',
  'lib/load/source.ts': 'lib/rollout/load/source.ts',
  'lib/report/pod-lanes.ts': 'lib/rollout/report/pod-lanes.ts',
  'lib/report/rollout-files.ts': 'lib/rollout/report/rollout-files.ts',
  'lib/report/rollout-markdown.ts': 'lib/rollout/report/rollout-markdown.ts',
  'lib/report/rollout-timeline-svg.ts': 'lib/rollout/report/rollout-timeline-svg.ts',
  'lib/report/svg.ts': 'lib/rollout/report/svg.ts',
  'tests/unit/drivers/answers.test.ts': 'tests/unit/kit/answers.test.ts',
  'tests/unit/drivers/endpoints.test.ts': 'tests/unit/kit/endpoints.test.ts',
  'tests/unit/drivers/nslookup.test.ts': 'tests/unit/kit/nslookup.test.ts',
  'tests/unit/drivers/poll.test.ts': 'tests/unit/kit/poll.test.ts',
  'tests/unit/drivers/probe-events.test.ts': 'tests/unit/kit/probe-events.test.ts',
  'tests/unit/drivers/probe-window.test.ts': 'tests/unit/kit/probe-window.test.ts',
  'tests/unit/drivers/termination.test.ts': 'tests/unit/kit/termination.test.ts',
  'tests/unit/drivers/volumes.test.ts': 'tests/unit/kit/volumes.test.ts',
};

/** Where a moved file was: the first old module listed for it (the others were merged into it). */
const NEW_TO_OLD = new Map<string, string>();
for (const [from, to] of Object.entries(MOVED)) if (!NEW_TO_OLD.has(to)) NEW_TO_OLD.set(to, from);
const SPEC = /((?:from|import)\s*\(?\s*')(\.{1,2}\/[^']+\.ts)(')/g;

/**
 * `file` is where the importing file is now (repo-relative); `was` where it was when its imports were
 * written (itself, unless it moved too). Returns the text with every import re-pointed from `file`.
 */
export function relayImports(text: string, file: string, was = NEW_TO_OLD.get(file) ?? file): string {
  return text.replace(SPEC, (whole, head: string, spec: string, tail: string) => {
    const target = relative(ROOT, resolve(ROOT, dirname(was), spec));
    const now = MOVED[target] ?? target;
    const rel = relative(dirname(file), now);
    return `${head}${rel.startsWith('.') ? rel : `./${rel}`}${tail}`;
  });
}

if (process.argv[1] === import.meta.filename) {
  for (const arg of process.argv.slice(2)) {
    const file = relative(ROOT, resolve(arg));
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    const next = relayImports(text, file);
    if (next !== text) {
      writeFileSync(resolve(ROOT, file), next);
      process.stdout.write(`relaid ${file}\n`);
    }
  }
}
