import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubernetesPins, minorOf, parseVersions, readVersions, REPO_ROOT, requireVersion, supportedMinors } from '../../../lib/run/versions.ts';
import { HarnessError } from '../../../lib/kit/errors.ts';

describe('versions.env parsing', () => {
  it('must read KEY=VALUE lines and skip comments and blank lines', () => {
    expect(parseVersions('# pins\n\nKIND_VERSION=v0.30.0\n  # indented comment\nNODE_VERSION=24.21.0\n'))
      .toEqual({ KIND_VERSION: 'v0.30.0', NODE_VERSION: '24.21.0' });
  });

  it('must keep image references with registry ports, slashes and colons intact', () => {
    expect(parseVersions('AGNHOST_IMAGE=registry.k8s.io/e2e-test-images/agnhost:2.56')).toEqual({
      AGNHOST_IMAGE: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
    });
  });

  it('must refuse a line a shell would read differently, naming the file and line', () => {
    expect(() => parseVersions('A=1\nB = 2\n', 'v.env')).toThrow(/v\.env:2 is not KEY=VALUE/);
    expect(() => parseVersions('A="quoted"')).toThrow(HarnessError);
  });

  it('must parse the repository\'s own versions.env with every pin the harness needs', () => {
    const versions = readVersions();
    for (const key of ['KUBERNETES_MINORS', 'KIND_VERSION', 'AGNHOST_IMAGE', 'BUSYBOX_IMAGE', 'NODE_VERSION']) {
      expect(requireVersion(versions, key)).toBeTruthy();
    }
  });

  it('must pin, for every supported minor, a patch of that minor, kind\'s node image for that minor by digest, etcd and CoreDNS', () => {
    const versions = readVersions();
    for (const minor of supportedMinors(versions)) {
      const key = minor.replace('.', '_');
      expect(requireVersion(versions, `KUBERNETES_${key}`)).toMatch(new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+$`));
      expect(requireVersion(versions, `KIND_NODE_IMAGE_${key}`)).toMatch(new RegExp(`^kindest/node:v${minor.replace('.', '\\.')}\\.\\d+@sha256:[0-9a-f]{64}$`));
      expect(requireVersion(versions, `ETCD_${key}`)).toMatch(/^v3\.\d+\.\d+$/);
      expect(requireVersion(versions, `COREDNS_${key}`)).toMatch(/^v1\.\d+\.\d+$/);
    }
  });

  it('must run the nightly workflow on exactly the supported minors', () => {
    const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/nightly.yml'), 'utf8')) as
      { jobs: { conformance: { strategy: { matrix: { kubernetes: string[] } } } } };
    expect(workflow.jobs.conformance.strategy.matrix.kubernetes).toEqual(supportedMinors(readVersions()));
  });

  it('must say which pin is missing', () => {
    expect(() => requireVersion({}, 'KIND_VERSION')).toThrow(/versions.env has no KIND_VERSION/);
  });
});

describe('choosing the Kubernetes version', () => {
  const versions = parseVersions(['KUBERNETES_MINORS=1.37,1.35', 'KUBERNETES_1_37=v1.37.2', 'KIND_NODE_IMAGE_1_37=kindest/node:v1.37.0@sha256:aa',
    'KUBERNETES_1_35=v1.35.4', 'KIND_NODE_IMAGE_1_35=kindest/node:v1.35.8@sha256:bb'].join('\n'));

  it('must take the first supported minor by default, and a minor or its pinned patch when asked', () => {
    expect(kubernetesPins(versions)).toEqual({ minor: '1.37', version: 'v1.37.2', kindNodeImage: 'kindest/node:v1.37.0@sha256:aa', isDefault: true });
    for (const asked of ['1.35', 'v1.35', 'v1.35.4', '1.35.4', ' 1.35 ']) {
      expect(kubernetesPins(versions, asked)).toMatchObject({ minor: '1.35', version: 'v1.35.4', isDefault: false });
    }
  });

  it('must refuse a minor it does not support, another patch, or no version at all, in one sentence naming what is supported', () => {
    expect(() => kubernetesPins(versions, '1.34')).toThrow(/WC_KUBERNETES_VERSION=1.34 is not a Kubernetes version this project supports/);
    expect(() => kubernetesPins(versions, '1.34')).toThrow(expect.objectContaining({ hint: 'name one of 1.37, 1.35 (versions.env KUBERNETES_MINORS)' }));
    expect(() => kubernetesPins(versions, '1.35.1')).toThrow(/not the pinned patch of Kubernetes 1.35 \(v1.35.4\)/);
    expect(() => kubernetesPins(versions, 'latest', '--kubernetes')).toThrow(/--kubernetes=latest is not/);
    expect(() => kubernetesPins(versions, '1.36')).toThrow(HarnessError);
  });

  it('must read the minor of a server\'s gitVersion', () => {
    expect(minorOf('v1.37.2')).toBe('1.37');
    expect(minorOf('v1.35.4-gke.1200')).toBe('1.35');
    expect(minorOf('unknown')).toBeUndefined();
  });
});
