/**
 * What a command may touch of the outside world besides the network: its two output
 * streams and the environment. Injected so that every command writes through one place and
 * reads the environment it was given.
 */
export interface CliIo {
  /** Results: what a script captures (`> file`, `| jq`). */
  out(text: string): void;
  /** Diagnostics, warnings and usage errors. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
  };
}
