// junit.xml: one test case per budget verdict; a breach is a <failure>, a budget that could not be
// judged (not evaluated, inconclusive) an <error> (CI shows it red, never skipped-green), a budget over
// what the run did not select <skipped>. The message is the verdict, with what it was measured on where
// that differs from the ADR; the suite's properties and output list the stores measured.
import { runMeasuredOn } from '../results/measured-on.ts';
import type { Results, Verdict } from '../results/schema.ts';
import { messageWithMeasuredOn } from './verdict-format.ts';

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
  const errors = verdicts.filter((v) => v.status === 'not-evaluated' || v.status === 'inconclusive').length;
  const skipped = verdicts.filter((v) => v.status === 'not-in-run').length;
  const suite = options.suiteName ?? 'dalbench budgets';
  const cases = verdicts.map((v) => {
    const open = `  <testcase classname="dalbench.budgets" name="${xml(v.budget)}">`;
    const message = messageWithMeasuredOn(v);
    const out = `\n    <system-out>${xml(v.claim ? `ADR claim: ${v.claim}\n${message}` : message)}</system-out>`;
    const body = (tag: string, type: string) =>
      `\n    <${tag} message="${xml(message)}" type="${type}">${xml(message)}</${tag}>`;
    switch (v.status) {
      case 'fail':
        return `${open}${body('failure', 'BudgetBreached')}${out}\n  </testcase>`;
      case 'not-evaluated':
        return `${open}${body('error', 'NotEvaluated')}${out}\n  </testcase>`;
      case 'inconclusive':
        return `${open}${body('error', 'Inconclusive')}${out}\n  </testcase>`;
      case 'not-in-run':
        return `${open}\n    <skipped message="${xml(message)}"/>${out}\n  </testcase>`;
      case 'pass':
        return `${open}${out}\n  </testcase>`;
    }
  });
  const measuredOn = runMeasuredOn(results);
  const properties = measuredOn.length
    ? `\n<properties>\n${measuredOn.map((m) => `  <property name="measured-on" value="${xml(m)}"/>`).join('\n')}\n</properties>`
    : '';
  const suiteOut = measuredOn.length
    ? `\n<system-out>${xml(`Measured on:\n${measuredOn.map((m) => `- ${m}`).join('\n')}`)}</system-out>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="dalbench" tests="${verdicts.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">
<testsuite name="${xml(suite)}" tests="${verdicts.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${xml(results.run.finishedAt)}" hostname="${xml(results.run.platform)}">${properties}
${cases.join('\n')}${suiteOut}
</testsuite>
</testsuites>
`;
}
