/**
 * The clone script (clone-script.sh beside this file) as the text the repository init containers
 * run with `sh -c`. It is read from the file, so the containers and the tests that run the file
 * directly execute exactly the same script.
 */
import { readFileSync } from 'node:fs';

/** Path of the clone script on disk (the tests run it from here). */
export const CLONE_SCRIPT_PATH = new URL('./clone-script.sh', import.meta.url).pathname;

/** The clone script's text. */
export const CLONE_SCRIPT = readFileSync(CLONE_SCRIPT_PATH, 'utf8');

/** The steps of the script, its first argument. */
export type CloneStep = 'fetch' | 'checkout';

/** What the checkout step reports in its termination message. */
export type CloneAction = 'cloned' | 'pulled' | 'up-to-date' | 'skipped' | 'failed';

/** The checkout step's report (the container's termination message), parsed. */
export interface CloneReport {
  action: CloneAction;
  /** The checked-out commit ('' for an empty repository). */
  commit: string;
  /** Size of the user's home volume in bytes, when measured. */
  usedBytes?: number;
  /** Why a pull did not happen. */
  message?: string;
}

const ACTIONS = new Set<string>(['cloned', 'pulled', 'up-to-date', 'skipped', 'failed']);

/** Parses a termination message; undefined when it is not the script's report. */
export function parseCloneReport(text: string | undefined): CloneReport | undefined {
  if (!text) return undefined;
  let value: any;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !ACTIONS.has(value.action)) return undefined;
  return {
    action: value.action as CloneAction,
    commit: typeof value.commit === 'string' ? value.commit : '',
    ...(typeof value.usedBytes === 'number' && value.usedBytes >= 0 ? { usedBytes: value.usedBytes } : {}),
    ...(typeof value.message === 'string' && value.message ? { message: value.message } : {}),
  };
}
