/**
 * How the console gets an agent's attention while they look elsewhere: the unread count in the
 * tab's title, and a short beep for a visitor's new message — one beep per browser, however many
 * tabs have a console open.
 */

/** Puts "(n) " before the page's title while n > 0, and gives the title back at 0. */
export class TitleBadge {
  private base: string | undefined;
  private shown = '';

  constructor(private readonly document: Document) {}

  set(count: number): void {
    const doc = this.document;
    // The page may change its own title meanwhile: what it set last is the one to keep.
    if (this.base === undefined || doc.title !== this.shown) this.base = doc.title;
    if (count > 0) {
      this.shown = `(${count > 99 ? '99+' : count}) ${this.base}`;
      doc.title = this.shown;
    } else {
      this.restore();
    }
  }

  restore(): void {
    if (this.base !== undefined && this.document.title === this.shown) this.document.title = this.base;
    this.base = undefined;
    this.shown = '';
  }
}

/**
 * Decides which console of a browser plays the sound: the one holding a Web Lock named per user
 * and server (the other tabs wait for it, and the next takes over when that tab closes). Where Web
 * Locks are missing, a claim per message in localStorage lets the first tab to see it play.
 */
export class SoundLeader {
  private leading = false;
  private release: (() => void) | undefined;
  private stopped = false;
  private becameLeader: () => void = () => undefined;
  /** Resolves once this console leads (never, where Web Locks are missing). */
  readonly leads = new Promise<void>((resolve) => { this.becameLeader = resolve; });

  constructor(private readonly name: string) {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (typeof locks?.request !== 'function') return;
    void locks.request(`im-agent-console-sound|${name}`, () => {
      if (this.stopped) return undefined;
      this.leading = true;
      this.becameLeader();
      // Held until stop(): the lock's promise stays pending while this console leads.
      return new Promise<void>((resolve) => { this.release = resolve; });
    }).catch(() => undefined);
  }

  /** Whether this console plays the sound for a message (claimed once per browser). */
  claim(messageId: string): boolean {
    if (this.leading) return true;
    if (typeof globalThis.navigator?.locks?.request === 'function') return false;
    try {
      const key = `im-agent-console-sound|${this.name}|${messageId}`;
      if (localStorage.getItem(key)) return false;
      localStorage.setItem(key, String(Date.now()));
      return true;
    } catch {
      return true; // no storage at all: this tab is the only one that can know
    }
  }

  stop(): void {
    this.stopped = true;
    this.leading = false;
    this.release?.();
    this.release = undefined;
  }
}

let audio: AudioContext | undefined;

/**
 * A short two-tone beep from an oscillator (no audio file to fetch). Browsers keep audio
 * suspended until the page has had a user gesture; before that the beep is silently skipped.
 */
export function beep(): void {
  const Context = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  // Until the agent has clicked or typed in the page, the browser would refuse to play (and warn).
  const activation = (globalThis.navigator as Navigator & { userActivation?: { hasBeenActive: boolean } } | undefined)?.userActivation;
  if (!Context || activation?.hasBeenActive === false) return;
  try {
    audio ??= new Context();
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
    gain.connect(audio.destination);
    const oscillator = audio.createOscillator();
    oscillator.type = 'sine';
    oscillator.frequency.setValueAtTime(880, now);
    oscillator.frequency.setValueAtTime(660, now + 0.12);
    oscillator.connect(gain);
    oscillator.start(now);
    oscillator.stop(now + 0.3);
  } catch {
    // No sound is better than a broken console.
  }
}
