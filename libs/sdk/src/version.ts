/** The SDK version a plugin is built against. The host refuses plugins of another major version. */
export const SDK_VERSION = '1.0.0';

/** The major part of a semver string (`'1.4.2'` → `1`), or NaN when it is not a version. */
export function majorOf(version: string): number {
  const match = /^(\d+)\./.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}
