/**
 * Options of the `json` and `jsonl` codecs: none so far. JSON has a single form; the two codecs
 * differ in how a stream holds values (one document, or one value per line).
 */
export class JsonCodecConfig {}
