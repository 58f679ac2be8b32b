/**
 * `Content-Disposition` per RFC 6266 with the RFC 5987 extended parameter: an ASCII fallback for old
 * clients (`filename="…"`, no quotes, backslashes or non-ASCII inside) and the exact name as UTF-8
 * (`filename*=UTF-8''…`, percent-encoded). A header can then never be split or spoofed by a name.
 */
export function contentDisposition(type: 'attachment' | 'inline', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(filename)}`;
}

/** attr-char of RFC 5987 stays as is; every other byte of the UTF-8 form is %XX. */
function encodeRfc5987(value: string): string {
  // A lone surrogate has no UTF-8 form (encodeURIComponent would throw).
  return encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD')).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
