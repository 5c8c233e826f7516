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

/** One supported Kubernetes minor and what versions.env pins for it. */
export interface KubernetesPins {
  /** "1.37" */
  minor: string;
  /** The patch release the offline build makes: "v1.37.2". */
  version: string;
  /** kind's published node image for the minor (online), pinned by digest. */
  kindNodeImage: string;
  /** The default minor (the first of KUBERNETES_MINORS). */
  isDefault: boolean;
}

/** The supported minors, newest first (versions.env KUBERNETES_MINORS; the first is the default). */
export function supportedMinors(versions: Record<string, string>): string[] {
  return requireVersion(versions, 'KUBERNETES_MINORS').split(',').map((m) => m.trim()).filter(Boolean);
}

/**
 * The pins of the Kubernetes version asked for: "1.35", "v1.35" or the minor's pinned patch "v1.35.4"; unset, the
 * default minor. Anything else (an unsupported minor, another patch) is refused in one sentence naming what is
 * supported. offline/lib/common.sh (select_kubernetes) applies the same rule to a build started by hand.
 */
export function kubernetesPins(versions: Record<string, string>, requested?: string, source = 'WC_KUBERNETES_VERSION'): KubernetesPins {
  const minors = supportedMinors(versions);
  const wanted = requested?.trim().replace(/^v/, '');
  const minor = wanted ? /^(\d+\.\d+)(\.\d+)?$/.exec(wanted)?.[1] : minors[0];
  const key = minor?.replace('.', '_');
  const version = key ? versions[`KUBERNETES_${key}`] : undefined;
  if (!minor || !version || !minors.includes(minor)) {
    throw new HarnessError('reading the configuration', `${source}=${requested} is not a Kubernetes version this project supports`,
      `name one of ${minors.join(', ')} (versions.env KUBERNETES_MINORS)`);
  }
  if (wanted && wanted.split('.').length === 3 && `v${wanted}` !== version) {
    throw new HarnessError('reading the configuration', `${source}=${requested} is not the pinned patch of Kubernetes ${minor} (${version})`,
      `name the minor (${minor}) and the run uses ${version}`);
  }
  return { minor, version, kindNodeImage: requireVersion(versions, `KIND_NODE_IMAGE_${key}`), isDefault: minor === minors[0] };
}

/** "v1.37.2-gke.100" -> "1.37": the minor a server's gitVersion reports. */
export function minorOf(gitVersion: string): string | undefined {
  return /^v?(\d+\.\d+)/.exec(gitVersion)?.[1];
}
