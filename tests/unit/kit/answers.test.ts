import { requestLoopScript, tallyAnswers } from '../../../lib/kit/services.ts';

describe('tallyAnswers', () => {
  test('counts answers per hostname and failures apart', () => {
    const tally = tallyAnswers('web-steady\nweb-gated\nweb-steady\n!failed\n\n');
    expect(tally).toEqual({ byHostname: { 'web-steady': 2, 'web-gated': 1 }, failures: 1, requests: 4 });
  });

  test('a request cut off mid-answer counts as a failure', () => {
    expect(tallyAnswers('web-ste!failed\n').failures).toBe(1);
  });
});

describe('requestLoopScript', () => {
  test('asks the given number of times with a per-request timeout', () => {
    const script = requestLoopScript('http://10.96.0.5/hostname', 20, 2);
    expect(script).toContain('[ $i -lt 20 ]');
    expect(script).toContain("timeout 2 wget -qO- 'http://10.96.0.5/hostname'");
  });
});
