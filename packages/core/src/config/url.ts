/** True for a string `new URL` accepts with an http(s) scheme. */
export function isHttpUrl(v: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}
