import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { importCliCredentials } from '../core';
import { config } from './config';
import { errorText } from './log';
import type { ArkorSession } from './session';

const OFFERED_KEY = 'arkor.cloudImportOffered';
/** Once per window too: the Jobs view mounts again each time it is shown. */
let offeredInThisWindow = false;

/**
 * A user of the `arkor` CLI already has an Arkor Cloud login in ~/.arkor/credentials.json: offer,
 * once per machine, to use it here (copied into SecretStorage) and switch to Arkor Cloud. A newcomer
 * without one, or anyone already signed in here, is never asked: the local backend stays the default.
 * Returns the user's answer, for tests (`undefined` when nothing was offered).
 */
export async function offerCloudImport(
  globalState: vscode.Memento,
  session: ArkorSession,
  log: vscode.LogOutputChannel,
  home: string = homedir(),
): Promise<'imported' | 'declined' | undefined> {
  if (offeredInThisWindow || globalState.get<boolean>(OFFERED_KEY)) return undefined;
  offeredInThisWindow = true;
  const store = session.credentialStore('cloud');
  // Unreadable here or in the CLI's file: nothing to offer, but say why in the log.
  const existing = await store.get().catch((error: unknown) => {
    log.warn(`Could not read the Arkor Cloud credentials from the keychain: ${errorText(error)}`);
    return undefined;
  });
  if (existing) return undefined;
  const credentials = await importCliCredentials(home).catch((error: unknown) => {
    log.warn(`Could not read the arkor CLI's credentials in ${home}: ${errorText(error)}`);
    return undefined;
  });
  if (!credentials) {
    log.info(`No arkor CLI login in ${home}/.arkor/credentials.json: staying on the chosen backend`);
    return undefined;
  }
  log.info(`Found the arkor CLI's Arkor Cloud login in ${home}/.arkor/credentials.json: offering it once`);
  // Asked once, whatever the answer (or if the notification is dismissed).
  await globalState.update(OFFERED_KEY, true);
  const kind = credentials.mode === 'anon' ? 'an anonymous Arkor Cloud session' : 'an Arkor Cloud login';
  const choice = await vscode.window.showInformationMessage(
    `Arkor: found ${kind} of the arkor CLI (~/.arkor/credentials.json). Use it to run trainings on Arkor Cloud?`,
    'Use Arkor Cloud',
    'Keep Local Backend',
  );
  log.info(`The offer to use the CLI's login was answered: ${choice ?? 'dismissed'}`);
  if (choice !== 'Use Arkor Cloud') return 'declined';
  await store.set(credentials);
  await config.update('backend', 'cloud', vscode.ConfigurationTarget.Global);
  return 'imported';
}
