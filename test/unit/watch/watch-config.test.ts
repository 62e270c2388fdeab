// The watching settings in the environment: defaults, parsing, and secrets scrubbed from logs.
import { describe, expect, it } from 'vitest';
import { ConfigError, readEnvOptions } from '../../../src/config/read-env-options.js';

describe('watching configuration', () => {
  it('defaults: poll every 5 minutes, snooze 1 day, reminder after 3 business days, no secrets', () => {
    expect(readEnvOptions({}).watch).toEqual({ pollEveryMs: 300_000, snoozeMs: 86_400_000, feedbackReminder: '3 business days', jiraWebhookSecret: undefined, asanaWebhookSecret: undefined, feedbackFormSecret: undefined });
  });

  it('reads the settings and treats the secrets as secrets', () => {
    const c = readEnvOptions({ JIRA_WEBHOOK_SECRET: 'jira-secret-1', ASANA_WEBHOOK_SECRET: 'asana-token-1', BATON_FEEDBACK_FORM_SECRET: 'form-secret-1', BATON_WATCH_POLL_SECONDS: '0', BATON_SNOOZE_SECONDS: '2', BATON_FEEDBACK_REMINDER: '2 seconds' });
    expect(c.watch).toEqual({ pollEveryMs: 0, snoozeMs: 2_000, feedbackReminder: '2 seconds', jiraWebhookSecret: 'jira-secret-1', asanaWebhookSecret: 'asana-token-1', feedbackFormSecret: 'form-secret-1' });
    expect(c.secrets).toEqual(expect.arrayContaining(['jira-secret-1', 'asana-token-1', 'form-secret-1']));
  });

  it('names each bad value', () => {
    try {
      readEnvOptions({ BATON_FEEDBACK_REMINDER: '3 fortnights', BATON_SNOOZE_SECONDS: '0' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/BATON_FEEDBACK_REMINDER="3 fortnights": invalid duration '3 fortnights'/);
      expect(problems).toMatch(/BATON_SNOOZE_SECONDS=0: expected a whole number from 1 to /);
    }
  });
});
