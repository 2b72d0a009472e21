/**
 * Every situation a caller must handle has its own error class, each with `name` set so it
 * survives structured cloning and minification. Messages name the field or file at fault.
 */
export class KindlingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KindlingError';
  }
}

/** An option that does not exist, or a value outside the allowed ones. */
export class ConfigError extends KindlingError {
  constructor(readonly option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Bad input to a call: `field` is a path into the arguments, e.g. `texts[3]`. */
export class InputError extends KindlingError {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InputError';
  }
}

/** A model file that is missing, unreadable or not what its manifest says. */
export class ModelLoadError extends KindlingError {
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ModelLoadError';
  }
}

/** A model that loaded but produced something unusable (wrong shape, NaN). */
export class ModelOutputError extends KindlingError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelOutputError';
  }
}

/** WebGPU was required (by option) but no adapter is available. */
export class WebGPUUnavailableError extends KindlingError {
  constructor(message = 'WebGPU is not available: navigator.gpu is missing or requestAdapter() returned null') {
    super(message);
    this.name = 'WebGPUUnavailableError';
  }
}

/** A TF.js backend (`webgpu` or `cpu`) that would not start: TF.js's setBackend returned false. */
export class BackendInitError extends KindlingError {
  constructor(readonly backend: string, options?: { cause?: unknown }) {
    super(`the TF.js ${backend} backend could not be initialised`, options);
    this.name = 'BackendInitError';
  }
}

/** A call on a recommender after its dispose(). */
export class DisposedError extends KindlingError {
  constructor(what = 'recommender') {
    super(`the ${what} was disposed; create a new one`);
    this.name = 'DisposedError';
  }
}

/** Persistent storage (IndexedDB, a cache file) cannot be used; Kindling goes on in memory. */
export class StorageUnavailableError extends KindlingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** A bad row in a data file: `file:line: field: problem`. The CLI exits with code 2 on it. */
export class DataError extends KindlingError {
  constructor(readonly file: string, readonly line: number, readonly field: string, problem: string) {
    super(`${file}:${line}: ${field}: ${problem}`);
    this.name = 'DataError';
  }
}

/** A training process of the PyTorch engine (one rank) failed; the message names it and ends with what it said. */
export class TrainerError extends KindlingError {
  constructor(readonly rank: number, readonly exitCode: number | null, readonly output: string) {
    const last = output.trim().split('\n').filter(Boolean).pop() ?? '(no output)';
    super(`PyTorch rank ${rank} ${exitCode === null ? 'was killed' : `exited with code ${exitCode}`}: ${last}`);
    this.name = 'TrainerError';
  }
}
