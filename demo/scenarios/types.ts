/** What a demo scenario is: something that starts a service, deploys it once under load, and stops. */

/** A moment of the deploy, drawn as a vertical rule on the chart. */
export interface DeployMark {
  /** `performance.now()` of the moment. */
  now: number;
  /** Short text on the chart, e.g. `app2 drain`. */
  label: string;
}

/** How long one instance (or worker) took to be replaced. */
export interface InstanceTime {
  name: string;
  ms: number;
}

/** A started service. */
export interface DemoTarget {
  /** Where the load is sent. */
  url: string;
  /** One line saying what runs, e.g. `3 instances of examples/express-app behind HAProxy 2.6`. */
  description: string;
  /** Replaces every instance once; reports each step through `mark`. */
  deploy(mark: (m: DeployMark) => void): Promise<InstanceTime[]>;
  stop(): Promise<void>;
}

/** A scenario of `npm run demo`. */
export interface DemoScenario {
  name: string;
  /** Why it cannot run on this machine, or undefined when it can. */
  unavailable(): string | undefined;
  start(): Promise<DemoTarget>;
}
