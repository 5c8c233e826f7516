// Unit tests run in the same Jest run as the cluster files (npm test), on a 2-core machine whose cores the
// cluster is using: a test that spawns a shell or starts a worker thread took over Jest's default 5 s there
// (seen: offline/down.test.ts). The timeout only guards against a hang; no assertion depends on it.
jest.setTimeout(60 * 1000);
