// What the generator pod needs to run this repository's generator with a stock Node image: the load and
// ledger sources (Node >= 22.18 runs the .ts files as they are; they import only node: modules), packed as
// one gzipped JSON map of path → content for a ConfigMap, plus a boot script that unpacks it.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../kit/repo.ts';

export const POD_ENTRY = 'lib/rollout/load/pod-main.ts';
/** The entry and every relative .ts module it imports, transitively (type-only imports included: harmless). */
export function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) visit(resolve(dirname(file), spec!));
  };
  visit(entry);
  return [...seen];
}

export function bundleFiles(root = REPO_ROOT): Record<string, string> {
  const paths = reachableSources(join(root, POD_ENTRY));
  const files: Record<string, string> = { 'package.json': '{"type":"module"}\n' };
  for (const path of paths) files[relative(root, path)] = readFileSync(path, 'utf8');
  return files;
}

export function packBundle(files: Record<string, string>): Buffer {
  return gzipSync(JSON.stringify(files), { level: 9 });
}

export const BOOT_SCRIPT = `import { gunzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const files = JSON.parse(gunzipSync(readFileSync('/boot/bundle.json.gz')).toString('utf8'));
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join('/app', path)), { recursive: true });
  writeFileSync(join('/app', path), content);
}
await import('/app/${POD_ENTRY}');
`;
