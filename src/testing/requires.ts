import { findOnPath } from './find-program';

/**
 * Tests that need something a plain machine (Node and npm, no root) lacks: a tool such as
 * `systemd-analyze`, root for `mount`, `/dev/fuse`. Where it is missing, the test is skipped with
 * the reason in its name (`SKIPPED, needs …: name`) and listed again at the end of the run by
 * jest.skipped-reporter.js, so a skip is never silent. `.ci/run` installs every one of them and
 * sets CHARGEYARD_REQUIRE_ALL=1, under which a missing requirement fails the test instead.
 * It registers Jest tests, so it is imported by test files directly (not through ./index, which
 * the benchmark loads outside Jest) and left out of the build.
 *
 *   testRequiring(commandRequirement('systemd-analyze', 'apt-get install systemd'), 'the unit verifies', () => { ... });
 */

export interface Requirement {
  /** What is needed, e.g. "systemd-analyze" or "root". */
  what: string;
  available: boolean;
  /** How to get it or why it is missing, e.g. "apt-get install systemd", "mounting LazyFS needs root". */
  hint: string;
}

export function requirement(what: string, available: boolean, hint: string): Requirement {
  return { what, available, hint };
}

/** A program on PATH. */
export function commandRequirement(command: string, hint: string): Requirement {
  return requirement(command, findOnPath(command) !== undefined, hint);
}

/** Running as root (mounting a tmpfs or a FUSE file system). */
export function rootRequirement(): Requirement {
  return requirement('root', process.getuid?.() === 0, 'run the tests as root, as .ci/run does');
}

function missing(requirements: Requirement[]): Requirement[] {
  return requirements.filter((each) => !each.available);
}

function reason(absent: Requirement[]): string {
  return absent.map((each) => `${each.what} (${each.hint})`).join(' and ');
}

function mustRunAll(): boolean {
  return process.env.CHARGEYARD_REQUIRE_ALL === '1';
}

function missingError(absent: Requirement[]): Error {
  return new Error(`needs ${reason(absent)}, which this machine lacks; CHARGEYARD_REQUIRE_ALL=1 (set by .ci/run) makes that a failure, not a skip`);
}

/** `test` that runs where its requirements are met and is reported as skipped, with why, elsewhere. */
export function testRequiring(requirements: Requirement | Requirement[], name: string, fn: jest.ProvidesCallback, timeoutMs?: number): void {
  const absent = missing([requirements].flat());
  if (absent.length === 0) test(name, fn, timeoutMs);
  else if (mustRunAll()) {
    test(name, () => {
      throw missingError(absent);
    });
  } else test.skip(`SKIPPED, needs ${reason(absent)}: ${name}`, fn, timeoutMs);
}

/** `describe` whose tests all need the same things; see testRequiring. */
export function describeRequiring(requirements: Requirement | Requirement[], name: string, fn: () => void): void {
  const absent = missing([requirements].flat());
  if (absent.length === 0) describe(name, fn);
  else if (mustRunAll()) {
    describe(name, () => {
      test('has what it needs', () => {
        throw missingError(absent);
      });
    });
  } else describe.skip(`SKIPPED, needs ${reason(absent)}: ${name}`, fn);
}
