import { join } from 'node:path';
import { BOOT_SCRIPT, bundleFiles, packBundle, POD_ENTRY, reachableSources } from '../../lib/rollout/load/pod-bundle.ts';
import { REPO_ROOT } from '../../lib/run/versions.ts';

describe('generator pod bundle', () => {
  const files = bundleFiles();

  it('holds the entry and what it imports — nothing that needs the cluster client or a package', () => {
    const sources = reachableSources(join(REPO_ROOT, POD_ENTRY)).map((p) => p.slice(REPO_ROOT.length).replace(/^\//, ''));
    expect(sources).toEqual(expect.arrayContaining(['lib/rollout/load/pod-main.ts', 'lib/rollout/load/generator.ts', 'lib/rollout/ledger/recorder.ts']));
    expect(sources.filter((p) => !p.startsWith('lib/rollout/load/') && !p.startsWith('lib/rollout/ledger/'))).toEqual([]);
    expect(Object.keys(files).sort()).toEqual(['package.json', ...sources].sort());
    // The image is a stock Node: a package import (no node: prefix, not relative) would fail in the pod.
    const packageImports = Object.entries(files).flatMap(([path, text]) =>
      [...text.matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)].map((m) => m[1]!).filter((spec) => !spec.startsWith('node:')).map((spec) => `${path}: ${spec}`));
    expect(packageImports).toEqual([]);
    expect(files['lib/rollout/load/pod-source.ts']).toBeUndefined();
  });

  it('fits a ConfigMap (1 MiB, base64 in etcd) with room to spare', () => {
    expect(packBundle(files).toString('base64').length).toBeLessThan(900 * 1024);
  });

  it('boots from the mounted bundle into /app', () => {
    expect(BOOT_SCRIPT).toContain("readFileSync('/boot/bundle.json.gz')");
    expect(BOOT_SCRIPT).toContain(`await import('/app/${POD_ENTRY}')`);
  });
});
