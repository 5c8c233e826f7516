import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../kit/errors.ts';
import { REPO_ROOT } from '../kit/repo.ts';

export { REPO_ROOT };
export const VERSIONS_FILE = join(REPO_ROOT, 'versions.env');

/**
 * Parses versions.env: KEY=VALUE lines, `#` comments and blank lines ignored. The file is also sourced
 * by shell scripts, so anything a shell would read differently (spaces around `=`, quotes) is refused
 * rather than guessed at.
 */
export function parseVersions(text: string, source = 'versions.env'): Record<string, string> {
  const versions: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([A-Z][A-Z0-9_]*)=([^\s"'#]+)$/.exec(line);
    if (!match) {
      throw new HarnessError('reading versions', `${source}:${index + 1} is not KEY=VALUE: "${line}"`,
        'write one KEY=VALUE per line, no spaces or quotes');
    }
    versions[match[1]!] = match[2]!;
  });
  return versions;
}

export function readVersions(path: string = VERSIONS_FILE): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HarnessError('reading versions', `cannot read ${path}`, 'run from a checkout of workload-conformance',
      { cause: err });
  }
  return parseVersions(text, path);
}

export function requireVersion(versions: Record<string, string>, key: string): string {
  const value = versions[key];
  if (!value) throw new HarnessError('reading versions', `versions.env has no ${key}`, `add ${key}=... to versions.env`);
  return value;
}
