/**
 * The few line icons the shell uses, drawn inline so they need no font or image request.
 */
import type { ReactNode } from 'react';
import type { AreaId } from '../app/routes';

/** A 24×24 line icon in the current text colour; areas draw their own icons with it. */
export function Icon({
  children,
  size = 18,
  strokeWidth = 1.7,
}: {
  children: ReactNode;
  size?: number;
  strokeWidth?: number;
}) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={strokeWidth}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const AREA_ICONS: Record<AreaId, (props: { size?: number }) => ReactNode> = {
  overview: (p) => (
    <Icon {...p}>
      <rect x="3" y="3" width="7.5" height="7.5" rx="1.5" />
      <rect x="13.5" y="3" width="7.5" height="7.5" rx="1.5" />
      <rect x="3" y="13.5" width="7.5" height="7.5" rx="1.5" />
      <rect x="13.5" y="13.5" width="7.5" height="7.5" rx="1.5" />
    </Icon>
  ),
  logs: (p) => (
    <Icon {...p}>
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="M7 9l3 3-3 3M12.5 15H17" />
    </Icon>
  ),
  integrations: (p) => (
    <Icon {...p}>
      <path d="M3 12h3.5l2.5-6 4 12 2.5-6H21" />
    </Icon>
  ),
  runbooks: (p) => (
    <Icon {...p}>
      <path d="M5 4.5A1.5 1.5 0 0 1 6.5 3H19v15H6.5A1.5 1.5 0 0 0 5 19.5z" />
      <path d="M5 19.5A1.5 1.5 0 0 0 6.5 21H19v-3M9.5 7.5l3.5 2.5-3.5 2.5z" />
    </Icon>
  ),
  bundles: (p) => (
    <Icon {...p}>
      <path d="M12 3l8 4.5v9L12 21l-8-4.5v-9z" />
      <path d="M4 7.5l8 4.5 8-4.5M12 12v9" />
    </Icon>
  ),
  targets: (p) => (
    <Icon {...p}>
      <rect x="3" y="4" width="18" height="6.5" rx="1.5" />
      <rect x="3" y="13.5" width="18" height="6.5" rx="1.5" />
      <path d="M7 7.25h.01M7 16.75h.01M11 7.25h6M11 16.75h6" />
    </Icon>
  ),
};

export function KeyIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l8.5-8.5M16 7l2.5 2.5M14 9l2 2" />
    </Icon>
  );
}

export function PlusIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M12 5v14M5 12h14" />
    </Icon>
  );
}

export function PencilIcon({ size = 15 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M4 20h4L19 9l-4-4L4 16z" />
    </Icon>
  );
}

export function TrashIcon({ size = 15 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M4 7h16M9 7V4.5h6V7M6.5 7l1 13h9l1-13" />
    </Icon>
  );
}

export function WarningIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M12 3.5L2.5 20h19z" />
      <path d="M12 10v4.5M12 17.2h.01" />
    </Icon>
  );
}

export function PlugIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M9 3v5M15 3v5M6.5 8h11v3.5a5.5 5.5 0 0 1-11 0zM12 17v4" />
    </Icon>
  );
}

export function RestartIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M20 12a8 8 0 1 1-2.34-5.66" />
      <path d="M20 4v4.5h-4.5" />
    </Icon>
  );
}

export function StopIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <rect x="6" y="6" width="12" height="12" rx="1.5" />
    </Icon>
  );
}

export function PlayIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M7 5l12 7-12 7z" />
    </Icon>
  );
}

export function ShieldIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M12 3l8 3v6c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V6z" />
      <path d="M9 12l2 2 4-4" />
    </Icon>
  );
}

export function ImportIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M12 3v11M7.5 9.5L12 14l4.5-4.5" />
      <path d="M4 15v3.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V15" />
    </Icon>
  );
}

export function CheckIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Icon>
  );
}

export function CopyIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <rect x="8" y="8" width="12" height="12" rx="2" />
      <path d="M16 8V5.5A1.5 1.5 0 0 0 14.5 4h-9A1.5 1.5 0 0 0 4 5.5v9A1.5 1.5 0 0 0 5.5 16H8" />
    </Icon>
  );
}

export function ServerIcon({ size = 16 }: { size?: number }) {
  return (
    <Icon size={size}>
      <rect x="3" y="4" width="18" height="7" rx="1.5" />
      <rect x="3" y="13" width="18" height="7" rx="1.5" />
      <path d="M7 7.5h.01M7 16.5h.01" />
    </Icon>
  );
}
