import { loadManifest, parseManifest, stampLabels, substitute } from '../../../lib/kit/manifests.ts';
import { namespaceName } from '../../../lib/kit/namespace.ts';
import { newRunId } from '../../../lib/kit/run-context.ts';

describe('manifests', () => {
  it('must replace every ${VAR} and refuse one without a value', () => {
    expect(substitute('image: ${AGNHOST_IMAGE} # ${AGNHOST_IMAGE}', { AGNHOST_IMAGE: 'a:1' }, 'f')).toBe('image: a:1 # a:1');
    expect(() => substitute('${A} ${B}', { A: '1' }, 'm.yaml')).toThrow('m.yaml uses ${B} with no value');
  });

  it('must parse every document, skipping empty ones, and refuse a document without kind', () => {
    expect(parseManifest('---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Service\n', 'f')).toHaveLength(2);
    expect(() => parseManifest('metadata: {}\n', 'f.yaml')).toThrow('f.yaml has a document without apiVersion/kind');
  });

  it('must stamp the run labels on objects, pod templates and claim templates, keeping their own labels', () => {
    const set = stampLabels({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', labels: { app: 's' } },
      spec: { template: { metadata: { labels: { app: 's' } } }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] } } as never, { run: 'r1' });
    const s = set as unknown as { metadata: { labels: object }; spec: { template: { metadata: { labels: object } }; volumeClaimTemplates: Array<{ metadata: { labels: object } }> } };
    expect(s.metadata.labels).toEqual({ app: 's', run: 'r1' });
    expect(s.spec.template.metadata.labels).toEqual({ app: 's', run: 'r1' });
    expect(s.spec.volumeClaimTemplates[0]!.metadata.labels).toEqual({ run: 'r1' });
  });

  it('must load a smoke manifest with the run labels stamped', () => {
    const [pod] = loadManifest('smoke-oom.yaml', { BUSYBOX_IMAGE: 'bb:1' }, 'r1');
    expect(pod!.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'workload-conformance', 'workload-conformance.io/run': 'r1' });
    expect(JSON.stringify(pod)).toContain('"image":"bb:1"');
  });
});

describe('names', () => {
  it('must give each run a short id fit for a label value and a namespace name', () => {
    const id = newRunId(new Date('2026-11-21T05:10:00Z'));
    expect(id).toMatch(/^2611210510-[0-9a-z]{4}$/);
  });

  it('must name namespaces wc-<behaviour>-<runId>, within 63 characters', () => {
    expect(namespaceName('oom-kill', '2611210510-ab12')).toBe('wc-oom-kill-2611210510-ab12');
    const long = namespaceName('Readiness gates Service endpoints, with a very long name indeed', '2611210510-ab12');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^wc-readiness-gates-service-endpoints-[a-z-]*[a-z]-2611210510-ab12$/);
  });
});
