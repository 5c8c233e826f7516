import { Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import { Exec } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import { TIMEOUTS } from './timeouts.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The exit code a status frame reports: 0 on Success, the NonZeroExitCode cause otherwise. */
export function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message ? Number.parseInt(cause.message, 10) : Number.NaN;
  if (!Number.isNaN(code)) return code;
  throw new Error(`exec failed: ${status.message ?? status.reason ?? JSON.stringify(status)}`);
}

/**
 * Runs a command in a container and resolves when the command has ended. client-node's Exec resolves as
 * soon as the socket opens; the end is the status frame on the error channel, so that is what is awaited.
 */
export async function execInPod(kube: Kube, namespace: string, pod: string, container: string, command: string[],
  timeoutMs: number = TIMEOUTS.exec): Promise<ExecResult> {
  const out = collector();
  const err = collector();
  const what = `exec in ${namespace}/${pod}/${container}: ${command.join(' ')}`;
  let socket: { close(): void; on(event: string, fn: (...args: unknown[]) => void): void } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (!settled) {
          settled = true;
          fn();
        }
      };
      timer = setTimeout(() => settle(() => reject(new Error(`${what}: no exit status after ${timeoutMs} ms\nstdout: ${out.text()}\nstderr: ${err.text()}`))), timeoutMs);
      const onStatus = (status: V1Status): void => settle(() => {
        try {
          resolve({ stdout: out.text(), stderr: err.text(), exitCode: exitCodeOf(status) });
        } catch (e) {
          reject(new Error(`${what}: ${(e as Error).message}`));
        }
      });
      new Exec(kube.kc).exec(namespace, pod, container, command, out.stream, err.stream, null, false, onStatus)
        .then((ws) => {
          socket = ws as unknown as typeof socket;
          // The status frame precedes the close; a close without one means the command's end is unknown.
          ws.on('close', () => settle(() => reject(new Error(`${what}: connection closed without an exit status\nstderr: ${err.text()}`))));
          if (settled) ws.close();
        }, (e: unknown) => settle(() => reject(new Error(`${what}: ${(e as Error).message ?? e}`))));
    });
  } finally {
    clearTimeout(timer);
    socket?.close();
  }
}
