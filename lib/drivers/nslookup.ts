// Reads busybox nslookup's text. Three outcomes matter and must not be confused: the name resolved, the name
// does not exist (NXDOMAIN, what the negative control expects), or DNS itself failed (which proves nothing).

export type Resolution =
  | { outcome: 'resolved'; addresses: string[] }
  | { outcome: 'nxdomain' }
  | { outcome: 'error'; detail: string };

const ADDRESS_LINE = /^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)\s*$/;

export function parseNslookup(stdout: string, stderr = ''): Resolution {
  const text = `${stdout}\n${stderr}`;
  // The first block names the server ("Server:" and its "Address: ip:53"); answers come after it.
  const blocks = stdout.split(/\n\s*\n/);
  const answers = blocks.slice(1).join('\n').split('\n')
    .map((line) => ADDRESS_LINE.exec(line.trim())?.[1])
    .filter((address): address is string => address !== undefined);
  if (answers.length > 0) return { outcome: 'resolved', addresses: [...new Set(answers)] };
  if (/NXDOMAIN/.test(text)) return { outcome: 'nxdomain' };
  return { outcome: 'error', detail: text.trim() || '(no output)' };
}

export function describeResolution(resolution: Resolution): string {
  switch (resolution.outcome) {
    case 'resolved': return resolution.addresses.join(', ');
    case 'nxdomain': return 'NXDOMAIN';
    case 'error': return `error: ${resolution.detail}`;
  }
}
