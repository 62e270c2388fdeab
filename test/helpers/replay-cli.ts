// `baton replay` as an admin runs it, in-process: its exit code and what it printed.
import { Writable } from 'node:stream';
import { replayCommand, type ReplayOptions } from '../../src/cli/replay-command.js';

export async function runReplay(ids: string[], opts: ReplayOptions = {}): Promise<{ code: number; text: string }> {
  let text = '';
  const out = new Writable({
    write(c, _e, cb) {
      text += String(c);
      cb();
    },
  });
  const code = await replayCommand(ids, opts, out);
  return { code, text };
}
