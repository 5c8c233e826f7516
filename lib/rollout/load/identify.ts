// How a response says which instance answered: its body (agnhost /hostname returns the pod name) or a
// header the workload sets. Kept as plain data so it can be passed to the in-cluster generator as JSON.
export type Identify = { from: 'body' } | { from: 'header'; name: string };

const MAX_ANSWER = 128;

export function parseIdentify(spec: string): Identify {
  if (spec === 'body') return { from: 'body' };
  const header = /^header:(.+)$/.exec(spec);
  if (header) return { from: 'header', name: header[1]!.trim().toLowerCase() };
  throw new Error(`identify must be "body" or "header:<name>", got "${spec}"`);
}

export function answerOf(
  identify: Identify,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): string | undefined {
  const raw = identify.from === 'body' ? body : headers[identify.name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, MAX_ANSWER) : undefined;
}
