// STAND-IN for the real `arkor` SDK (see ../README.md). HTTP conventions shared by every call the
// SDK makes: the version header, CloudApiError and its message rules, the 426
// upgrade hint, and the deprecation-notice recorder.

/** The SDK version this stand-in impersonates; sent as `X-Arkor-Client: arkor/<SDK_VERSION>`. */
export const SDK_VERSION = '0.0.3-alpha.1';
export const CLIENT_HEADER = `arkor/${SDK_VERSION}`;

export class CloudApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.name = 'CloudApiError';
    this.status = status;
  }
}

/**
 * The upgrade command for the detected package manager: `npm_config_user_agent` first,
 * then the path of the running script, else npm.
 */
export function upgradeCommand() {
  const agent = (process.env.npm_config_user_agent ?? '').split(' ')[0]?.split('/')[0] ?? '';
  let pm = ['pnpm', 'yarn', 'bun', 'npm'].includes(agent) ? agent : '';
  if (!pm) {
    const script = (process.argv[1] ?? '').replace(/\\/g, '/');
    if (script.includes('/.bun/')) pm = 'bun';
    else if (script.includes('/pnpm/') || script.includes('/.pnpm/')) pm = 'pnpm';
    else if (script.includes('/.yarn/') || script.includes('/yarn/')) pm = 'yarn';
    else pm = 'npm';
  }
  return {
    npm: 'npm install -g arkor@latest',
    pnpm: 'pnpm add -g arkor@latest',
    yarn: 'yarn global add arkor@latest',
    bun: 'bun add -g arkor@latest',
  }[pm];
}

/**
 * The 426 message. The real wording comes from `@arkor/cloud-api-client` and is unknown beyond what
 * its tests show (version, supported range, upgrade command, the header reason); this stand-in
 * composes those parts. A missing / non-JSON / wrong-shaped body gives the documented fallback.
 * @param {string} text the response body
 */
export function formatSdkUpgradeError(text) {
  const cmd = upgradeCommand();
  /** @type {any} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || typeof body.supportedRange !== 'string') {
    return `Arkor SDK is no longer supported by the cloud API. Run \`${cmd}\`.`;
  }
  const version = typeof body.currentVersion === 'string' ? body.currentVersion : SDK_VERSION;
  const reason =
    body.reason === 'missing'
      ? ' (the X-Arkor-Client header was missing)'
      : body.reason === 'malformed'
        ? ' (the X-Arkor-Client header was malformed)'
        : '';
  return `Arkor SDK ${version} is no longer supported by the cloud API${reason}. Supported versions: ${body.supportedRange}. Run \`${cmd}\`.`;
}

/**
 * A CloudApiError for a non-2xx response: 426 → upgrade hint; else the body's `error`
 * string, else the raw body text, else `cloud-api <status>`.
 * @param {Response} res
 */
export async function cloudApiErrorFrom(res) {
  const text = await res.text().catch(() => '');
  if (res.status === 426) return new CloudApiError(426, formatSdkUpgradeError(text));
  /** @type {any} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const fromBody = body && typeof body === 'object' && typeof body.error === 'string' ? body.error : '';
  return new CloudApiError(res.status, fromBody || text || `cloud-api ${res.status}`);
}

// ---- Deprecation notices ------------------------------------------------------------------

/** @typedef {{ sdkVersion: string, message: string, sunset: string | null }} DeprecationNotice */

/** Latest-wins module-global record, read by the CLI after each command. */
export const deprecationStore = { latest: /** @type {DeprecationNotice | null} */ (null) };

/**
 * @param {Response} res
 * @param {((notice: DeprecationNotice) => void) | undefined} onDeprecation
 */
export function noteDeprecation(res, onDeprecation) {
  if (res.headers.get('deprecation') !== 'true') return;
  const warning = res.headers.get('warning');
  const quoted = warning ? /^\s*\d{3}\s+-\s+"(.*)"\s*$/.exec(warning) : null;
  /** @type {DeprecationNotice} */
  const notice = {
    sdkVersion: SDK_VERSION,
    message: quoted?.[1] ?? warning ?? `Arkor SDK ${SDK_VERSION} is deprecated`,
    sunset: res.headers.get('sunset') ?? null,
  };
  if (!onDeprecation) {
    deprecationStore.latest = notice;
    return;
  }
  try {
    const r = /** @type {unknown} */ (onDeprecation(notice));
    if (r && typeof (/** @type {any} */ (r).then) === 'function') {
      /** @type {Promise<unknown>} */ (r).catch((err) =>
        console.error('[arkor] onDeprecation handler threw; ignoring:', err),
      );
    }
  } catch (err) {
    console.error('[arkor] onDeprecation handler threw; ignoring:', err);
  }
}
