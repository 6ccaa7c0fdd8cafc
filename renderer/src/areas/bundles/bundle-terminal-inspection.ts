/**
 * What the end-to-end tests read from a bundle's log terminal (`element.bundleTerminal`), in a
 * module of its own: the tests are type-checked with Node's types and must not pull in xterm.
 */
export interface BundleTerminalInspection {
  /** The terminal buffer's rows, trailing blank rows dropped. */
  text(): string[];
  /** Lines written since the last filter change. */
  lines(): number;
}
