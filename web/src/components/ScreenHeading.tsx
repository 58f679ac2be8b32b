import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * The screen's h1. It takes focus when the screen appears so that screen readers announce the
 * new screen after a hash navigation, and sets the document title.
 */
interface Props {
  title: string;
  children?: ComponentChildren;
  /** False when a field on the screen should have focus instead (sign-in). */
  focus?: boolean;
}

export function ScreenHeading({ title, children, focus = true }: Props) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · vidvar`;
    if (focus) ref.current?.focus({ preventScroll: true });
  }, [title, focus]);
  return (
    <h1 ref={ref} tabIndex={-1} class="screen-title">
      {children ?? title}
    </h1>
  );
}
