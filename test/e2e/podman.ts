/**
 * Thin wrappers over the podman CLI for the compose end-to-end suite: running commands, reading
 * container state, and the health-check ticker that podman cannot run by itself here.
 */
import { execa } from 'execa';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  /** Throw on a non-zero exit (default true). */
  check?: boolean;
  /** Stream output to our stderr while it runs (for long builds). */
  echo?: boolean;
  cwd?: string;
  timeoutMs?: number;
}

export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = execa(command, args, {
    env: options.env,
    input: options.input,
    cwd: options.cwd,
    reject: false,
    all: false,
    timeout: options.timeoutMs,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
  });
  if (options.echo) {
    child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(indent(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(indent(chunk)));
  }
  const result = await child;
  const out: RunResult = {
    exitCode: result.exitCode ?? (result.timedOut ? 124 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
  if (options.check !== false && out.exitCode !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${out.exitCode}${result.timedOut ? ' (timed out)' : ''}\n${tail(out.stderr || out.stdout, 40)}`,
    );
  }
  return out;
}

export function podman(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('podman', args, options);
}

/**
 * `podman build --pull=never`, its output streamed. Returns the ids of the images its steps made
 * or took from the cache, stage images included: what the next build's cache needs kept.
 */
export async function build(args: string[], options: RunOptions = {}): Promise<string[]> {
  const result = await podman(['build', '--pull=never', ...args], { echo: true, ...options });
  const output = `${result.stdout}\n${result.stderr}`;
  return [...output.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map((m) => m[1] ?? '');
}

function indent(chunk: Buffer): string {
  return chunk
    .toString()
    .split('\n')
    .map((line) => (line ? `    | ${line}` : line))
    .join('\n');
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface ContainerState {
  id: string;
  name: string;
  service: string;
  status: string;
  exitCode: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  health: string | null;
  /** Health-check interval in ms, when the container has a health check. */
  healthIntervalMs: number | null;
}

interface InspectJson {
  Id: string;
  Name: string;
  Config: { Labels?: Record<string, string>; Healthcheck?: { Test?: string[]; Interval?: number } };
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string };
    Healthcheck?: { Status: string };
  };
}

/** Every container (running or not) of a compose project, by its compose labels. */
export async function projectContainers(project: string): Promise<ContainerState[]> {
  const ids = await podman(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`]);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (list.length === 0) return [];
  const inspected = await podman(['inspect', ...list], { check: false });
  // A container can vanish between ps and inspect (compose recreating it): inspect what is left.
  if (inspected.exitCode !== 0 && !inspected.stdout.trim().startsWith('[')) return [];
  return (JSON.parse(inspected.stdout) as InspectJson[]).map(toState);
}

function toState(c: InspectJson): ContainerState {
  const hc = c.Config.Healthcheck;
  const hasCheck = hc?.Test !== undefined && hc.Test.length > 0 && hc.Test[0] !== 'NONE';
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
    status: c.State.Status,
    exitCode: c.State.ExitCode,
    startedAt: date(c.State.StartedAt),
    finishedAt: date(c.State.FinishedAt),
    health: c.State.Health?.Status ?? c.State.Healthcheck?.Status ?? null,
    healthIntervalMs: hasCheck ? Math.max(1000, Math.round((hc?.Interval ?? 30e9) / 1e6)) : null,
  };
}

function date(text: string): Date | null {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.getFullYear() < 2000 ? null : d;
}

/**
 * podman runs health checks from systemd timers; without systemd (as here: no PID-1 systemd)
 * they never run and every container stays "starting", so `condition: service_healthy` would
 * wait forever. This ticker does what the timers would: it runs each running container's own
 * health check (`podman healthcheck run`, which executes the compose-defined test and records
 * the result, retries and start period included) at that check's interval.
 */
export function startHealthTicker(project: string): { stop(): Promise<void> } {
  const lastRun = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const containers = await projectContainers(project).catch(() => []);
      const due = containers.filter(
        (c) =>
          c.status === 'running' &&
          c.healthIntervalMs !== null &&
          Date.now() - (lastRun.get(c.id) ?? 0) >= c.healthIntervalMs,
      );
      await Promise.all(
        due.map(async (c) => {
          lastRun.set(c.id, Date.now());
          await podman(['healthcheck', 'run', c.id], { check: false, timeoutMs: 30_000 });
        }),
      );
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
