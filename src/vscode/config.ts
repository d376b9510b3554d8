import * as vscode from 'vscode';

/**
 * The extension's settings, read in one place and typed. Every `arkor.*` setting the code reads is
 * here, with its default and bounds as package.json declares them.
 */

export type BackendSetting = 'local' | 'cloud';

/** Setting ids, for `affectsConfiguration` checks. */
export const SETTINGS = {
  backend: 'arkor.backend',
  cloudApiUrl: 'arkor.cloud.apiUrl',
  pollIntervalSeconds: 'arkor.jobs.pollIntervalSeconds',
} as const;

export type SettingKey = keyof typeof SETTINGS;

export interface ArkorSettings {
  /** `arkor.backend`: anything but "cloud" means the local backend. */
  backend: BackendSetting;
  /** `arkor.cloud.apiUrl`: empty means "resolve it" (environment, credentials, default). */
  cloudApiUrl: string;
  /** `arkor.jobs.pollIntervalSeconds`, at least 1 (default 5). */
  pollIntervalSeconds: number;
}

const section = () => vscode.workspace.getConfiguration('arkor');

export const config = {
  backend(): BackendSetting {
    return section().get<string>('backend') === 'cloud' ? 'cloud' : 'local';
  },
  cloudApiUrl(): string {
    const value = section().get<unknown>('cloud.apiUrl');
    return typeof value === 'string' ? value : '';
  },
  pollIntervalSeconds(): number {
    const value = section().get<unknown>('jobs.pollIntervalSeconds');
    const seconds = typeof value === 'number' && Number.isFinite(value) ? value : 5;
    return Math.max(1, seconds);
  },
  pollIntervalMs(): number {
    return config.pollIntervalSeconds() * 1000;
  },
  /** Every setting at once. */
  read(): ArkorSettings {
    return {
      backend: config.backend(),
      cloudApiUrl: config.cloudApiUrl(),
      pollIntervalSeconds: config.pollIntervalSeconds(),
    };
  },
  /** Writes a setting (user settings unless a target is given). */
  update<K extends SettingKey>(
    key: K,
    value: ArkorSettings[K] | undefined,
    target: vscode.ConfigurationTarget = vscode.ConfigurationTarget.Global,
  ): Thenable<void> {
    return vscode.workspace.getConfiguration().update(SETTINGS[key], value, target);
  },
  /** True if the change touches any of `keys`. */
  affects(event: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
    return keys.some((key) => event.affectsConfiguration(SETTINGS[key]));
  },
};
