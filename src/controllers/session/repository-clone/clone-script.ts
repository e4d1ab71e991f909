/**
 * The clone script (clone-script.sh beside this file) as the text the repository init containers
 * run with `sh -c`. It is read from the file, so the containers and the tests that run the file
 * directly execute exactly the same script.
 */
import { readFileSync } from 'node:fs';
import { parseCloneReport, type CloneAction, type CloneReport } from '../../../apis/stream/v1alpha1/repository-clone.ts';

export { parseCloneReport, type CloneAction, type CloneReport };

/** Path of the clone script on disk (the tests run it from here). */
export const CLONE_SCRIPT_PATH = new URL('./clone-script.sh', import.meta.url).pathname;

/** The clone script's text. */
export const CLONE_SCRIPT = readFileSync(CLONE_SCRIPT_PATH, 'utf8');

/** The steps of the script, its first argument. */
export type CloneStep = 'fetch' | 'checkout';
