/**
 * The policy every page of the app runs under. The renderer is a Vite build served from the app's
 * own scheme: scripts, styles, fonts and images come from that origin only; nothing may be framed,
 * posted or loaded from elsewhere. Inline styles are allowed because Svelte writes `style`
 * attributes; inline scripts and eval are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
