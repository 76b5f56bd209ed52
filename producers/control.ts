/**
 * Live control of a running generation: pause, resume and a new rate, as the control plane asks
 * (over the IPC channel of a child process) or a test does directly.
 */
import type { ControlMessage } from '../core/stage-protocol.ts';

export class RunControl {
  #paused = false;
  #rate: number | undefined;
  #resumed: Promise<void> = Promise.resolve();
  #release: () => void = () => undefined;
  /** Bumped on every rate change, so a pacer knows to start counting again. */
  rateVersion = 0;

  readonly #onStop: () => void;

  constructor(onStop: () => void = () => undefined) {
    this.#onStop = onStop;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The rate asked for since the run started; undefined: the configured one. */
  get ratePerSecond(): number | undefined {
    return this.#rate;
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#resumed = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#release();
  }

  setRate(ratePerSecond: number): void {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
      throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
    this.#rate = ratePerSecond;
    this.rateVersion += 1;
  }

  /** Resolves at once when running; when paused, once resumed or `signal` aborts. */
  async whileRunning(signal?: AbortSignal): Promise<number> {
    if (!this.#paused) return 0;
    const started = Date.now();
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([this.#resumed, aborted]);
    return Date.now() - started;
  }

  apply(message: ControlMessage): void {
    if (message.type === 'pause') this.pause();
    else if (message.type === 'resume') this.resume();
    else if (message.type === 'rate') this.setRate(message.ratePerSecond);
    else if (message.type === 'stop') {
      this.resume();
      this.#onStop();
    }
  }
}
