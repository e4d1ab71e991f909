import { PGliteDriver } from '../src/api/db/pglite-driver.ts';
import { migrate } from '../src/api/db/migrations.ts';
import { loadSigningKey } from '../src/api/auth/signing-key.ts';
let t = Date.now();
const d = await PGliteDriver.open(); console.log('pglite open', Date.now() - t); t = Date.now();
await migrate(d); console.log('migrate', Date.now() - t); t = Date.now();
await loadSigningKey({}); console.log('key', Date.now() - t); t = Date.now();
const d2 = await PGliteDriver.open(); console.log('pglite open 2', Date.now() - t); t = Date.now();
