/** Ports and URLs of the local stack (`npm start`); the CLI and scripts default to the same values. */
export const LOCAL_STACK = {
  temporalPort: 7233,
  uiPort: 8233,
  codecServerPort: 8235,
  /** Prometheus endpoints: worker business metrics, worker SDK runtime metrics, bridge business metrics. */
  workerMetricsPort: 9470,
  workerSdkMetricsPort: 9471,
  bridgeMetricsPort: 9472,
  sandboxPort: 7890,
  fondoBaseUrl: 'http://127.0.0.1:7890',
} as const;
