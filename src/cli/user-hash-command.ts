// `baton user hash`: reads a password from stdin and prints its scrypt hash for BATON_USERS. On a
// terminal it asks twice without echoing; piped, it takes the input less one trailing newline.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from '../dashboard/auth/password-hash.js';
import { ROLES } from '../config/parse-users.js';

export const MIN_PASSWORD_LENGTH = 10;

export interface UserHashOptions {
  name?: string;
  role?: string;
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function ask(input: NodeJS.ReadableStream, err: NodeJS.WritableStream, prompt: string): Promise<string> {
  // readline writes what is typed to `output`; a muted sink keeps the password off the screen.
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input, output: muted, terminal: true });
  err.write(prompt);
  const answer = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  err.write('\n');
  return answer;
}

export async function userHashCommand(
  opts: UserHashOptions = {},
  io: { input: NodeJS.ReadableStream & { isTTY?: boolean }; out: NodeJS.WritableStream; err: NodeJS.WritableStream } = { input: process.stdin, out: process.stdout, err: process.stderr },
): Promise<number> {
  if (opts.role !== undefined && !(ROLES as readonly string[]).includes(opts.role)) {
    io.err.write(`--role must be one of ${ROLES.join(', ')}\n`);
    return 2;
  }
  if ((opts.name === undefined) !== (opts.role === undefined)) {
    io.err.write('give both --name and --role (to print a BATON_USERS entry), or neither (to print the hash alone)\n');
    return 2;
  }
  let password: string;
  if (io.input.isTTY) {
    password = await ask(io.input, io.err, 'Password: ');
    if ((await ask(io.input, io.err, 'Again: ')) !== password) {
      io.err.write('the two passwords differ\n');
      return 1;
    }
  } else {
    password = await readAll(io.input);
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    io.err.write(`the password must be at least ${MIN_PASSWORD_LENGTH} characters\n`);
    return 1;
  }
  const hash = await hashPassword(password);
  io.out.write(opts.name !== undefined ? `${opts.name}:${opts.role}:${hash}\n` : `${hash}\n`);
  return 0;
}
