import { markAt, marksSince, orderViolation, parseMarks } from '../../../lib/kit/lifecycle-marks.ts';

const text = '1795431613.011486 worker-start\n1795431613.515708 task-start\n1795431614.024196 sigterm\n1795431616.52';

describe('parseMarks', () => {
  it('must read "<epoch.micros> <event>" lines in order and leave out a truncated last line', () => {
    const marks = parseMarks(text);
    expect(marks.map((m) => m.event)).toEqual(['worker-start', 'task-start', 'sigterm']);
    expect(marks[1]!.atMs).toBeCloseTo(1795431613515.708, 3);
    expect(parseMarks(undefined)).toEqual([]);
  });
});

describe('orderViolation', () => {
  const marks = parseMarks(text);
  it('must accept events marked in the order asked', () => {
    expect(orderViolation(marks, ['worker-start', 'sigterm'])).toBeUndefined();
  });
  it('must name an event marked before the one it should follow', () => {
    expect(orderViolation(marks, ['sigterm', 'task-start'])).toMatch(/^task-start .* was marked before sigterm/);
  });
  it('must name an event that was never marked', () => {
    expect(orderViolation(marks, ['task-start', 'exit'])).toBe('exit was never marked (marks: worker-start, task-start, sigterm)');
  });
});

describe('markAt and marksSince', () => {
  it('must give the first mark\'s time and each mark\'s seconds from a point', () => {
    const marks = parseMarks(text);
    expect(markAt(marks, 'exit')).toBeUndefined();
    expect(marksSince(marks, marks[0]!.atMs)).toEqual({ 'worker-start': 0, 'task-start': 0.504, sigterm: 1.013 });
  });
});
