// junit.xml: one test case per budget verdict; a breach is a <failure>, a not-evaluated budget an
// <error> (CI shows it red, never skipped-green), the message is the verdict.
import type { Results, Verdict } from './results-schema.ts';

function xml(text: string): string {
  return (
    text
      // XML 1.0 forbids most control characters; drop them rather than emit an unparsable file.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
      )
  );
}

export function renderJunit(
  results: Results,
  options: { verdicts?: readonly Verdict[]; suiteName?: string } = {},
): string {
  const verdicts = options.verdicts ?? results.verdicts ?? [];
  const failures = verdicts.filter((v) => v.status === 'fail').length;
  const errors = verdicts.filter((v) => v.status === 'not-evaluated').length;
  const suite = options.suiteName ?? 'dalbench budgets';
  const cases = verdicts.map((v) => {
    const open = `  <testcase classname="dalbench.budgets" name="${xml(v.budget)}">`;
    const props = v.claim
      ? `\n    <system-out>${xml(`ADR claim: ${v.claim}\n${v.message}`)}</system-out>`
      : `\n    <system-out>${xml(v.message)}</system-out>`;
    if (v.status === 'fail')
      return `${open}\n    <failure message="${xml(v.message)}" type="BudgetBreached">${xml(v.message)}</failure>${props}\n  </testcase>`;
    if (v.status === 'not-evaluated')
      return `${open}\n    <error message="${xml(v.message)}" type="NotEvaluated">${xml(v.message)}</error>${props}\n  </testcase>`;
    return `${open}${props}\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="dalbench" tests="${verdicts.length}" failures="${failures}" errors="${errors}">
<testsuite name="${xml(suite)}" tests="${verdicts.length}" failures="${failures}" errors="${errors}" skipped="0" timestamp="${xml(results.run.finishedAt)}" hostname="${xml(results.run.platform)}">
${cases.join('\n')}
</testsuite>
</testsuites>
`;
}
