import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LeaseState } from '../../../lib/run/run-lease.ts';
import { guardExistingCluster, isLoopbackServer, judgeCluster } from '../../../lib/run/cluster-identity.ts';
import { clusterDeletionDecision } from '../../../lib/run/cluster-sharing.ts';
import { connect } from '../../../lib/kit/kube.ts';

const kindNode = (n: string, cluster = 'wc-dev') => ({ name: n, providerID: `kind://docker/${cluster}/${n}` });

describe('which cluster this is', () => {
  it('must tell loopback API servers from others', () => {
    expect(['https://127.0.0.1:6443', 'https://localhost:1', 'https://[::1]:6443', 'https://127.9.0.1'].every(isLoopbackServer)).toBe(true);
    expect(['https://10.0.0.1:6443', 'https://prod.example.com', 'not a url'].some(isLoopbackServer)).toBe(false);
  });

  it('must call a cluster kind only when every node is a kind node, and name the kind cluster', () => {
    expect(judgeCluster({ server: 'https://127.0.0.1:1', context: 'dev', nodes: [kindNode('wc-dev-control-plane')] }))
      .toMatchObject({ kind: true, kindCluster: 'wc-dev', loopback: true });
  });

  it('must refuse a kind-named context whose nodes are not kind nodes, naming the node and its provider ID', () => {
    const j = judgeCluster({ server: 'https://prod.example.com', context: 'kind-prod',
      nodes: [{ name: 'ip-10-0-1-7', providerID: 'aws:///eu-west-1a/i-0abc' }, kindNode('x')] });
    expect(j).toMatchObject({ kind: false, loopback: false });
    expect(j.reason).toBe('context "kind-prod" (API server https://prod.example.com) is not a kind cluster: ' +
      'node ip-10-0-1-7 (provider ID aws:///eu-west-1a/i-0abc) is not a kind node (kind nodes have provider IDs kind://...)');
  });

  it('must not take a loopback address for proof (a tunnel to another cluster is loopback too)', () => {
    expect(judgeCluster({ server: 'https://127.0.0.1:16443', context: 'kind-x', nodes: [{ name: 'n1', providerID: '' }] }).kind).toBe(false);
    expect(judgeCluster({ server: 'https://127.0.0.1:16443', context: 'kind-x', nodesError: 'listing nodes is forbidden to these credentials' }))
      .toMatchObject({ kind: false, reason: expect.stringContaining('its nodes could not be read (listing nodes is forbidden') });
    expect(judgeCluster({ server: 'https://127.0.0.1:16443', context: 'kind-x', nodes: [] }).kind).toBe(false);
  });

  describe('against a server that answers like a non-kind API server', () => {
    // A plain HTTP server stands in for a managed cluster's API server: the client talks real HTTP to it.
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/nodes')) {
        res.end(JSON.stringify({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [
          { metadata: { name: 'gke-pool-1-abcd' }, spec: { providerID: 'gce://prod-project/europe-west1-b/gke-pool-1-abcd' } }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    let kubeconfig = '';
    beforeAll(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      kubeconfig = join(mkdtempSync(join(tmpdir(), 'wc-guard-')), 'config');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: kind-prod',
        `clusters: [{ name: prod, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
        'users: [{ name: u, user: { token: t } }]',
        'contexts: [{ name: kind-prod, context: { cluster: prod, user: u } }]',
      ].join('\n'));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('must refuse the kind-prod context at once, and let it through only with WC_ALLOW_NON_KIND', async () => {
      const kube = connect(kubeconfig, 'kind-prod');
      const lines: string[] = [];
      await expect(guardExistingCluster(kube, false, (l) => lines.push(l))).rejects.toThrow(
        /context "kind-prod" \(API server http:\/\/127\.0\.0\.1:\d+, loopback\) is not a kind cluster: node gke-pool-1-abcd \(provider ID gce:\/\/prod-project/);
      await expect(guardExistingCluster(kube, true, (l) => lines.push(l))).resolves.toMatchObject({ kind: false });
      expect(lines).toEqual([expect.stringContaining('running on it anyway (WC_ALLOW_NON_KIND=1)')]);
    });
  });
});

describe('who may delete a shared kind cluster', () => {
  const created = { mode: 'kind' as const, clusterName: 'wc-ci', createdCluster: true, keepCluster: false, kindBin: '/c/kind' };
  const other: LeaseState = { runId: '2611211200-abcd', holder: 'box/7 run 2611211200-abcd', held: true, expiresAt: new Date(), sinceRenewSeconds: 12 };

  it('must delete the cluster when the run that created it ends and no other run holds a lease', () => {
    expect(clusterDeletionDecision(created, [])).toMatchObject({ delete: true });
  });

  it('must keep it while another run holds a lease on it, saying who and how to remove it later', () => {
    expect(clusterDeletionDecision(created, [other])).toEqual({ delete: false, reason:
      'keeping kind cluster wc-ci, which this run created: run(s) 2611211200-abcd (box/7 run 2611211200-abcd, renewed 12s ago) still hold a lease on it; ' +
      'remove it once they are done: /c/kind delete cluster --name wc-ci' });
  });

  it('must keep it when the leases cannot be read (deleting it under a run is worse than leaving it)', () => {
    expect(clusterDeletionDecision(created, undefined)).toMatchObject({ delete: false, reason: expect.stringContaining('could not read') });
  });

  it('must never delete a cluster this run reused, kept or did not create, whatever the leases', () => {
    expect(clusterDeletionDecision({ ...created, createdCluster: false }, [])).toMatchObject({ delete: false });
    expect(clusterDeletionDecision({ ...created, keepCluster: true }, [])).toMatchObject({ delete: false });
    expect(clusterDeletionDecision({ ...created, mode: 'existing' }, [])).toMatchObject({ delete: false });
  });
});
