import { useState } from 'preact/hooks';
import { askNotificationPermission, notificationPermission } from '../lib/notify.js';

/** Offers a notification for when the batch finishes; the permission prompt needs a click. */
export function NotifyToggle() {
  const [permission, setPermission] = useState(notificationPermission());
  if (permission === 'unsupported' || permission === 'denied') return null;
  if (permission === 'granted') {
    return <span class="muted small">We’ll notify you when it’s done, even in another tab.</span>;
  }
  return (
    <button
      type="button"
      class="button button--ghost"
      onClick={async () => setPermission(await askNotificationPermission())}
    >
      Notify me when done
    </button>
  );
}
