// The processes this one started, for an interrupted run: Jest's workers go on running their test files when
// only Jest's own process gets the signal (a SIGTERM from a CI runner or the CLI), and a worker that creates a
// namespace after the cleanup swept them leaves it behind. Linux /proc; elsewhere none are found.
import { readdirSync, readFileSync } from 'node:fs';

/** Pid of each live (not zombie) child of `parent`. */
export function childProcesses(parent = process.pid, proc = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`${proc}/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === parent && state !== 'Z') children.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

/** Sends SIGTERM to every child, waits up to `graceMs` for them to go, then SIGKILLs the rest. */
export async function stopChildProcesses(log: (line: string) => void, graceMs = 5000, parent = process.pid): Promise<void> {
  const pids = childProcesses(parent);
  if (!pids.length) return;
  log(`[wc] stopping ${pids.length} test worker process(es) (${pids.join(', ')}) before the cleanup`);
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // Already gone.
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const live = new Set(childProcesses(parent));
    if (!pids.some((p) => live.has(p))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stubborn = childProcesses(parent).filter((p) => pids.includes(p));
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  if (stubborn.length) log(`[wc] killed ${stubborn.length} worker process(es) that outlived SIGTERM by ${graceMs} ms`);
}
