/**
 * Limits of the API that the web client shows too (a count field's maximum). Plain values with no
 * imports, so the browser bundle takes them without the server's libraries.
 */
export const MAX_SOURCES_PER_JOB = 10;
export const MAX_OUTPUTS_PER_SOURCE = 50;
