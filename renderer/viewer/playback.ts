/** Trajectory playback: advances `frame` through the frames in a loop at `fps`, one check per animation frame. */

/**
 * One playback tick at time `now` (ms) with the last advance at `last`: whether to show the next frame, which one
 * (wrapping after `count`), and the new reference time (kept on the fps grid so the rate does not drift).
 */
export function playbackStep(now: number, last: number, fps: number, frame: number, count: number): { readonly advance: boolean; readonly frame: number; readonly last: number } {
  const interval = 1000 / Math.max(0.1, fps);
  if (now - last < interval) return { advance: false, frame, last };
  return { advance: true, frame: (Math.floor(frame) + 1) % count, last: now - ((now - last) % interval) };
}

/** What playback reads and drives: the current frame, frame count, fps, and whether it should keep going. */
export interface PlaybackHost {
  /** Frame, frame count and fps now; null stops playback (disposed, paused, or fewer than 2 frames). */
  current(): { readonly frame: number; readonly count: number; readonly fps: number } | null;
  /** Show frame `frame`. */
  advance(frame: number): void;
}

export class Playback {
  private request: number | null = null;
  private last = 0;

  constructor(private readonly host: PlaybackHost) {}

  get running(): boolean {
    return this.request !== null;
  }

  start(): void {
    if (this.request !== null) return;
    this.last = performance.now();
    // `request` stays set while a tick runs, so a start() from the host's advance() does not begin a second loop.
    const tick = (now: number) => {
      const current = this.host.current();
      if (current) {
        const step = playbackStep(now, this.last, current.fps, current.frame, current.count);
        if (step.advance) {
          this.last = step.last;
          this.host.advance(step.frame);
        }
      }
      this.request = current && this.request !== null && this.host.current() ? requestAnimationFrame(tick) : null;
    };
    this.request = requestAnimationFrame(tick);
  }

  stop(): void {
    if (this.request !== null) cancelAnimationFrame(this.request);
    this.request = null;
  }
}
