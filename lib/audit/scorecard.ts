// The audit's report a person reads first (Markdown; also $GITHUB_STEP_SUMMARY), and its JSON. Pure.
import { basename } from 'node:path';
import type { StaticWarning, Verdict, VerdictLevel } from '../checks/verdict.ts';
import { worst } from '../checks/verdict.ts';
import type { AuditReport } from './audit.ts';

const MARK: Record<VerdictLevel, string> = { pass: 'PASS', fail: 'FAIL', advice: 'ADVICE' };

/** What each static warning says next to the live verdict: confirmed (it warned and the check did not pass), refuted, or quiet. */
export function staticLine(w: StaticWarning, verdict: VerdictLevel): string {
  const name = `${w.tool} \`${w.id}\``;
  if (!w.warns) return `${name}: no warning (${w.about} present)`;
  return verdict === 'pass' ? `${name} warns (${w.about} missing); live: it held anyway` : `${name} warns (${w.about} missing); live: confirmed`;
}

/** A check under load's report files (lib/checks/under-load.ts requestEvidence), beside the scorecard in its directory. */
function filesLine(c: Verdict): string | undefined {
  const files = c.evidence.files as { svg?: string; json?: string; md?: string } | undefined;
  if (!files?.svg) return undefined;
  const name = (path: string) => basename(path);
  return `Timeline: [${name(files.svg)}](${name(files.svg)})${files.json ? ` · every request: \`${name(files.json)}\`` : ''}` +
    `${files.md ? ` · figures: [${name(files.md)}](${name(files.md)})` : ''}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function overall(report: AuditReport): VerdictLevel {
  return worst(report.checks.map((c) => c.verdict));
}

export function scorecardMarkdown(report: AuditReport): string {
  const { workload, service } = report;
  const lines = [
    `# Audit of ${workload.kind}/${workload.name}: ${MARK[overall(report)]}`,
    '',
    `${workload.replicas} replica(s) in namespace \`${report.namespace}\`, load path \`${service.path}\` on Service/${service.name}:${service.port}` +
      `${service.created ? ' (made by the audit)' : ''}; Pod Security \`${report.podSecurity}\`` +
      `${report.podSecurity === 'restricted' ? '' : ' (asked for: the workload does not run under restricted)'}; ${report.durationSeconds} s.`,
    '',
    '| check | verdict | what was seen |',
    '|---|---|---|',
    ...report.checks.map((c) => `| ${c.check} | ${MARK[c.verdict]} | ${cell(c.summary)} |`),
    '',
  ];
  for (const c of report.checks) {
    lines.push(`## ${c.check}: ${MARK[c.verdict]}`, '', `*${c.question}*`, '', c.summary, '');
    const files = filesLine(c);
    if (files) lines.push(files, '');
    if (c.static.length) lines.push(...c.static.map((w) => `- ${staticLine(w, c.verdict)}`), '');
  }
  if (report.notes.length) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** One line per check for a terminal. */
export function scorecardLines(report: AuditReport): string[] {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  return report.checks.map((c: Verdict) => `${MARK[c.verdict].padEnd(6)} ${c.check.padEnd(width)}  ${c.summary}`);
}
