import type * as vscode from 'vscode';
import { type CredentialStore, type Credentials, onUnexpectedError, parseCredentials } from '../core';

/**
 * Credentials in VS Code's SecretStorage (the OS keychain), one entry per backend, so the local
 * backend's anonymous token and a cloud login never overwrite each other. Nothing is ever written to
 * settings or files. A machine without a keyring (no Secret Service on Linux) makes SecretStorage
 * throw; that becomes one clear, actionable error instead of a crash.
 */
export class SecretCredentialStore implements CredentialStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly key: string,
  ) {}

  async get(): Promise<Credentials | undefined> {
    const raw = await this.guard(() => this.secrets.get(this.key));
    if (!raw) return undefined;
    try {
      return parseCredentials(JSON.parse(raw));
    } catch (error) {
      // Unreadable (e.g. written by a newer version): treated as signed out, and said so in the log.
      onUnexpectedError(error, `Ignoring unreadable credentials in the keychain (${this.key})`);
      return undefined;
    }
  }

  async set(credentials: Credentials): Promise<void> {
    await this.guard(() => this.secrets.store(this.key, JSON.stringify(credentials)));
  }

  async clear(): Promise<void> {
    await this.guard(() => this.secrets.delete(this.key));
  }

  private async guard<T>(op: () => Thenable<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new KeyringUnavailableError(error);
    }
  }
}

export class KeyringUnavailableError extends Error {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Arkor could not use the OS keychain to store credentials (${detail}). On Linux, install and start a ` +
        'Secret Service provider such as gnome-keyring, then try again.',
    );
    this.name = 'KeyringUnavailableError';
  }
}
