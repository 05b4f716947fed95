/** `\s` of a JavaScript regex: ECMAScript white space and line terminators (NaN, past the end of a string, is not). */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13)
  if (c < 0xa0) return false
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}

/** `s.replace(/\s+/g, ' ')`, without the regex when there is nothing to collapse (the usual case). */
export function collapseSpaces(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (isSpace(c) && (c !== 32 || isSpace(s.charCodeAt(i + 1)))) return s.replace(/\s+/g, ' ')
  }
  return s
}
