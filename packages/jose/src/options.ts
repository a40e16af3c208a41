/**
 * `@tessera/jose/options`: the option-name checks of @tessera/jose, for the packages built on it.
 *
 * The authority, the gateway and the CLI refuse unknown option names exactly as the JOSE functions
 * do — same hints (`timeout` → `timeoutMs`, `audiance` → `audience`), same TypeError wording — so
 * they share this one implementation rather than each keeping a did-you-mean of its own. It is a
 * separate entry point because it is not JOSE: the main entry stays the standards' API.
 */
export {
  assertKnownOptions,
  closestOption,
  combineOptions,
  declareOptions,
  type OptionNames,
  omitOptions,
  optionNames,
} from './lib/options.js'
