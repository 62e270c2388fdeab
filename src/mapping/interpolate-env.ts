// `${NAME}` / `${NAME:-default}` / `${NAME-default}` in mapping strings, docker-compose style, resolved
// once at load time. `$$` is a literal `$`. Secret-looking names are refused: mapping values are copied
// into Jira, Slack and HubSpot, so a token interpolated there would leak to everyone who can read them.

export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXPRESSION = /\$\$|\$\{([^}]*)\}/g;

export interface InterpolationResult {
  value: string;
  errors: string[];
}

export function interpolateEnv(text: string, env: Record<string, string | undefined>): InterpolationResult {
  const errors: string[] = [];
  if (!text.includes('$')) return { value: text, errors };
  const value = text.replace(EXPRESSION, (whole, inner: string | undefined) => {
    if (inner === undefined) return '$'; // `$$`
    const m = /^([^:-]*)(?:(:?-)(.*))?$/s.exec(inner);
    const name = m?.[1] ?? '';
    if (!NAME.test(name)) {
      errors.push(`invalid environment reference '${whole}': use \${NAME}, \${NAME:-default} or \${NAME-default}`);
      return whole;
    }
    if (SECRET_NAME.test(name)) {
      errors.push(
        `refusing to use environment variable ${name}: its name looks secret, and mapping values are copied into Jira, Slack and HubSpot`,
      );
      return whole;
    }
    const operator = m?.[2];
    const fallback = m?.[3] ?? '';
    const current = Object.hasOwn(env, name) ? env[name] : undefined;
    if (operator === ':-') return current === undefined || current === '' ? fallback : current;
    if (operator === '-') return current === undefined ? fallback : current;
    if (current === undefined) {
      errors.push(`environment variable ${name} is not set (give a default with \${${name}:-value})`);
      return whole;
    }
    return current;
  });
  return { value, errors };
}
