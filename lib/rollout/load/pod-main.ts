// Entry point of the in-cluster generator pod: the same generator as the host path, settings from
// WC_LOAD_SETTINGS, progress on stdout twice a second, and on SIGTERM the full ledger on stdout.
import { startLocalLoad } from './local-source.ts';
import { PRINT_INTERVAL_MS } from './axis-clock.ts';
import { encodeLedger, encodeProgress } from './pod-protocol.ts';
import { resolvedOnce } from './resolve-once.ts';
import { untilServed } from './served.ts';
import type { LoadSettings } from './source.ts';

/** kube-proxy was seen up to 11 s behind on a busy node here; three times that before giving up. */
const SERVED_TIMEOUT_MS = 30_000;
const settings = JSON.parse(process.env.WC_LOAD_SETTINGS ?? '') as LoadSettings;
const print = (line: string) => process.stdout.write(`${line}\n`);
// The Service's name is resolved once, here (resolve-once.ts says why); a name that does not resolve ends the
// pod before any load, with the resolver's error in its log.
const host = new URL(settings.target).hostname;
const target = await resolvedOnce(host);
process.stderr.write(`${host} resolved once to ${target.address}: every connection goes there\n`);
// No request is counted before the Service's address reaches the workload from this node (served.ts says why);
// if it never does, the pod ends with that said, before any load.
const url = `${settings.target}${settings.path}`;
const served = await untilServed(url, target.lookup, SERVED_TIMEOUT_MS).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
process.stderr.write(`${url} answered 2xx after ${served.waitedMs} ms (${served.attempts} tries)\n`);
const load = startLocalLoad(settings, target.lookup);
const report = () => print(encodeProgress({ epochMs: load.epochMs, atMs: load.axisNow(), progress: load.progress() }));
const timer = setInterval(report, PRINT_INTERVAL_MS);
report();

process.once('SIGTERM', () => {
  clearInterval(timer);
  void load.stop().then((ledger) => {
    // Writes to a pipe are synchronous on Linux, so everything is out before the process exits.
    for (const line of encodeLedger(ledger)) print(line);
  });
});
