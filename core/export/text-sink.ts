/** Where a writer's text goes: a file (main/io), a Blob being built in the browser, a string in tests. */
export interface TextSink {
  /** Resolves when the text has been accepted (buffered or written): writers await it for backpressure. */
  write(text: string): Promise<void>;
  /** Flushes and releases the output. */
  close(): Promise<void>;
}

/** Collects text in memory (tests, small exports, clipboard). */
export class StringSink implements TextSink {
  private parts: string[] = [];
  closed = false;

  constructor(initial = '') {
    if (initial) this.parts.push(initial);
  }

  async write(text: string): Promise<void> {
    if (this.closed) throw new Error('write after close');
    this.parts.push(text);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  get text(): string {
    const joined = this.parts.join('');
    this.parts = [joined];
    return joined;
  }
}
