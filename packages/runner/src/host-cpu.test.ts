import { describeHostCpu, hostCpuBetween, parseCpuPressure, readHostCpu, type HostCpuReading } from './host-cpu';

const reading = (atMs: number, busyMs: number, idleMs: number, stallUs?: number): HostCpuReading => ({ atMs, cores: 2, busyMs, idleMs, ...(stallUs !== undefined ? { stallUs } : {}) });

describe('host CPU use over a run', () => {
  it('reads the `some` line of /proc/pressure/cpu, not `full`', () => {
    const text = 'some avg10=2.80 avg60=18.56 avg300=34.13 total=13392304028\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
    expect(parseCpuPressure(text)).toBe(13392304028);
    expect(parseCpuPressure('full avg10=0.00 total=5\n')).toBeUndefined();
    expect(parseCpuPressure('')).toBeUndefined();
  });

  it('busy share of all cores and stall share of wall time between two readings', () => {
    // 2 cores over 1 s: 1.5 s of 2 busy; some task waited 600 ms of the 1000.
    expect(hostCpuBetween(reading(0, 10_000, 5_000, 1_000_000), reading(1000, 11_500, 5_500, 1_600_000))).toEqual({ cores: 2, busy: 0.75, stalled: 0.6 });
  });

  it('leaves the stall out when the kernel does not report it, and gives nothing for an empty or backwards span', () => {
    expect(hostCpuBetween(reading(0, 100, 100), reading(1000, 1100, 1100))).toEqual({ cores: 2, busy: 0.5 });
    expect(hostCpuBetween(reading(0, 100, 100), reading(0, 100, 100))).toBeUndefined();
    expect(hostCpuBetween(reading(0, 500, 100), reading(1000, 400, 1200))).toBeUndefined();
  });

  it('a real reading of this machine has its cores and non-negative times', () => {
    const r = readHostCpu();
    expect(r.cores).toBeGreaterThan(0);
    expect(r.busyMs).toBeGreaterThan(0);
    expect(r.idleMs).toBeGreaterThanOrEqual(0);
  });

  it('says it in one line', () => {
    expect(describeHostCpu({ cores: 2, busy: 0.926, stalled: 0.71 })).toBe('host CPU during the workload: 2 cores 93% busy; some process was waiting for a core 71% of the time');
    expect(describeHostCpu({ cores: 1, busy: 0.5 })).toBe('host CPU during the workload: 1 core 50% busy');
  });
});
