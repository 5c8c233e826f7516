import { parseVersions, readVersions, requireVersion } from '../../../lib/run/versions.ts';
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
    for (const key of ['KUBERNETES_VERSION', 'KIND_VERSION', 'AGNHOST_IMAGE', 'BUSYBOX_IMAGE', 'NODE_VERSION']) {
      expect(requireVersion(versions, key)).toBeTruthy();
    }
  });

  it('must say which pin is missing', () => {
    expect(() => requireVersion({}, 'KIND_VERSION')).toThrow(/versions.env has no KIND_VERSION/);
  });
});
