/** URLs shown to people (in logs, errors, start-up lines) without the passwords they carry. */

/** `url` with its password replaced by `***`; `unreadable` when it is not a URL at all. */
export function hidePassword(url: string, unreadable: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return unreadable;
  }
}
