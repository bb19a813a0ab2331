/**
 * ClickHouse compares strings as UTF-8 bytes; JavaScript's `<` compares UTF-16 code units. The two
 * disagree only where a character above U+FFFF (a surrogate pair) meets one in U+E000–U+FFFF, but
 * the serving index must list rows in exactly the store's order, so it compares by code point,
 * which is UTF-8 byte order.
 */
const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (!isSurrogate(x) && !isSurrogate(y)) return x - y;
    return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
  }
  return a.length - b.length;
}

/** Compares rows by several string (or null) columns in turn; null sorts last, as in ClickHouse. */
export function byColumns<Row>(
  ...columns: ReadonlyArray<(row: Row) => string | null>
): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const column of columns) {
      const x = column(a);
      const y = column(b);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const order = compareUtf8(x, y);
      if (order !== 0) return order;
    }
    return 0;
  };
}
