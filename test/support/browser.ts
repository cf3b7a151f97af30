/**
 * Headless Chromium for the browser tests, driven by playwright-core: always Debian's `chromium` package
 * (installed by .ci/run), never a browser downloaded by Playwright.
 *
 *   let browser: Browser | undefined;
 *   before(async function () {
 *     browser = await launchChromiumOrSkip(this);   // pending, with the reason, when Chromium is absent
 *   });
 *   after(() => browser?.close());
 *
 * A developer's `npm test` without Chromium shows those tests as pending and says why; CI (`.ci/run` exports
 * REQUIRE_BROWSER=1) fails instead, so a green CI run always means the browser tests ran.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts its launcher. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The Chromium executable: `CHROMIUM_PATH` when set, else Debian's; undefined when it is not an executable file. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** True when the environment demands the browser tests run (CI): a missing Chromium is then an error. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.REQUIRE_BROWSER === '1';
}

/**
 * Launches headless Chromium. Chromium's sandbox cannot start as root (containers, CI), so it is switched off
 * only then; as any other user the sandbox stays on.
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const isRoot = process.getuid?.() === 0;
  return chromium.launch({ executablePath, headless: true, chromiumSandbox: !isRoot });
}

/**
 * In a mocha `before` hook: launches Chromium, or marks the suite pending (printing the reason) when it is not
 * installed, or throws when REQUIRE_BROWSER=1 and it is not installed.
 */
export async function launchChromiumOrSkip(context: Mocha.Context): Promise<Browser> {
  const path = chromiumPath();
  if (path === undefined) {
    const wanted = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
    const reason = `Chromium is not installed at ${wanted} (Debian package chromium, or set CHROMIUM_PATH; .ci/run installs it)`;
    if (browserRequired()) throw new Error(`REQUIRE_BROWSER=1 but ${reason}`);
    console.log(`      SKIPPED: ${reason}`);
    context.skip();
  }
  return launchChromium(path);
}
