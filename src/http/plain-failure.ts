/**
 * Why a variation failed, in a marketer's words, from the technical sentence stored with it. The
 * stored sentence stays the technical line (API `error`, behind a toggle in the app); an unknown one
 * gets a general sentence rather than none.
 */
const KNOWN: Array<{ test: RegExp; plain: (match: RegExpMatchArray) => string }> = [
  {
    test: /^FFmpeg could not render this variation\.$/,
    plain: () => 'This variation could not be made. “Retry failed” usually fixes it.',
  },
  {
    test: /^The rendered variation did not pass its checks\.$/,
    plain: () => 'This variation came out damaged, so it was not delivered. “Retry failed” makes it again.',
  },
  {
    test: /^The source video is no longer on the server\.$/,
    plain: () =>
      'The original video has expired from the server, so this variation cannot be made. Upload it again in a new batch.',
  },
  {
    test: /^This variation.s file was lost and its source is gone\.$/,
    plain: () =>
      'This variation was lost and its original has expired. Upload the video again in a new batch.',
  },
  {
    // S3 mode: the bucket did not take the finished file, or did not give the source, after retries.
    test: /^The finished video could not be stored: /,
    plain: () => 'This variation was made but could not be saved. “Retry failed” makes it again.',
  },
  {
    test: /^The source video could not be fetched from storage: /,
    plain: () => 'The original video could not be read from storage just now. “Retry failed” tries again.',
  },
  {
    test: /^This variation stayed too close to the original\b.* after (\d+) tr/,
    plain: (m) =>
      `This variation still looked too much like the original after ${m[1]} attempts, so it was not delivered. A stronger intensity changes more.`,
  },
  {
    test: /^This variation stayed too close to another variation\b.* after (\d+) tr/,
    plain: (m) =>
      `This variation still looked too much like another one after ${m[1]} attempts, so it was not delivered. Ask for fewer variations or a stronger intensity.`,
  },
];

export function plainFailure(message: string): string {
  for (const { test, plain } of KNOWN) {
    const match = message.match(test);
    if (match) return plain(match);
  }
  return 'This variation could not be made. “Retry failed” tries again.';
}
