import { Component, computed, CUSTOM_ELEMENTS_SCHEMA, inject, InjectionToken, signal } from '@angular/core';
// Defines <im-chat> and the other elements. Its typings add their im-* events to
// HTMLElementEventMap, so strictTemplates types $event.
import { ConnectionStatus, type UserInfo } from 'im-widget';
import type { Config } from './config';

export const CONFIG = new InjectionToken<Config>('server and tokens');

const users = [{ id: 'alice', label: 'Alice' }, { id: 'bob', label: 'Bob' }] as const;
type UserId = (typeof users)[number]['id'];

@Component({
  selector: 'app-root',
  // Lets the template use <im-chat>, its properties and events.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <button [disabled]="!connected()" (click)="withNicknames.set(true)">Use nicknames</button>
    <div class="chats">
      @for (user of users; track user.id) {
        <section [attr.aria-label]="user.label">
          <h2>{{ user.label }}</h2>
          <p>Connection: {{ statusText(status()[user.id]) }}</p>
          <p>Selected: {{ selected()[user.id] ?? '(none)' }}</p>
          <!-- [name] sets properties; (im-*) listens to the element's events. -->
          <im-chat
            [server]="config.server"
            [token]="config.tokens[user.id]"
            [userInfoProvider]="withNicknames() ? nicknames : undefined"
            (im-status-change)="onStatus(user.id, $event)"
            (im-conversation-select)="onSelect(user.id, $event)"
          ></im-chat>
        </section>
      }
    </div>
  `,
})
export class App {
  protected readonly config = inject(CONFIG);
  protected readonly users = users;
  protected readonly status = signal<Partial<Record<UserId, number>>>({});
  protected readonly selected = signal<Partial<Record<UserId, string>>>({});
  protected readonly withNicknames = signal(false);
  protected readonly connected = computed(() => users.every((user) => this.status()[user.id] === ConnectionStatus.CONNECTED));

  // Names from the app's own user directory (here: made up).
  protected readonly nicknames = async (userId: string): Promise<UserInfo> => ({ name: `Nick ${userId}` });

  protected onStatus(user: UserId, event: CustomEvent<{ status: number }>): void {
    this.status.update((all) => ({ ...all, [user]: event.detail.status }));
  }

  protected onSelect(user: UserId, event: CustomEvent<{ conversationType: number; targetId: string }>): void {
    this.selected.update((all) => ({ ...all, [user]: event.detail.targetId }));
  }

  protected statusText(status: number | undefined): string {
    return status === undefined ? 'starting' : status === ConnectionStatus.CONNECTED ? 'connected' : `not connected (${status})`;
  }
}
