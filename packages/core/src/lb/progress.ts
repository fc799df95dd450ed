/** One step of a load-balancer operation, for live progress lines and logs. */
export interface LbProgress {
  /** `deregister`/`register`: the call and the wait for its outcome; `wait`: waiting before acting (e.g. for a draining target to become `unused`). */
  phase: 'deregister' | 'register' | 'wait';
  /** The target (`i-0abc:8080`, `10.0.1.5:80`, `backend/server`). */
  target: string;
  /** Target group ARN (ELBv2) or backend (HAProxy). */
  group: string;
  /** Last state seen (`draining`, `healthy`, `DRAIN`, `UP`, ...). */
  state: string;
  /** ELBv2's reason code or HAProxy's check status, when any. */
  reason?: string;
  elapsedMs: number;
  /** The operation's deadline, measured from its start (ms). */
  deadlineMs: number;
  message?: string;
}

/** Receives progress; errors it throws are ignored. */
export type LbProgressListener = (progress: LbProgress) => void;
