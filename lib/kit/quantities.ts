// Kubernetes resource quantities ("1950m", "2", "24512312Ki", "1.5Gi") as plain numbers, so tests can compute
// requests from what a node reports (its allocatable figures) instead of hard-coding them, and compare figures
// read from the kernel (bytes, CPU nanoseconds) with what a manifest asked for.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The quantity's value in base units (cores for CPU, bytes for memory). Throws on anything else. */
export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity`);
  const [, number, suffix = '', exponent] = match;
  const scale = exponent !== undefined ? 10 ** Number(exponent) : BINARY[suffix] ?? DECIMAL[suffix]!;
  return Number(number) * scale;
}

/** CPU quantity in millicores, rounded as the API server rounds (up to the next millicore). */
export function millicores(text: string): number {
  return Math.ceil(Math.round(parseQuantity(text) * 1e6) / 1e3);
}

/** Memory quantity in bytes (a fractional byte rounds up, as the API server does). */
export function bytes(text: string): number {
  return Math.ceil(parseQuantity(text));
}

/** Bytes in the largest binary unit that keeps them whole, e.g. 536870912 -> "512Mi" (for messages). */
export function formatBytes(value: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    if (value >= BINARY[unit]! && value % BINARY[unit]! === 0) return `${value / BINARY[unit]!}${unit}`;
  }
  return String(value);
}
