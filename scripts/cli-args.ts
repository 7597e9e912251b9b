// Option parsing shared by the command-line scripts (backtest, tune): `--name value` pairs and a
// usage error that the scripts turn into exit code 2.
export class UsageError extends Error {}

/** The value after `--name`, or undefined when the option is absent. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return v;
}
