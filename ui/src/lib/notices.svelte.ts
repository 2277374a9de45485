/**
 * Notices shown in the app's notice area: errors stay until dismissed,
 * everything else fades after a few seconds.
 */

export type NoticeKind = "info" | "success" | "warning" | "error";

export interface Notice {
  id: number;
  kind: NoticeKind;
  message: string;
}

/** How long each kind stays, in milliseconds; 0 means until dismissed. */
export const NOTICE_TIMEOUT: Record<NoticeKind, number> = {
  info: 5000,
  success: 5000,
  warning: 10000,
  error: 0,
};

const MAX_NOTICES = 5;

const items: Notice[] = $state([]);
const timers = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

/** The notices on show, oldest first. */
export const notices: { readonly items: readonly Notice[] } = {
  get items() {
    return items;
  },
};

/** Shows a notice and returns its id. */
export function notify(kind: NoticeKind, message: string, timeoutMs = NOTICE_TIMEOUT[kind]): number {
  const id = nextId++;
  items.push({ id, kind, message });
  while (items.length > MAX_NOTICES) {
    const oldest = items[0];
    if (oldest) dismiss(oldest.id);
  }
  if (timeoutMs > 0) {
    timers.set(
      id,
      setTimeout(() => dismiss(id), timeoutMs),
    );
  }
  return id;
}

export function dismiss(id: number): void {
  const timer = timers.get(id);
  if (timer !== undefined) {
    clearTimeout(timer);
    timers.delete(id);
  }
  const index = items.findIndex((n) => n.id === id);
  if (index >= 0) items.splice(index, 1);
}

export function clearNotices(): void {
  for (const notice of [...items]) dismiss(notice.id);
}
