// The in-cluster generator resolves the Service's name once, when it starts, and opens every connection to
// that address: a Service's ClusterIP does not change during a rollout, so what the requests test (kube-proxy
// sending each new connection to a pod that is still there) is the same, while resolving per request would
// put CoreDNS in the path of every "fresh" request: 200 lookups a second (A and AAAA), load on a shared
// cluster's DNS that nobody asked for, and, on a starved node, lookup stalls (libuv's resolver threads, UDP
// retries after 5 s) counted as lost requests although the rollout had nothing to do with them.
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';

/** A lookup that answers `host` with the address the system resolver gave once, now; other names fail. */
export async function resolvedOnce(host: string): Promise<{ address: string; lookup: LookupFunction }> {
  const { address, family } = await lookup(host);
  const answer: LookupFunction = (name, options, callback) => {
    if (name !== host) {
      callback(Object.assign(new Error(`${name} is not the load's target ${host}`), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
  return { address, lookup: answer };
}
