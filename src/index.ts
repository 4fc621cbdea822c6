export { closeModal, configure, isHostConnected, onHostMessage, postToHost, resize, whenHostReady } from './channel.js';
export type { CloseModalOptions, ConfigureOptions, HostMessage, ResizeOptions, WhenHostReadyOptions } from './channel.js';
export { applyScope, getContext, isEmbedded, isValidId } from './context.js';
export type { CompanionContext, CompanionScope, GetContextOptions, GlobalContext, NoteContext, PatientContext } from './context.js';
export { openPatient, patientPath } from './navigation.js';
export { CompanionError, isCompanionError } from './errors.js';
export type { CompanionErrorCode, CompanionErrorOptions } from './errors.js';
