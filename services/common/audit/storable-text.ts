/**
 * Text an audit row can always hold. A request is recorded whatever it carried, and the store
 * refuses a string that is not valid Unicode (half a surrogate pair), so what is recorded is made
 * valid, and cut by code point, never between the two halves of a pair.
 */
const REPLACEMENT = '\uFFFD';

/** `value` with each lone surrogate replaced by U+FFFD, cut to at most `maxCodePoints`. */
export function storableText(value: string, maxCodePoints = Number.POSITIVE_INFINITY): string {
  let kept = '';
  let count = 0;
  // A string iterates by code point; a lone surrogate comes out as one unit of its own.
  for (const char of value) {
    if (count >= maxCodePoints) break;
    kept += isLoneSurrogate(char) ? REPLACEMENT : char;
    count += 1;
  }
  return kept;
}

function isLoneSurrogate(char: string): boolean {
  const unit = char.charCodeAt(0);
  return char.length === 1 && unit >= 0xd800 && unit <= 0xdfff;
}
