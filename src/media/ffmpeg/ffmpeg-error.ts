export type FfmpegErrorCode = 'ffmpeg_failed' | 'ffmpeg_stalled' | 'ffmpeg_aborted';

/** FFmpeg or ffprobe did not finish its work. The stderr tail is for logs, never for users. */
export class FfmpegError extends Error {
  readonly code: FfmpegErrorCode;
  readonly stderrTail: string;
  readonly exitCode: number | null;

  constructor(code: FfmpegErrorCode, message: string, stderrTail: string, exitCode: number | null = null) {
    super(message);
    this.name = 'FfmpegError';
    this.code = code;
    this.stderrTail = stderrTail;
    this.exitCode = exitCode;
  }
}
