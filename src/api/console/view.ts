import type { LiveIncidents } from './live-incidents.js';

/** What a page gets: where to draw, the live list, and the query of its route (`#/incidents?status=open`). */
export interface ViewContext {
  readonly main: HTMLElement;
  readonly live: LiveIncidents;
  readonly params: URLSearchParams;
}

/** A page while it is shown. */
export interface View {
  /** A key pressed outside any input; returns true when the page used it. */
  onKey?(ev: KeyboardEvent): boolean;
  /** Stops timers and listeners: the page is left. */
  dispose(): void;
}

/** Whether a key event comes from somewhere that takes text (shortcuts stay out of its way). */
export function isTyping(ev: KeyboardEvent): boolean {
  const t = ev.target;
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
}
