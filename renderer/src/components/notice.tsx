/**
 * A short-lived message in the corner after something finished ("shop-backend-1 restarted."):
 * the same floating notice the Targets screen uses, with an error tone for failures.
 */
import { useCallback, useEffect, useState } from 'react';
import '../styles/components.css';

export interface NoticeMessage {
  text: string;
  tone: 'ok' | 'error';
}

/** The current notice and a function to show one; each disappears after `ms`. */
export function useNotice(
  ms = 5000,
): [NoticeMessage | undefined, (text: string, tone?: NoticeMessage['tone']) => void] {
  const [notice, setNotice] = useState<NoticeMessage>();
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), notice.tone === 'error' ? ms * 2 : ms);
    return () => clearTimeout(timer);
  }, [notice, ms]);
  const show = useCallback((text: string, tone: NoticeMessage['tone'] = 'ok') => setNotice({ text, tone }), []);
  return [notice, show];
}

export function Notice({ notice }: { notice: NoticeMessage | undefined }) {
  return (
    <p className={`notice ${notice?.tone === 'error' ? 'is-error' : ''}`} role="status">
      {notice?.text}
    </p>
  );
}
