/**
 * A client's file name, made safe to store and show. It is metadata only — paths derive from ids —
 * but it is shown in the page, in JSON, in ZIP entry names and in Content-Disposition, so it keeps no
 * folders, no control characters (NUL, escape sequences, line breaks) and no bidirectional overrides
 * (which make `evil\u202Egpj.exe` look like `evilexe.jpg`), and it has a bounded length.
 */
export const MAX_NAME_CHARS = 255;
const MAX_EXTENSION_CHARS = 16;

const UNSAFE = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;

export function displayName(raw: string | null | undefined, fallback = 'video'): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(UNSAFE, '').trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return fallback;
  const chars = Array.from(cleaned);
  if (chars.length <= MAX_NAME_CHARS) return cleaned;
  // Keep the extension of a long name: it tells the user (and the ZIP) what the file was.
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(cleaned.slice(dot)) : [];
  const keep = extension.length > 1 && extension.length <= MAX_EXTENSION_CHARS ? extension : [];
  return [...chars.slice(0, MAX_NAME_CHARS - keep.length), ...keep].join('');
}
