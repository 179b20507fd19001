// The exports of a user's module (dalbench.config.ts, a scenario, a budget set) as its author wrote
// them. In a project without "type": "module", tsx compiles a .ts file to CommonJS, and Node's
// `import()` of CommonJS hands back `{ default: module.exports }`; tsx's module.exports is itself
// an ES-module namespace marked `__esModule: true`. Without unwrapping, `export default x` arrives as
// `mod.default.default` and the loader would report "no default export" for a correct file.

/** The namespace whose `default` and named exports the author wrote. */
export function moduleNamespace(mod: Record<string, unknown>): Record<string, unknown> {
  const inner = mod['default'];
  if (typeof inner === 'object' && inner !== null && (inner as { __esModule?: unknown }).__esModule === true)
    return inner as Record<string, unknown>;
  return mod;
}
