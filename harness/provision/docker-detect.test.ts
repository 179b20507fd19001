// A missing container engine must cost well under a second, and `auto` must then fall back to local.
import { describe, expect, it } from 'vitest';
import { createProvisioner } from './create-provisioner.ts';
import { detectContainerEngine } from './docker/detect.ts';

describe('container engine detection', () => {
  it('answers in well under a second', async () => {
    const began = performance.now();
    const probe = await detectContainerEngine();
    expect(performance.now() - began).toBeLessThan(1_000);
    if (!probe.available) expect(probe.reason).toBeTruthy();
  });

  it('is bounded even when a DOCKER_HOST points at nothing that answers', async () => {
    const began = performance.now();
    // A TCP port nobody listens on, in a documentation-only address range (never routed).
    const probe = await detectContainerEngine(700, { DOCKER_HOST: 'tcp://192.0.2.1:2375' });
    // Bounded by its 700 ms timeout, not by the OS's connect timeout (minutes for an unrouted
    // address); the margin is for a loaded machine (1.58 s once under two busy loops plus the suite).
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(probe.available).toBe(false);
  });

  it('auto picks docker only when an engine answers, local otherwise', async () => {
    const probe = await detectContainerEngine();
    const lines: string[] = [];
    const provisioner = await createProvisioner('auto', { log: (line) => lines.push(line) });
    expect(provisioner.mode).toBe(probe.available ? 'docker' : 'local');
    expect(lines.join('\n')).toMatch(probe.available ? /using docker/ : /using local/);
  });
});
