import { IntegrityError } from '../core/errors.js';

/** A file that does not follow its format's grammar: corrupt, truncated or of another version. */
export class FormatError extends IntegrityError {}
