import type { JobView } from '../api/types.js';

/** Optional desktop notification when a batch finishes while the tab is in the background. */

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** Browsers only allow asking from a click, so this is called from a button. */
export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  return Notification.requestPermission();
}

export function notifyFinished(job: JobView, title: string): void {
  if (notificationPermission() !== 'granted' || !document.hidden) return;
  const body =
    job.status === 'done'
      ? `${job.outputs.length} variations are ready to download.`
      : 'The batch stopped. Open vidvar to see why.';
  const notice = new Notification(job.status === 'done' ? `Done: ${title}` : `Needs a look: ${title}`, {
    body,
    tag: `vidvar-${job.id}`,
  });
  notice.onclick = () => {
    window.focus();
    notice.close();
  };
}
