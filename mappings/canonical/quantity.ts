// Exact arithmetic on decimal-string quantities and integer money, for order totals.

const SCALE = 1_000_000n;

/** Parses a decimal string (max 6 decimals) into an integer scaled by 10^6. */
export function parseScaled(quantity: string): bigint {
  const negative = quantity.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? quantity.slice(1) : quantity).split('.');
  const scaled = BigInt(whole) * SCALE + BigInt((`${frac}000000`).slice(0, 6));
  return negative ? -scaled : scaled;
}

/** Formats an integer scaled by 10^6 as the shortest decimal string. @example formatScaled(2_500_000n) // '2.5' */
export function formatScaled(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const frac = (abs % SCALE).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/** Rounds numerator/denominator half away from zero. */
function divRound(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  const r = numerator % denominator;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (denominator < 0n ? -denominator : denominator)) return q + (numerator < 0n ? -1n : 1n);
  return q;
}

/**
 * Net and tax of one order line, in minor units, rounded half away from zero.
 * @example lineAmounts('2.5', 1000, 1000, 1900) // { net: 2250, tax: 428 }
 */
export function lineAmounts(
  quantity: string,
  unitPrice: number,
  discountBasisPoints: number,
  taxRateBasisPoints: number,
): { net: number; tax: number } {
  const gross = parseScaled(quantity) * BigInt(unitPrice); // scaled by 10^6
  const net = divRound(gross * BigInt(10_000 - discountBasisPoints), SCALE * 10_000n);
  const tax = divRound(net * BigInt(taxRateBasisPoints), 10_000n);
  return { net: Number(net), tax: Number(tax) };
}
