/**
 * Line icons for the log panes' toolbars, drawn like the shell's (components/icons.tsx).
 */
import type { ReactNode } from 'react';
import { Icon as LineIcon } from '../../components/icons';

/** Toolbar icons are smaller than the shell's, with a slightly heavier line to stay legible. */
function Icon({ children, size = 15 }: { children: ReactNode; size?: number }) {
  return (
    <LineIcon size={size} strokeWidth={1.8}>
      {children}
    </LineIcon>
  );
}

type IconProps = { size?: number };

export const PauseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 5v14M16 5v14" />
  </Icon>
);
export const FollowIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12 4v13M6 11l6 6 6-6M5 20h14" />
  </Icon>
);
export const SearchIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="11" cy="11" r="6.5" />
    <path d="M16 16l4.5 4.5" />
  </Icon>
);
export const FilterIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 5h16l-6 7.5V19l-4-2v-4.5z" />
  </Icon>
);
export const ClockIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </Icon>
);
export const WrapIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 6h16M4 12h13a3 3 0 0 1 0 6h-4M15 16l-2 2 2 2M4 18h5" />
  </Icon>
);
export const ClearIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M5 19h14M7.5 15.5l9-9M9 6.5l8.5 8.5" />
  </Icon>
);
export const SplitRightIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
    <path d="M12 4.5v15" />
  </Icon>
);
export const SplitDownIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
    <path d="M3.5 12h17" />
  </Icon>
);
export const CloseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 6l12 12M18 6L6 18" />
  </Icon>
);
export const MoreIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 12h.01M12 12h.01M18 12h.01" strokeWidth={3} />
  </Icon>
);
export const DownloadIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12 4v11M7 10.5l5 5 5-5M5 20h14" />
  </Icon>
);
export const ChevronUpIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 15l6-6 6 6" />
  </Icon>
);
export const ChevronDownIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 9l6 6 6-6" />
  </Icon>
);
export const SourcesIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="4" y="4" width="16" height="5" rx="1.2" />
    <rect x="4" y="10.5" width="16" height="5" rx="1.2" />
    <path d="M4 19.5h16" />
  </Icon>
);
export const HistoryIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 12a8 8 0 1 0 2.5-5.8M4 4v4.5h4.5M12 8v4l3 2" />
  </Icon>
);
