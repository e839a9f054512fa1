/** Ports and URLs of the local stack (`npm start`); the CLI and scripts default to the same values. */
export const LOCAL_STACK = {
  temporalPort: 7233,
  uiPort: 8233,
  codecServerPort: 8235,
  sandboxPort: 7890,
  fondoBaseUrl: 'http://127.0.0.1:7890',
} as const;
