// Fuzzed budget files (YAML, JSON) and budget expressions: random text, hostile fields in a valid
// set, generated expressions. Bad input is a BudgetSyntaxError whose message starts with the file
// and names the field (budgets[i].expr, budgets[i].op, ...); valid input is accepted with its value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BudgetSyntaxError } from '../../harness/budgets/errors.ts';
import { ExpressionError, parseBudgetExpression } from '../../harness/budgets/expression.ts';
import { parseBudgetDocument } from '../../harness/budgets/load.ts';
import { assertSyncProperty, outcome } from './support/sync-property.ts';
import { hostileString, hostileValue } from './support/hostile.ts';
import { allPaths, replaceAt } from './support/json-paths.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const number = fc.integer({ min: 0, max: 100_000 });

const validSet = {
  name: 'fuzz',
  description: 'd',
  maxErrorShare: 0.01,
  budgets: [
    { expr: 'p99(metrics-query.query) < 1000ms', claim: 'c', confidence: 0.95 },
    { name: 'n', metric: { kind: 'latency', scenario: 'a', operation: 'b', stat: 'p99' }, op: '<', limit: 5 },
  ],
};
const setPaths = allPaths(validSet);

describe('fuzzed budget expressions', () => {
  it('hostile text: a ParsedExpression or an ExpressionError, nothing else', () => {
    assertSyncProperty(
      fc.property(
        fc.oneof(
          hostileString,
          fc
            .tuple(
              fc.constantFrom('p99', 'throughput', 'improvement', 'errorRate', 'staleReads'),
              hostileString,
              hostileString,
            )
            .map(([f, a, b]) => `${f}(${a}) < ${b}`),
        ),
        (text) => {
          const error = outcome(() => parseBudgetExpression(text));
          if (error !== undefined) expect(error).toBeInstanceOf(ExpressionError);
        },
      ),
      400,
    );
  });

  it('generated valid expressions are accepted with their limit in ms', () => {
    assertSyncProperty(
      fc.property(
        name,
        name,
        fc.constantFrom('p50', 'p95', 'p99', 'p999'),
        fc.constantFrom('<', '<=', '>', '>=', '=='),
        number,
        fc.constantFrom(['ms', 1], ['s', 1000], ['us', 0.001]),
        (scenario, operation, stat, op, limit, [unit, scale]) => {
          const parsed = parseBudgetExpression(`${stat}(${scenario}.${operation}) ${op} ${limit}${unit}`);
          expect(parsed.op).toBe(op);
          expect(parsed.limit).toBeCloseTo(limit * (scale as number));
          expect(parsed.metric).toMatchObject({ scenario, operation });
        },
      ),
      200,
    );
  });

  it('a hostile expr in a YAML or JSON file names the file, its line and budgets[i].expr', () => {
    assertSyncProperty(
      fc.property(hostileString, fc.boolean(), (expr, json) => {
        const source = json ? 'b.json' : 'b.yaml';
        const text = json
          ? JSON.stringify({ name: 'n', budgets: [{ expr: 'staleReads == 0' }, { expr }] }, null, 1)
          : `name: n\nbudgets:\n  - expr: "staleReads == 0"\n  - expr: ${JSON.stringify(expr)}\n`;
        const error = outcome(() => parseBudgetDocument(text, source));
        const parsedAlone = outcome(() => parseBudgetExpression(expr));
        if (error === undefined) {
          expect(parsedAlone, `accepted "${expr}" in a file but not alone`).toBeUndefined();
          return;
        }
        expect(error).toBeInstanceOf(BudgetSyntaxError);
        const message = (error as Error).message;
        // YAML cannot hold some strings (lone surrogates, NUL, U+FEFF as written): a syntax error then.
        if (/syntax error/.test(message)) expect(message.startsWith(`${source}:`), message).toBe(true);
        else
          expect(message, message).toMatch(
            new RegExp(`^${source.replace('.', '\\.')}:\\d+: budgets\\[1\\]\\.expr`),
          );
      }),
      300,
    );
  });
});

describe('fuzzed budget files', () => {
  it('the valid set is accepted as YAML-flow JSON', () => {
    expect(parseBudgetDocument(JSON.stringify(validSet), 's.json').budgets).toHaveLength(2);
  });

  it('an alias to no anchor and an alias bomb are syntax errors naming the file (found by the fuzzer: "*:*")', () => {
    expect(() => parseBudgetDocument('*:*', 'a.yaml')).toThrow(BudgetSyntaxError);
    expect(() => parseBudgetDocument('*:*', 'a.yaml')).toThrow(/^a\.yaml: syntax error: /);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const c of 'bcdefgh')
      bomb.push(
        `${c}: &${c} [${Array(10)
          .fill(`*${String.fromCharCode(c.charCodeAt(0) - 1)}`)
          .join(', ')}]`,
      );
    expect(() => parseBudgetDocument(bomb.join('\n'), 'bomb.yaml')).toThrow(/^bomb\.yaml: syntax error: /);
  });

  it('random text: a BudgetSet or a BudgetSyntaxError starting with the file', () => {
    assertSyncProperty(
      fc.property(fc.oneof(hostileString, fc.json(), fc.string({ unit: 'binary' })), (text) => {
        const error = outcome(() => parseBudgetDocument(text, 'random.yaml'));
        expect(error, 'random text accepted as a budget set').toBeDefined();
        expect(error).toBeInstanceOf(BudgetSyntaxError);
        expect((error as Error).message.startsWith('random.yaml')).toBe(true);
      }),
      300,
    );
  });

  it('one field of a valid set replaced by a hostile value: accepted, or an error naming the field', () => {
    assertSyncProperty(
      fc.property(fc.constantFrom(...setPaths), hostileValue, (path, value) => {
        const text = JSON.stringify(replaceAt(validSet, path, value), null, 1);
        const error = outcome(() => parseBudgetDocument(text, 'set.json'));
        if (error === undefined) return;
        expect(error).toBeInstanceOf(BudgetSyntaxError);
        const message = (error as Error).message;
        expect(message).toMatch(/^set\.json(:\d+)?: /);
        const top =
          path[0] === 'budgets' && path.length > 1 ? `budgets[${String(path[1])}]` : String(path[0]);
        expect(message, `${message} should name ${top}`).toContain(top);
      }),
      300,
    );
  });
});
