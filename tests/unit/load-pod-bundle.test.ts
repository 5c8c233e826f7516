import { join } from 'node:path';
import { BOOT_SCRIPT, bundleFiles, packBundle, POD_ENTRY, reachableSources } from '../../lib/rollout/load/pod-bundle.ts';
import { REPO_ROOT } from '../../lib/run/versions.ts';

describe('generator pod bundle', () => {
  const files = bundleFiles();

  it('holds the entry, what it imports, and undici — nothing that needs the cluster client', () => {
    const sources = reachableSources(join(REPO_ROOT, POD_ENTRY)).map((p) => p.slice(REPO_ROOT.length).replace(/^\//, ''));
    expect(sources).toEqual(expect.arrayContaining(['lib/rollout/load/pod-main.ts', 'lib/rollout/load/generator.ts', 'lib/rollout/ledger/recorder.ts']));
    expect(sources.filter((p) => !p.startsWith('lib/rollout/load/') && !p.startsWith('lib/rollout/ledger/'))).toEqual([]);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['package.json', 'node_modules/undici/index.js', 'node_modules/undici/package.json']));
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
