/** Runs the equimol CLI in-process (as `npx equimol ARGS`), capturing stdout and stderr as text. */
import { Writable } from 'node:stream';
import { runCli } from '../../main/cli/equimol';

class TextCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString('utf8');
    callback();
  }
}

export async function runCliCaptured(args: string[], signal = new AbortController().signal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCapture();
  const stderr = new TextCapture();
  const code = await runCli(args, { stdout, stderr, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
