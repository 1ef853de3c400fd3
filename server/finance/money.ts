/**
 * Amounts as people read them: "€1,200.00". Cents are bigints in the books; below 2^53 cents (every
 * amount the database accepts is at most 10^15) dividing as a double still rounds to the right cent.
 */
export function formatMoney(cents: bigint | number, currency: string): string {
  const value = typeof cents === "bigint" ? Number(cents) : cents;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(value / 100);
  } catch {
    // An ISO code Intl does not know still reads fine as "1,200.00 XTS".
    return `${new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value / 100)} ${currency}`;
  }
}
