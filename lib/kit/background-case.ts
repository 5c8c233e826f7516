// Jest runs a file's tests one after another. Cases whose time is the platform's own (grace periods, back-off,
// load time) need not queue behind each other: a file starts them all once its workloads are applied (in
// beforeAll), and each test awaits its own case, so the file takes about as long as its longest case.

/**
 * Starts a case now and returns its promise for a test to await later. A case that fails before its test
 * awaits it must not count as an unhandled rejection (Jest would fail the whole file for it): the rejection is
 * still delivered, in full, to the test that awaits the returned promise.
 */
export function startCase<T>(run: () => Promise<T>): Promise<T> {
  const promise = run();
  promise.catch(() => undefined);
  return promise;
}

/**
 * A gate that lets at most `n` of the cases passed through it run at once; the others start in the order they came,
 * each as soon as one ends (whatever its outcome). For cases that share a scarce thing, such as the CPU a load
 * generator needs to hold its rate.
 */
export function atMostAtOnce(n: number): <T>(run: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (running < n) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run();
    } finally {
      // The slot passes straight to the next case waiting, if any.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
