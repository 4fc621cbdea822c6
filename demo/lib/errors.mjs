/** A mistake in the options or the plugin setup: the CLI prints its message and exits with status 2. */
export class OptionError extends Error {
  name = 'OptionError';
}
