import { html, type SVGTemplateResult } from 'lit';
import type { ChatSession } from '../../core/client/chat-session.js';
import type { ConversationRef, Upload } from '../../core/store/chat-state.js';
import type { Strings } from '../internal/strings.js';

/**
 * What the composer needs only when the user sends a file or records a voice message: a chunk
 * of its own, fetched on intent (pointer over or focus on the attach or record button, or the
 * first file picked, pasted or dropped). The rows of the files being uploaded are drawn here too:
 * a file gets there through `sendFiles`, so the chunk is loaded by then.
 */

/** Uploads and sends files, one message each; progress and failures show in `state.uploads`. */
export function sendFiles(session: ChatSession, conversation: ConversationRef, files: readonly File[]): void {
  for (const file of files) void session.sendFile(conversation, file).catch(() => undefined);
}

/**
 * The rows of a conversation's uploads in `state.uploads` (name, progress bar, cancel), for the
 * composer's uploads list. `close` is the composer's close icon; `cancel` cancels an upload.
 */
export function renderUploads(uploads: readonly Upload[], strings: Strings, close: SVGTemplateResult, cancel: (id: string) => void) {
  return uploads.map((upload) => html`<li part="upload" class="upload" data-status=${upload.status}>
      <span class="upload-name">${upload.status === 'failed' ? strings.uploadFailed(upload.name) : upload.name}</span>
      <progress max="100" value=${upload.progress} aria-label=${strings.uploading(upload.name)}></progress>
      <button type="button" class="dismiss" aria-label=${strings.cancelUpload} @click=${() => cancel(upload.id)}>${close}</button>
    </li>`);
}

export interface Recording {
  /** Stops recording; sends the voice message when `send`, else throws it away. */
  stop(send: boolean): void;
}

/**
 * Records a voice message from the microphone (undefined when refused or missing). `onTick`
 * gets the seconds recorded so far, and undefined once it stopped. It stops by itself at the
 * seed's 60 seconds.
 */
export async function startRecording(session: ChatSession, conversation: ConversationRef, onTick: (seconds: number | undefined) => void): Promise<Recording | undefined> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    return undefined; // refused or no microphone: nothing to record
  }
  const recorder = new MediaRecorder(stream);
  const chunks: Blob[] = [];
  const started = Date.now();
  let send = false;
  const recording: Recording = {
    stop: (andSend) => {
      send = andSend;
      if (recorder.state !== 'inactive') recorder.stop();
    },
  };
  const tick = setInterval(() => {
    onTick(Math.floor((Date.now() - started) / 1000));
    if (Date.now() - started >= 60_000) recording.stop(true);
  }, 250);
  recorder.ondataavailable = (event) => chunks.push(event.data);
  recorder.onstop = () => {
    clearInterval(tick);
    for (const track of stream.getTracks()) track.stop();
    onTick(undefined);
    if (!send || chunks.length === 0) return;
    const type = recorder.mimeType || chunks[0]!.type || 'audio/webm';
    const seconds = Math.min(60, Math.max(1, Math.round((Date.now() - started) / 1000)));
    const file = new File(chunks, `voice-${started}.${type.includes('ogg') ? 'ogg' : type.includes('mp4') ? 'm4a' : 'webm'}`, { type: type.split(';')[0] });
    void session.sendFile(conversation, Object.assign(file, { duration: seconds })).catch(() => undefined);
  };
  onTick(0);
  recorder.start();
  return recording;
}
