import { AuthorizationV1Api } from '@kubernetes/client-node';
import type { Kube } from '../kit/kube.ts';
import { retrying } from '../kit/kube.ts';

/**
 * Whether these credentials may patch nodes (cordon them), as the API server's authorizer answers for them: a
 * SelfSubjectAccessReview asks it directly, so an admin, docs/rbac.yaml's node role and any other grant all count.
 * (An admission policy may still narrow what a patch may change; the node role's allows a cordon.)
 */
export async function mayPatchNodes(kube: Kube): Promise<boolean> {
  const api = kube.kc.makeApiClient(AuthorizationV1Api);
  const review = await retrying('asking whether these credentials may patch nodes', () => api.createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { group: '', resource: 'nodes', verb: 'patch' } } },
  }));
  return review.status?.allowed === true;
}
