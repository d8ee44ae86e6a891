/**
 * What a process and every process it started use, read from /proc: CPU time from `stat` (utime + stime)
 * and resident memory, sampled over a run. Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Who a process is, decided once when it is first seen. */
export interface ProcessRole {
  label: string;
  /** Whether its memory and CPU count as the stack's (the load client and the baseline do not). */
  partOfStack: boolean;
}

export interface ProcessFacts {
  pid: number;
  /** The tree's root, or the root's child this process descends from. */
  branch: number;
  command: string;
  /** The working folder of the branch's first process: what tells two serverless-offline runs apart. */
  branchCwd: string;
}

export interface ProcessUsage extends ProcessRole {
  pid: number;
  command: string;
  cpuSeconds: number;
  /** The part of `cpuSeconds` spent in the kernel on the process's behalf (stime): file and socket work. */
  kernelSeconds: number;
  peakRssBytes: number;
}

export interface TreeUsage {
  processes: ProcessUsage[];
  /** The largest sum, over one sample, of the resident memory of the stack's processes. */
  peakStackRssBytes: number;
  samples: number;
}

interface StatLine {
  ppid: number;
  cpuTicks: number;
  kernelTicks: number;
  rssPages: number;
}

const systemValue = (name: string, fallback: number) => {
  try {
    return Number(execFileSync('getconf', [name]).toString().trim()) || fallback;
  } catch {
    return fallback;
  }
};
const TICKS_PER_SECOND = systemValue('CLK_TCK', 100);
const PAGE_BYTES = systemValue('PAGESIZE', 4096);

function readStat(pid: number): StatLine | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses: fields follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      kernelTicks: Number(fields[12]),
      rssPages: Number(fields[21]),
    };
  } catch {
    return undefined; // it exited between listing and reading
  }
}

function readText(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

/** Every process under `root` (itself included), each with the branch it belongs to. */
function processTree(root: number): Map<number, StatLine & { branch: number }> {
  const all = new Map<number, StatLine>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.set(Number(entry), stat);
  }
  const tree = new Map<number, StatLine & { branch: number }>();
  const rootStat = all.get(root);
  if (!rootStat) return tree;
  tree.set(root, { ...rootStat, branch: root });
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, stat] of all) {
      if (stat.ppid !== parent || tree.has(pid)) continue;
      tree.set(pid, { ...stat, branch: parent === root ? pid : (tree.get(parent)?.branch ?? pid) });
      queue.push(pid);
    }
  }
  return tree;
}

/**
 * Samples the process tree under `root` every `intervalMs` until `stop()`, which returns each process's CPU
 * seconds over the sampling (a process seen to start counts from zero; one that exits keeps its last
 * reading) and peak resident memory, and the peak of the stack's processes taken together.
 *
 * @example
 * const sampler = sampleProcessTree(process.pid, (facts) => ({ label: facts.command, partOfStack: true }));
 * await work();
 * const usage = sampler.stop();
 */
export function sampleProcessTree(
  root: number,
  roleOf: (facts: ProcessFacts) => ProcessRole,
  intervalMs = 250,
): { stop(): TreeUsage } {
  const seen = new Map<
    number,
    ProcessRole & {
      command: string;
      firstTicks: number;
      lastTicks: number;
      firstKernelTicks: number;
      lastKernelTicks: number;
      peakRssPages: number;
    }
  >();
  let peakStackRssPages = 0;
  let samples = 0;
  let firstSample = true;

  const sample = () => {
    let stackRssPages = 0;
    for (const [pid, stat] of processTree(root)) {
      let known = seen.get(pid);
      if (!known) {
        const command = readText(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
          .replaceAll('\0', ' ')
          .trim();
        const branchCwd = readText(() => readlinkSync(`/proc/${stat.branch}/cwd`));
        known = {
          ...roleOf({ pid, branch: stat.branch, command, branchCwd }),
          command,
          firstTicks: firstSample ? stat.cpuTicks : 0,
          lastTicks: stat.cpuTicks,
          firstKernelTicks: firstSample ? stat.kernelTicks : 0,
          lastKernelTicks: stat.kernelTicks,
          peakRssPages: 0,
        };
        seen.set(pid, known);
      }
      known.lastTicks = stat.cpuTicks;
      known.lastKernelTicks = stat.kernelTicks;
      known.peakRssPages = Math.max(known.peakRssPages, stat.rssPages);
      if (known.partOfStack) stackRssPages += stat.rssPages;
    }
    peakStackRssPages = Math.max(peakStackRssPages, stackRssPages);
    samples++;
    firstSample = false;
  };

  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        processes: [...seen].map(([pid, known]) => ({
          pid,
          label: known.label,
          partOfStack: known.partOfStack,
          command: known.command,
          cpuSeconds: (known.lastTicks - known.firstTicks) / TICKS_PER_SECOND,
          kernelSeconds: (known.lastKernelTicks - known.firstKernelTicks) / TICKS_PER_SECOND,
          peakRssBytes: known.peakRssPages * PAGE_BYTES,
        })),
        peakStackRssBytes: peakStackRssPages * PAGE_BYTES,
        samples,
      };
    },
  };
}
