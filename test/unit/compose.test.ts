/**
 * The simulator in anyone's CI, checked without a container engine: docker-compose.yml validates
 * against the Compose Specification's JSON Schema (as dclint ships it), every lgsp command it and
 * the Dockerfile run is a real command with real flags (read from the command line's own
 * definition), and the image copies every folder the command line needs.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; build?: unknown; command?: string[]; entrypoint?: string[]; healthcheck?: { test?: string[] } }> };
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** What is wrong with `lgsp <args>`, by the command line's own definition (empty: nothing). */
function lgspProblems(args: readonly string[]): string[] {
  let command: Command = buildProgram();
  let i = 0;
  while (i < args.length && command.commands.length > 0) {
    const sub = command.commands.find((c) => c.name() === args[i]);
    if (!sub) return [`no command "${args.slice(0, i + 1).join(' ')}" (${command.commands.map((c) => c.name()).join(', ')})`];
    command = sub;
    i += 1;
  }
  const problems: string[] = [];
  const positionals: string[] = [];
  for (; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const option = command.options.find((o) => o.long === arg);
    if (!option) {
      problems.push(`lgsp ${command.name()} has no flag ${arg}`);
      continue;
    }
    if (option.required || option.optional) i += 1; // its value
  }
  const required = command.registeredArguments.filter((a) => a.required).length;
  if (positionals.length < required) problems.push(`lgsp ${command.name()} needs ${required} argument(s), has ${positionals.length}`);
  if (!command.registeredArguments.some((a) => a.variadic) && positionals.length > command.registeredArguments.length) problems.push(`lgsp ${command.name()} takes ${command.registeredArguments.length} argument(s), has ${positionals.length}`);
  return problems;
}

/** The lgsp arguments of a command line run in the image (`node bin/lgsp.mjs …`), or undefined. */
function lgspArgs(line: readonly string[]): string[] | undefined {
  const at = line.indexOf('bin/lgsp.mjs');
  return at >= 0 ? line.slice(at + 1) : undefined;
}

const ENTRYPOINT = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
const CMD = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

describe('docker-compose.yml and the Dockerfile', () => {
  it('docker-compose.yml validates against the Compose Specification schema', () => {
    expect(DCLinter.validateFile(join(ROOT, 'docker-compose.yml')).messages).toEqual([]);
    // The schema does check: a misspelt key is refused.
    const wrong = join(mkdtempSync(join(tmpdir(), 'lgsp-compose-')), 'docker-compose.yml');
    writeFileSync(wrong, 'services:\n  gateway:\n    image: lgsp-simulator\n    comand: [up]\n');
    expect(DCLinter.validateFile(wrong).messages.map((m: { rule: string }) => m.rule)).toEqual(['invalid-schema']);
  });

  it('has RabbitMQ with its management plugin, the gateway and the mocks, with health checks, ports and the state volume', () => {
    expect(compose.services.rabbitmq!.image).toMatch(/^rabbitmq:[\d.]+-management$/);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['rabbitmq', 'gateway', 'mocks']));
    expect(compose.services.gateway!.healthcheck?.test).toBeDefined();
    expect(JSON.stringify(compose.services.gateway)).toContain('lgsp-state:/data');
  });

  const runs = Object.entries(compose.services).filter(([, s]) => s.image === 'lgsp-simulator').flatMap(([name, s]) => [
    [`${name}: command`, lgspArgs([...(s.entrypoint ?? ENTRYPOINT), ...(s.command ?? CMD)])!] as const,
    ...(s.healthcheck?.test && lgspArgs(s.healthcheck.test) ? [[`${name}: health check`, lgspArgs(s.healthcheck.test)!] as const] : []),
  ]);

  it.each([...runs, ['Dockerfile: CMD', lgspArgs([...ENTRYPOINT, ...CMD])!] as const])('%s is a real lgsp command with real flags', (_, args) => {
    expect(args.length).toBeGreaterThan(0);
    expect(lgspProblems(args)).toEqual([]);
  });

  it('the command check finds a flag that does not exist, and a command that does not', () => {
    expect(lgspProblems(['gateway', '--amqp-url', 'amqp://x', '--no-such-flag'])).toEqual(['lgsp gateway has no flag --no-such-flag']);
    expect(lgspProblems(['gatway'])[0]).toMatch(/^no command "gatway"/);
    expect(lgspProblems(['check'])).toEqual(['lgsp check needs 1 argument(s), has 0']);
  });

  it('the image builds every folder the build compiles, and runs the build with every file the package ships', () => {
    const [build, runtime] = dockerfile.split(/^FROM /m).slice(1) as [string, string];
    const copied = (stage: string) => [...stage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    const compiled = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
    for (const path of [...compiled, 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'bin']) {
      expect(copied(build), `the build stage copies ${path}`).toContain(path);
      expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
    const shipped = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files.filter((f) => !f.startsWith('!') && !f.endsWith('.md') && !['dist', 'docs'].includes(f));
    for (const path of [...shipped, 'package.json']) expect(copied(runtime), `the image copies ${path}`).toContain(path);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/node_modules \.\/node_modules$/m);
  });
});
