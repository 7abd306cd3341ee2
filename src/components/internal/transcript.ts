import type { CustomerTranscriptLine } from '../../core/client/customer-service.js';
import { isServerSender } from '../../core/client/customer-service.js';

export interface TranscriptOptions {
  /** The first line of the file (the group's or the visitor's name, say). */
  title: string;
  /** The locale of the times (the element's language). */
  locale: string;
  /** The name a line is shown with; by default its sender's name, else their id. */
  nameOf?(line: CustomerTranscriptLine): string;
}

/**
 * A transcript as plain text, one line per message: `[time] name: text`; the server's notices
 * (status changes) as `— text —`. Plain text on purpose: it opens everywhere, and nothing a
 * visitor or an agent wrote can become markup in it.
 */
export function transcriptAsText(lines: readonly CustomerTranscriptLine[], options: TranscriptOptions): string {
  const time = new Intl.DateTimeFormat(options.locale, { dateStyle: 'short', timeStyle: 'short' });
  const nameOf = options.nameOf ?? ((line: CustomerTranscriptLine) => line.senderName || line.senderId);
  const body = lines.map((line) => {
    const when = `[${time.format(new Date(line.time))}]`;
    // A message's own line breaks are kept, indented under its first line.
    const text = line.text.replace(/\r\n?|\n/g, '\n    ');
    return isServerSender(line.senderId) && !line.senderName ? `${when} — ${text} —` : `${when} ${nameOf(line)}: ${text}`;
  });
  return [options.title, '', ...body, ''].join('\n');
}

/** A file name for a transcript: `<prefix>-<yyyy-mm-dd>.txt`, with only safe characters. */
export function transcriptFileName(prefix: string, time = Date.now()): string {
  const day = new Date(time).toISOString().slice(0, 10);
  const safe = prefix.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'transcript';
  return `${safe}-${day}.txt`;
}

/**
 * Has the browser save a text as a file (UTF-8 with a byte-order mark, so that editors that
 * guess the encoding show Chinese and emoji right).
 */
export function saveTextFile(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the time the click returns in every engine; the URL can go later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
