import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sessionDefaultsFromEnv, webhookSettingsFromEnv } from './controller.ts';

void it('reads the session defaults from STREAMSPACE_DEFAULT_* and hands them to the webhook server', () => {
  const env = { STREAMSPACE_DEFAULT_IDLE_TIMEOUT: '2h', STREAMSPACE_DEFAULT_MAX_SESSION_DURATION: '8h', STREAMSPACE_DEFAULT_PERSISTENT_HOME: 'false' };
  assert.deepEqual(sessionDefaultsFromEnv(env), { idleTimeout: '2h', maxSessionDuration: '8h', persistentHome: false });
  assert.deepEqual(webhookSettingsFromEnv(env)?.defaults, { idleTimeout: '2h', maxSessionDuration: '8h', persistentHome: false });
  assert.deepEqual(sessionDefaultsFromEnv({ STREAMSPACE_DEFAULT_IDLE_TIMEOUT: '' }), { idleTimeout: '' }, 'empty: no idle timeout');
  assert.equal(webhookSettingsFromEnv({})?.defaults, undefined, 'nothing set: the built-in defaults');
});

void it('refuses a bad default naming the variable', () => {
  assert.throws(() => sessionDefaultsFromEnv({ STREAMSPACE_DEFAULT_IDLE_TIMEOUT: 'soon' }), /STREAMSPACE_DEFAULT_IDLE_TIMEOUT: must be a duration/);
  assert.throws(() => sessionDefaultsFromEnv({ STREAMSPACE_DEFAULT_PERSISTENT_HOME: 'yes' }), /STREAMSPACE_DEFAULT_PERSISTENT_HOME: must be true or false/);
});
