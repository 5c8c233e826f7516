// What a check returns, to a behaviour test and to the audit alike: a verdict, the question it answers, one line a
// person reads, the evidence it rests on, and the static warnings (kube-score, Polaris) it confirms or refutes.

/** pass: the promise held; fail: it broke, with the evidence; advice: it held, and a measurement suggests a change. */
export type VerdictLevel = 'pass' | 'fail' | 'advice';

/** A static analyser's warning about the same concern, by its own check ID, and whether the input triggers it. */
export interface StaticWarning {
  tool: 'kube-score' | 'Polaris';
  id: string;
  /** Whether the tool would warn on this input (as its documented rule reads); the live verdict then confirms or refutes it. */
  warns: boolean;
  about: string;
}

export interface Verdict {
  /** Short stable name: startup, deletion, redundancy, resources, ... (the JUnit case and the JSON key). */
  check: string;
  /** The homework question it answers, in the user's words. */
  question: string;
  verdict: VerdictLevel;
  /** One line: what was seen, and for fail/advice what to change. */
  summary: string;
  evidence: Record<string, unknown>;
  static: StaticWarning[];
}

/** The worst of several verdicts: fail over advice over pass. */
export function worst(levels: readonly VerdictLevel[]): VerdictLevel {
  return levels.includes('fail') ? 'fail' : levels.includes('advice') ? 'advice' : 'pass';
}

/**
 * A check whose evidence is not there (no pod seen, no sample taken) passes nothing: it fails as "could not
 * complete", saying what was missing, as a check that threw does (lib/audit/audit.ts).
 */
export function couldNotComplete(check: string, question: string, missing: string, evidence: Record<string, unknown> = {}): Verdict {
  return { check, question, verdict: 'fail', summary: `the check could not complete: ${missing}`, evidence: { ...evidence, error: missing }, static: [] };
}
