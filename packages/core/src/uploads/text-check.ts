/**
 * Checks, chunk by chunk, that a text file is valid UTF-8 without NUL bytes. The decoder runs in
 * streaming mode, so a multi-byte character split across two chunks is judged whole.
 */
export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  /** Why the text was refused, once it was. */
  failure: string | undefined;

  /** Checks the next chunk; returns false once the text is refused. */
  push(chunk: Buffer): boolean {
    if (this.failure !== undefined) return false;
    if (chunk.includes(0)) {
      this.failure = 'The text file contains NUL bytes';
      return false;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.failure = 'The text file is not valid UTF-8';
      return false;
    }
    return true;
  }

  /** Checks the end of the text (a character cut off at the end is invalid); returns false if refused. */
  end(): boolean {
    if (this.failure !== undefined) return false;
    try {
      this.decoder.decode();
    } catch {
      this.failure = 'The text file is not valid UTF-8';
      return false;
    }
    return true;
  }
}
