import { execa } from 'execa';

/** Result of one CLI invocation (only kind and docker are ever run). */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed / not on PATH). */
  notFound?: boolean;
}

export interface CommandOptions {
  /** Show the program's own progress output on our stderr as it runs (e.g. kind create cluster). */
  stream?: boolean;
  timeoutMs?: number;
  input?: string;
  /** Variables added to this process's environment for the program. */
  env?: Record<string, string>;
}

export type CommandRunner = (file: string, args: string[], options?: CommandOptions) => Promise<CommandResult>;

/** Runs a program without a shell; never throws for a non-zero exit (callers turn that into advice). */
export const runCommand: CommandRunner = async (file, args, options = {}) => {
  const result = await execa(file, args, {
    reject: false,
    stdin: options.input !== undefined ? 'pipe' : 'ignore',
    ...(options.input !== undefined ? { input: options.input } : {}),
    stdout: options.stream ? ['pipe', 'inherit'] : 'pipe',
    stderr: options.stream ? ['pipe', 'inherit'] : 'pipe',
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.env ? { env: options.env } : {}),
    // A Ctrl-C reaches the whole process group; our cleanup, not execa, decides what happens next.
    cleanup: true,
  });
  const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? (notFound ? 127 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    ...(notFound ? { notFound } : {}),
  };
};

/** The last few meaningful lines of a program's error output, for an error message. */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').filter((l) => l.trim()).slice(-lines).join('\n');
}

/** The line of a failed program's output that says why: its last error line, shortened. */
export function reasonFrom(stderr: string, max = 300): string {
  const lines = stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /^(docker: )?error|error response from daemon|failed/i.test(l) && !/^Command Output:/.test(l));
  const pick = errors.find((l) => /error response from daemon/i.test(l)) ?? errors.at(-1) ?? lines.at(-1) ?? '(no output)';
  return pick.length > max ? `${pick.slice(0, max)}...` : pick;
}
