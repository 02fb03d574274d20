import type { ReactNode } from 'react';

/** Minimal stroke icons (24-unit grid, currentColor) so the toolbar reads like a desktop tool. */
function icon(children: ReactNode) {
  return function Icon() {
    return (
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        {children}
      </svg>
    );
  };
}

export const OpenIcon = icon(<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />);
export const ExportIcon = icon(
  <>
    <path d="M12 3v12" />
    <path d="m7 10 5 5 5-5" />
    <path d="M4 19h16" />
  </>,
);
export const FitIcon = icon(
  <>
    <path d="M4 9V4h5" />
    <path d="M20 9V4h-5" />
    <path d="M4 15v5h5" />
    <path d="M20 15v5h-5" />
  </>,
);
export const RulerIcon = icon(
  <>
    <path d="m3 17 14-14 4 4L7 21z" />
    <path d="m7 13 2 2M10 10l2 2M13 7l2 2" />
  </>,
);
export const CameraIcon = icon(
  <>
    <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
    <circle cx="12" cy="13" r="3.5" />
  </>,
);
export const CellIcon = icon(
  <>
    <path d="M4 8 12 4l8 4v8l-8 4-8-4z" />
    <path d="M4 8l8 4 8-4M12 12v8" />
  </>,
);
export const LabelIcon = icon(
  <>
    <path d="M4 6h16M12 6v13" />
  </>,
);
export const PlayIcon = icon(<path d="M7 5v14l12-7z" />);
export const PauseIcon = icon(<path d="M8 5v14M16 5v14" />);
export const SunIcon = icon(
  <>
    <circle cx="12" cy="12" r="4" />
    <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
  </>,
);
export const MoonIcon = icon(<path d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" />);
export const HelpIcon = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M9.5 9.5a2.5 2.5 0 0 1 5 0c0 1.7-2.5 2-2.5 3.5M12 17h.01" />
  </>,
);
export const CloseIcon = icon(<path d="M6 6l12 12M18 6 6 18" />);
export const StopIcon = icon(<rect x="6" y="6" width="12" height="12" rx="1.5" />);
export const BoltIcon = icon(<path d="M13 2 4 14h7l-1 8 9-12h-7z" />);
export const ChevronIcon = icon(<path d="m6 9 6 6 6-6" />);

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
      <line x1="6" y1="7" x2="17" y2="6" stroke="currentColor" strokeWidth="1.6" opacity="0.6" />
      <line x1="6" y1="7" x2="10" y2="18" stroke="currentColor" strokeWidth="1.6" opacity="0.6" />
      <line x1="17" y1="6" x2="10" y2="18" stroke="currentColor" strokeWidth="1.6" opacity="0.6" />
      <circle cx="6" cy="7" r="3.2" fill="#e5484d" />
      <circle cx="17" cy="6" r="2.6" fill="#3e8bff" />
      <circle cx="10" cy="18" r="3.6" fill="#8e99a8" />
    </svg>
  );
}
