// A plain HTTP server on loopback answering every request with one body: the load generator's unit tests'
// stand-in for a workload.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHttp {
  /** Origin, e.g. http://127.0.0.1:41234 */
  readonly target: string;
  close(): Promise<void>;
}

export async function serveLocally(body: string): Promise<LocalHttp> {
  const server = http.createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The server for the enclosing describe block: started before its tests, closed after them. */
export function useLocalHttp(body: string): { readonly target: string } {
  let server: LocalHttp | undefined;
  beforeAll(async () => {
    server = await serveLocally(body);
  });
  afterAll(() => server?.close());
  return {
    get target() {
      return server!.target;
    },
  };
}
