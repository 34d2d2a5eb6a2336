/** What every rendition plays: 48 kHz stereo. Loudness is measured on this same signal. */
export const OUTPUT_SAMPLE_RATE = 48_000;
export const OUTPUT_FORMAT_FILTER = `aformat=sample_fmts=fltp:sample_rates=${OUTPUT_SAMPLE_RATE}:channel_layouts=stereo`;

/** EBU R128 scan with true peak. Per-frame lines go to the verbose level, so at `info` only the summary prints. */
export const LOUDNESS_FILTER = 'ebur128=peak=true:framelog=verbose';
