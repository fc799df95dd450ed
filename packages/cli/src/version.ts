/** The CLI's version, read from its own package.json (src/ and dist/ both sit one level below it). */
export const VERSION: string = (require('../package.json') as { version: string }).version;
