// Reading the junit.xml jest-junit writes (jest.config.ts: one <testsuite> per test file, named by its path;
// one <testcase> per test, a <failure> body when it failed). Pure, for the CLI's verdicts and failure lists
// and for bench/suite.ts's per-file wall times.

export interface FileRun {
  file: string;
  wallSeconds: number;
  /** ISO time the file started (junit's timestamp, whole seconds), when known. */
  startedAt?: string;
  tests: number;
  failures: number;
  /** Of `tests`, those skipped (a test.skip: the BYO rollout case without WC_ROLLOUT_CONFIG). */
  skipped?: number;
}

export interface TestCaseRun {
  file: string;
  name: string;
  seconds: number;
  skipped: boolean;
  /** The failure's first lines (assertion, expected/received), when it failed. */
  failure?: string;
}

const attribute = (tag: string, name: string): string | undefined =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

function unescapeXml(text: string): string {
  return text.replace(/<!\[CDATA\[|\]\]>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, '\'').replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** The reason a person reads: the first non-empty lines of the failure, colours stripped. */
export function failureReason(body: string, lines = 3): string {
  // eslint-disable-next-line no-control-regex
  return unescapeXml(body).replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean)
    .filter((l) => !l.startsWith('at ')).slice(0, lines).join(' | ').slice(0, 400);
}

/** One entry per <testsuite> (one per test file). */
export function parseJunitSuites(xml: string): FileRun[] {
  return [...xml.matchAll(/<testsuite\s[^>]*>/g)].map(([tag]) => {
    const name = attribute(tag, 'name') ?? 'unknown';
    const startedAt = attribute(tag, 'timestamp');
    return {
      file: name.replace(/^.*\//, ''),
      wallSeconds: Number(attribute(tag, 'time') ?? 0),
      ...(startedAt ? { startedAt } : {}),
      tests: Number(attribute(tag, 'tests') ?? 0),
      failures: Number(attribute(tag, 'failures') ?? 0) + Number(attribute(tag, 'errors') ?? 0),
      skipped: Number(attribute(tag, 'skipped') ?? 0),
    };
  });
}

/** One entry per <testcase>, with the file of the <testsuite> around it. */
export function parseJunitCases(xml: string): TestCaseRun[] {
  const cases: TestCaseRun[] = [];
  for (const suite of xml.matchAll(/<testsuite\s([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const file = (attribute(` ${suite[1]}`, 'name') ?? 'unknown').replace(/^.*\//, '');
    for (const c of suite[2]!.matchAll(/<testcase\s([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const tag = ` ${c[1]}`;
      const body = c[3] ?? '';
      const failure = /<(failure|error)[^>]*>([\s\S]*?)<\/\1>/.exec(body)?.[2]
        ?? /<(failure|error)\s[^>]*message="([^"]*)"/.exec(body)?.[2];
      cases.push({
        file, name: unescapeXml(attribute(tag, 'name') ?? ''), seconds: Number(attribute(tag, 'time') ?? 0),
        skipped: /<skipped/.test(body), ...(failure !== undefined ? { failure: failureReason(failure) } : {}),
      });
    }
  }
  return cases;
}
