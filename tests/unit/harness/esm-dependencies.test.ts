import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import pRetry from 'p-retry';
import { request } from 'undici';
import { parseAllDocuments } from 'yaml';

describe('the ESM-only dependencies', () => {
  it('must all load inside a Jest test', () => {
    expect(typeof k8s.KubeConfig).toBe('function');
    expect(typeof execa).toBe('function');
    expect(typeof pRetry).toBe('function');
    expect(typeof request).toBe('function');
    expect(typeof parseAllDocuments).toBe('function');
  });

  it('must run a process through execa', async () => {
    const { stdout } = await execa('node', ['-e', 'process.stdout.write("ok")']);
    expect(stdout).toBe('ok');
  });
});
