// The process environment, read in one place: src/config. The configuration (read-env-options.ts), the
// `${NAME}` references in mappings (src/mapping/interpolate-env.ts) and the CLI's defaults get it from
// here, so no other module reads process.env and none writes it (the demo passes its settings explicitly).
export type Env = Readonly<Record<string, string | undefined>>;

/** The environment this process runs with. */
export function processEnv(): Env {
  return process.env;
}
